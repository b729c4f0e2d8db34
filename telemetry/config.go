package telemetry

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Config is a component's telemetry configuration. It comes from the
// environment (FromEnv), is overlaid by stored properties and code options,
// and is changed at runtime through Control. The zero value is not useful:
// start from DefaultConfig.
type Config struct {
	// Enabled turns all telemetry of the component on or off. Default false.
	Enabled bool
	// ServiceName is the resource's service.name. Empty means the
	// executable's name.
	ServiceName string
	// Tracing and Logging are the exported types (SIGHTLINE_TELEMETRY_TYPES).
	// Default both true.
	Tracing bool
	Logging bool
	// Topics gates spans by topic at start. Default: user only.
	Topics Topics
	// TracingEndpoints and LoggingEndpoints receive the component's spans and
	// logs. Default: one http endpoint at DefaultHTTPEndpoint each.
	TracingEndpoints []Endpoint
	LoggingEndpoints []Endpoint
	// SpanProcessor is "simple", "batch" or "" (automatic: simple for console
	// endpoints and those of exporters registered with WithSimpleProcessor,
	// such as sightlinetest's memory; batch for the others).
	SpanProcessor string
	// SyncExportTimeout bounds one export of a simple processor to a network
	// (http, grpc) endpoint, in the goroutine that ends the span or emits the
	// record (SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT). When it fails or
	// times out, the endpoint is failing and later items are dropped
	// (counted) without waiting until a background probe succeeds. Default
	// 500 ms; allowed 10 ms to 60 s; zero means the default.
	SyncExportTimeout time.Duration
	// TracesExportTimeout and LogsExportTimeout bound one export of a batch
	// processor to a network endpoint, retries included
	// (OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, OTEL_EXPORTER_OTLP_LOGS_TIMEOUT,
	// OTEL_EXPORTER_OTLP_TIMEOUT). Default 10 s; allowed 10 ms to 10 min;
	// zero means the default.
	TracesExportTimeout time.Duration
	LogsExportTimeout   time.Duration
	// InFlight says which tracing endpoints get in-flight announcements of
	// spans still open (SIGHTLINE_TELEMETRY_INFLIGHT): auto, on or off.
	// "" means auto: http, grpc and registered exporters that carry logs,
	// not console and file.
	InFlight InFlightMode
	// InFlightThreshold is how long a span is open before it is first
	// announced (SIGHTLINE_TELEMETRY_INFLIGHT_THRESHOLD). Allowed 10 ms to
	// 1 h; zero means 1 s.
	InFlightThreshold time.Duration
	// InFlightInterval is the time between announcements of a span that
	// stays open (SIGHTLINE_TELEMETRY_INFLIGHT_INTERVAL). Allowed 100 ms
	// to 1 h; zero means 10 s.
	InFlightInterval time.Duration
	// Sampler decides which new traces are recorded. Default
	// parentbased_always_on.
	Sampler Sampler
	// SDKLogLevel is the lowest level of sightline's own diagnostics (export
	// errors, configuration warnings). Default LevelWarning.
	SDKLogLevel Level
	// OTLPJSON makes http endpoints send OTLP-JSON instead of protobuf.
	OTLPJSON bool
	// OTLPExporter is the implementation of http (protobuf) and grpc
	// endpoints (SIGHTLINE_TELEMETRY_OTLP_EXPORTER): OTLPExporterSightline
	// encodes straight from the SDK's spans and records (issue 19, several
	// times cheaper), OTLPExporterSDK uses the SDK's otlptracehttp,
	// otlptracegrpc, otlploghttp and otlploggrpc, to compare or fall back.
	// "" means OTLPExporterSightline.
	OTLPExporter string
	// OTLPHeaders are sent with every OTLP export (http and grpc).
	OTLPHeaders map[string]string
	// ResourceAttributes are added to the resource (OTEL_RESOURCE_ATTRIBUTES);
	// explicit settings (service name, instance id) win over them.
	ResourceAttributes map[string]string
	// Propagators are the text-map propagators, by OTEL_PROPAGATORS name.
	// Default tracecontext, baggage.
	Propagators []string
	// ResourceDetectors adds detected attributes: process, host, os,
	// container. Default none (the base resource already has host.name,
	// process.pid and process.executable.name).
	ResourceDetectors []string
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Tracing:          true,
		Logging:          true,
		Topics:           Topics{User: true},
		TracingEndpoints: []Endpoint{mustDefault(SignalTraces)},
		LoggingEndpoints: []Endpoint{mustDefault(SignalLogs)},
		Sampler:          Sampler{Name: SamplerParentBasedAlwaysOn, Ratio: 1},
		SDKLogLevel:      LevelWarning,
		Propagators:      []string{"tracecontext", "baggage"},

		SyncExportTimeout:   DefaultSyncExportTimeout,
		TracesExportTimeout: DefaultExportTimeout,
		LogsExportTimeout:   DefaultExportTimeout,

		InFlight:          InFlightAuto,
		InFlightThreshold: DefaultInFlightThreshold,
		InFlightInterval:  DefaultInFlightInterval,
	}
}

func mustDefault(s Signal) Endpoint {
	e, _ := ParseEndpoint(s, ExporterHTTP, DefaultHTTPEndpoint)
	return e
}

// Validate checks every field and returns a *ConfigError listing each bad
// one, or nil.
func (c Config) Validate() error {
	var ps problems
	check := func(setting, value string, err error) {
		if err != nil {
			ps.add(problemFor(setting, value, err, ""))
		}
	}
	for _, sig := range []struct {
		name string
		sig  Signal
		eps  []Endpoint
	}{{"TracingEndpoints", SignalTraces, c.TracingEndpoints}, {"LoggingEndpoints", SignalLogs, c.LoggingEndpoints}} {
		for i, e := range sig.eps {
			_, err := ParseEndpoint(sig.sig, e.Exporter, e.URL)
			check(fmt.Sprintf("%s[%d]", sig.name, i), e.String(), err)
		}
		check(sig.name, fmt.Sprint(sig.eps), checkNoneAlone(sig.eps))
	}
	switch c.SpanProcessor {
	case "", "simple", "batch":
	default:
		check("SpanProcessor", c.SpanProcessor, badValue("simple, batch", "unknown span processor"))
	}
	check("OTLPExporter", c.OTLPExporter, checkOTLPExporter(c.OTLPExporter))
	check("SyncExportTimeout", c.SyncExportTimeout.String(), checkTimeout(c.SyncExportTimeout, maxSyncExportTimeout))
	check("TracesExportTimeout", c.TracesExportTimeout.String(), checkTimeout(c.TracesExportTimeout, maxExportTimeout))
	check("LogsExportTimeout", c.LogsExportTimeout.String(), checkTimeout(c.LogsExportTimeout, maxExportTimeout))
	check("InFlight", string(c.InFlight), InFlightSettings{Mode: c.InFlight}.validate())
	check("InFlightThreshold", c.InFlightThreshold.String(), InFlightSettings{Threshold: c.InFlightThreshold}.validate())
	check("InFlightInterval", c.InFlightInterval.String(), InFlightSettings{Interval: c.InFlightInterval}.validate())
	check("Sampler", c.Sampler.String(), c.Sampler.validate())
	if c.SDKLogLevel < LevelDebug || c.SDKLogLevel > LevelOff {
		check("SDKLogLevel", c.SDKLogLevel.String(), badValue(allowedLevels, "unknown level"))
	}
	if _, err := parsePropagators(c.Propagators); err != nil {
		check("Propagators", strings.Join(c.Propagators, ","), err)
	}
	for _, d := range c.ResourceDetectors {
		if !slices.Contains(resourceDetectors, d) {
			check("ResourceDetectors", d, badValue(strings.Join(resourceDetectors, ", "), "unknown resource detector"))
		}
	}
	return ps.err()
}

// checkNoneAlone refuses "none" mixed with real exporters.
func checkNoneAlone(eps []Endpoint) error {
	if len(eps) > 1 && slices.ContainsFunc(eps, func(e Endpoint) bool { return e.Exporter == ExporterNone }) {
		return badValue("none alone, or a list without none", "exporter none mixed with other exporters")
	}
	return nil
}

// Topics says which span topics are recorded.
type Topics struct {
	User   bool `json:"user"`
	Kernel bool `json:"kernel"`
}

const allowedTopics = "user, kernel, all, none"

// ParseTopics reads a list of topic names: user, kernel, all (both) or none.
func ParseTopics(list []string) (Topics, error) {
	var t Topics
	if len(list) == 0 {
		return t, badValue(allowedTopics, "empty topic list")
	}
	for _, s := range list {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "user":
			t.User = true
		case "kernel":
			t.Kernel = true
		case "all":
			t.User, t.Kernel = true, true
		case "none":
			if len(list) > 1 {
				return Topics{}, badValue(allowedTopics, "topic none mixed with other topics")
			}
		default:
			return Topics{}, badValue(allowedTopics, "unknown topic %q", s)
		}
	}
	return t, nil
}

// List returns the topic names: ["user"], ["kernel"], ["user","kernel"] or ["none"].
func (t Topics) List() []string {
	var l []string
	if t.User {
		l = append(l, "user")
	}
	if t.Kernel {
		l = append(l, "kernel")
	}
	if l == nil {
		l = []string{"none"}
	}
	return l
}

func (t Topics) String() string { return strings.Join(t.List(), ",") }

// Level is the level of sightline's own diagnostics.
type Level int8

// The diagnostic levels, lowest first. LevelOff prints nothing.
const (
	LevelDebug Level = iota
	LevelInfo
	LevelWarning
	LevelError
	LevelCritical
	LevelOff
)

const allowedLevels = "debug, info, warning, error, critical, off"

var levelNames = []string{"debug", "info", "warning", "error", "critical", "off"}

func (l Level) String() string {
	if l < LevelDebug || l > LevelOff {
		return fmt.Sprintf("Level(%d)", int8(l))
	}
	return levelNames[l]
}

// ParseLevel reads a level name; warn and fatal are accepted as aliases of
// warning and critical (the Python logging names).
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "warn":
		return LevelWarning, nil
	case "fatal":
		return LevelCritical, nil
	}
	if i := slices.Index(levelNames, strings.ToLower(strings.TrimSpace(s))); i >= 0 {
		return Level(i), nil
	}
	return 0, badValue(allowedLevels, "unknown level %q", s)
}

// parseBool reads on/off in the spellings operators use.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "1", "yes", "enable", "enabled":
		return true, nil
	case "off", "false", "0", "no", "disable", "disabled":
		return false, nil
	}
	return false, badValue("on, off, true, false, 1, 0, yes, no", "not a boolean: %q", s)
}

// splitList splits a comma list, trimming blanks; "" gives nil.
func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

var errEmptyItem = errors.New("empty item in list")
