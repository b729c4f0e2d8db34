package telemetry

import (
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
)

// Getenv looks up one environment variable, like os.LookupEnv: the value
// and whether the variable is set. It is the one environment hook type of
// the module (telemetry.WithEnv, admin.WithEnv, ...); nil means
// os.LookupEnv.
type Getenv func(name string) (string, bool)

// FromEnv reads a configuration from the environment (os.LookupEnv when
// getenv is nil), following the rules in docs/configuration.md:
// SIGHTLINE_TELEMETRY_* wins over the OTEL_* variable that says the same
// thing, and a variable set to the empty string counts as unset.
//
// Every bad value is reported in the returned *ConfigError, naming the
// variable, the value and what is allowed; the setting it belongs to keeps
// its default. The returned Config is always valid.
func FromEnv(getenv Getenv) (Config, Sources, error) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	src := defaultSources()
	for _, k := range timeoutKeys {
		src[k] = Origin{Source: SourceDefault}
	}
	r := &envReader{getenv: getenv, cfg: DefaultConfig(), src: src}
	r.read()
	return r.cfg, r.src, r.ps.err()
}

type envReader struct {
	getenv Getenv
	cfg    Config
	src    Sources
	ps     problems
	proto  string // OTEL_EXPORTER_OTLP_PROTOCOL, normalised
}

// get returns a variable's trimmed value; empty counts as unset.
func (r *envReader) get(name string) (string, bool) {
	v, ok := r.getenv(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

func (r *envReader) set(key, variable string) { r.src[key] = Origin{Source: SourceEnv, Name: variable} }

func (r *envReader) bad(variable, value string, err error, using string) {
	r.ps.add(problemFor(variable, value, err, using))
}

func (r *envReader) read() {
	r.readEnable()
	r.readProtocol()
	r.readPairs("OTEL_EXPORTER_OTLP_HEADERS", KeyOTLPHeaders, &r.cfg.OTLPHeaders)
	r.readPairs("OTEL_RESOURCE_ATTRIBUTES", KeyResourceAttributes, &r.cfg.ResourceAttributes)
	for _, name := range []string{"SIGHTLINE_TELEMETRY_SERVICE_NAME", "OTEL_SERVICE_NAME"} {
		if v, ok := r.get(name); ok {
			r.cfg.ServiceName = v
			r.set(KeyServiceName, name)
			break
		}
	}
	r.readTypes()
	if v, ok := r.get("SIGHTLINE_TELEMETRY_TOPICS"); ok {
		if t, err := ParseTopics(splitList(v)); err != nil {
			r.bad("SIGHTLINE_TELEMETRY_TOPICS", v, err, "the default user")
		} else {
			r.cfg.Topics = t
			r.set(KeyTopics, "SIGHTLINE_TELEMETRY_TOPICS")
		}
	}
	r.cfg.TracingEndpoints = r.readEndpoints(SignalTraces, KeyTracingEndpoints, "TRACING", "TRACES", r.cfg.TracingEndpoints)
	r.cfg.LoggingEndpoints = r.readEndpoints(SignalLogs, KeyLoggingEndpoints, "LOGGING", "LOGS", r.cfg.LoggingEndpoints)
	if v, ok := r.get("SIGHTLINE_TELEMETRY_SPAN_PROCESSOR"); ok {
		switch strings.ToLower(v) {
		case "simple", "batch":
			r.cfg.SpanProcessor = strings.ToLower(v)
			r.set(KeySpanProcessor, "SIGHTLINE_TELEMETRY_SPAN_PROCESSOR")
		default:
			r.bad("SIGHTLINE_TELEMETRY_SPAN_PROCESSOR", v, badValue("simple, batch", "unknown span processor %q", v),
				"the default (simple for console and exporters registered with WithSimpleProcessor, batch otherwise)")
		}
	}
	if v, ok := r.get(envOTLPExporter); ok {
		if err := checkOTLPExporter(strings.ToLower(v)); err != nil {
			r.bad(envOTLPExporter, v, err, "the default sightline")
		} else {
			r.cfg.OTLPExporter = strings.ToLower(v)
			r.set(KeyOTLPExporter, envOTLPExporter)
		}
	}
	r.readTimeouts()
	r.readInFlight()
	r.readSampler()
	if v, ok := r.get("SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL"); ok {
		if l, err := parseSDKLogLevel(v); err != nil {
			r.bad("SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL", v, err, "the default warning")
		} else {
			r.cfg.SDKLogLevel = l
			r.set(KeySDKLogLevel, "SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL")
		}
	}
	if v, ok := r.get("OTEL_PROPAGATORS"); ok {
		list := splitList(v)
		if _, err := parsePropagators(list); err != nil {
			r.bad("OTEL_PROPAGATORS", v, err, "the default tracecontext,baggage")
		} else {
			r.cfg.Propagators = list
			r.set(KeyPropagators, "OTEL_PROPAGATORS")
		}
	}
	if v, ok := r.get("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS"); ok {
		list := splitList(v)
		for _, d := range list {
			if !slices.Contains(resourceDetectors, d) {
				r.bad("OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", v,
					badValue(strings.Join(resourceDetectors, ", "), "unknown resource detector %q", d), "no detectors")
				return
			}
		}
		r.cfg.ResourceDetectors = list
		r.set(KeyResourceDetectors, "OTEL_EXPERIMENTAL_RESOURCE_DETECTORS")
	}
}

func (r *envReader) readEnable() {
	if v, ok := r.get("SIGHTLINE_TELEMETRY_ENABLE"); ok {
		b, err := parseBool(v)
		if err != nil {
			r.bad("SIGHTLINE_TELEMETRY_ENABLE", v, err, "the default off")
			return
		}
		r.cfg.Enabled = b
		r.set(KeyEnable, "SIGHTLINE_TELEMETRY_ENABLE")
		return
	}
	if v, ok := r.get("OTEL_SDK_DISABLED"); ok {
		b, err := parseBool(v)
		if err != nil {
			r.bad("OTEL_SDK_DISABLED", v, badValue("true, false", "not a boolean: %q", v), "the default false")
			return
		}
		if b {
			r.cfg.Enabled = false
			r.set(KeyEnable, "OTEL_SDK_DISABLED")
		}
	}
}

func (r *envReader) readProtocol() {
	r.proto = "http/protobuf"
	v, ok := r.get("OTEL_EXPORTER_OTLP_PROTOCOL")
	if !ok {
		return
	}
	switch strings.ToLower(v) {
	case "grpc", "http/protobuf", "http/json":
		r.proto = strings.ToLower(v)
		r.cfg.OTLPJSON = r.proto == "http/json"
		r.set(KeyOTLPProtocol, "OTEL_EXPORTER_OTLP_PROTOCOL")
	default:
		r.bad("OTEL_EXPORTER_OTLP_PROTOCOL", v, badValue("grpc, http/protobuf, http/json", "unknown protocol %q", v),
			"the default http/protobuf")
	}
}

// readPairs reads a key=value,key=value variable with percent-encoded values
// (the W3C Baggage form OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS use).
func (r *envReader) readPairs(name, key string, dst *map[string]string) {
	v, ok := r.get(name)
	if !ok {
		return
	}
	m, err := parsePairs(v)
	if err != nil {
		r.bad(name, v, err, "none of its pairs")
		return
	}
	*dst = m
	r.set(key, name)
}

func parsePairs(s string) (map[string]string, error) {
	const allowed = "key=value pairs separated by commas, values percent-encoded"
	m := map[string]string{}
	for _, item := range strings.Split(s, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		k, v, ok := strings.Cut(item, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, badValue(allowed, "%q is not key=value", strings.TrimSpace(item))
		}
		dv, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return nil, badValue(allowed, "value of %q is not percent-encoded correctly", k)
		}
		m[k] = dv
	}
	return m, nil
}

func (r *envReader) readTypes() {
	const name = "SIGHTLINE_TELEMETRY_TYPES"
	v, ok := r.get(name)
	if !ok {
		return
	}
	tracing, logging, err := parseTypes(splitList(v))
	if err != nil {
		r.bad(name, v, err, "the default tracing,logging")
		return
	}
	r.cfg.Tracing, r.cfg.Logging = tracing, logging
	r.set(KeyTypes, name)
}

const allowedTypes = "tracing, logging, none"

func parseTypes(list []string) (tracing, logging bool, err error) {
	if len(list) == 0 {
		return false, false, badValue(allowedTypes, "empty type list")
	}
	for _, t := range list {
		switch strings.ToLower(t) {
		case "tracing":
			tracing = true
		case "logging":
			logging = true
		case "none":
			if len(list) > 1 {
				return false, false, badValue(allowedTypes, "type none mixed with other types")
			}
		default:
			return false, false, badValue(allowedTypes, "unknown type %q", t)
		}
	}
	return tracing, logging, nil
}

func (r *envReader) readSampler() {
	if v, ok := r.get("SIGHTLINE_TELEMETRY_SAMPLER"); ok {
		if s, err := ParseSampler(v); err != nil {
			r.bad("SIGHTLINE_TELEMETRY_SAMPLER", v, err, "the default parentbased_always_on")
		} else {
			r.cfg.Sampler = s
			r.set(KeySampler, "SIGHTLINE_TELEMETRY_SAMPLER")
		}
		return
	}
	name, hasName := r.get("OTEL_TRACES_SAMPLER")
	arg, hasArg := r.get("OTEL_TRACES_SAMPLER_ARG")
	if !hasName && !hasArg {
		return
	}
	if !hasName {
		name = SamplerParentBasedAlwaysOn
	}
	s, err := parseNamedSampler(strings.ToLower(name), arg, "OTEL_TRACES_SAMPLER_ARG")
	if err != nil {
		variable, value := "OTEL_TRACES_SAMPLER", name
		if hasArg && (!hasName || strings.Contains(err.Error(), "ratio")) {
			variable, value = "OTEL_TRACES_SAMPLER_ARG", arg
		}
		r.bad(variable, value, err, "the default parentbased_always_on")
		return
	}
	r.cfg.Sampler = s
	r.set(KeySampler, "OTEL_TRACES_SAMPLER")
}

// readEndpoints pairs SIGHTLINE_TELEMETRY_<kind>_EXPORTERS with
// SIGHTLINE_TELEMETRY_<kind>_ENDPOINTS by position, falling back to
// OTEL_<otelKind>_EXPORTER and the OTEL_EXPORTER_OTLP_* endpoints.
func (r *envReader) readEndpoints(sig Signal, key, kind, otelKind string, def []Endpoint) []Endpoint {
	expVar := "SIGHTLINE_TELEMETRY_" + kind + "_EXPORTERS"
	urlVar := "SIGHTLINE_TELEMETRY_" + kind + "_ENDPOINTS"
	otelVar := "OTEL_" + otelKind + "_EXPORTER"
	using := "the default " + def[0].String()

	otlp := ExporterHTTP
	if r.proto == "grpc" {
		otlp = ExporterGRPC
	}
	var names []string
	var origin []string
	if v, ok := r.get(expVar); ok {
		names, origin = splitList(v), append(origin, expVar)
	} else if v, ok := r.get(otelVar); ok {
		for _, n := range splitList(v) {
			switch strings.ToLower(n) {
			case "otlp":
				names = append(names, otlp)
			case "console", "none":
				names = append(names, strings.ToLower(n))
			default:
				r.bad(otelVar, v, badValue("otlp, console, none", "unknown exporter %q", n), using)
				return def
			}
		}
		origin = append(origin, otelVar)
	} else {
		names = []string{otlp}
	}
	var urls []string
	if v, ok := r.get(urlVar); ok {
		urls, origin = splitList(v), append(origin, urlVar)
	}
	if len(urls) > len(names) {
		r.bad(urlVar, strings.Join(urls, ","), badValue("at most one endpoint per exporter",
			"%d endpoints for %d exporters (%s)", len(urls), len(names), strings.Join(names, ",")), using)
		return def
	}
	eps := make([]Endpoint, 0, len(names))
	for i, name := range names {
		u, uVar := "", urlVar
		if i < len(urls) {
			u = urls[i]
		}
		if u == "" && (strings.EqualFold(name, ExporterHTTP) || strings.EqualFold(name, ExporterGRPC)) {
			u, uVar = r.otlpEndpoint(sig, otelKind, strings.ToLower(name))
			if uVar != "" && !slices.Contains(origin, uVar) {
				origin = append(origin, uVar)
			}
		}
		if name == "" {
			r.bad(expVar, strings.Join(names, ","), badValue(allowedExporters(), "%v at position %d", errEmptyItem, i+1), using)
			return def
		}
		ep, err := ParseEndpoint(sig, name, u)
		if err != nil {
			variable, value := urlVar, u
			if !knownExporter(name) {
				variable, value = expVar, name
				if len(origin) > 0 && origin[0] == otelVar {
					variable = otelVar
				}
			} else if uVar != urlVar {
				variable, _ = r.get(uVar)
				variable, value = uVar, variable
			}
			r.bad(variable, value, err, using)
			return def
		}
		eps = append(eps, ep)
	}
	if err := checkNoneAlone(eps); err != nil {
		r.bad(expVar, strings.Join(names, ","), err, using)
		return def
	}
	if len(origin) > 0 {
		r.set(key, strings.Join(origin, ","))
	}
	return eps
}

// otlpEndpoint is the default URL of an http or grpc exporter from the
// OTEL_EXPORTER_OTLP_* variables, and the variable it came from.
func (r *envReader) otlpEndpoint(sig Signal, otelKind, exporter string) (string, string) {
	name := "OTEL_EXPORTER_OTLP_" + otelKind + "_ENDPOINT"
	if v, ok := r.get(name); ok {
		return v, name
	}
	if v, ok := r.get("OTEL_EXPORTER_OTLP_ENDPOINT"); ok {
		if exporter == ExporterHTTP {
			return fmt.Sprintf("%s/v1/%s", strings.TrimRight(v, "/"), sig), "OTEL_EXPORTER_OTLP_ENDPOINT"
		}
		return v, "OTEL_EXPORTER_OTLP_ENDPOINT"
	}
	return "", ""
}

// parseSDKLogLevel reads SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL: a level name
// (ParseLevel), or notset, which PyTango's PYTANGO_TELEMETRY_SDK_LOG_LEVEL
// accepts among Python's level names. PyTango sets that level on the
// OpenTelemetry SDK's named loggers, where Python's NOTSET defers to the
// parent logger: the SDK's messages show at the level they would have
// without the variable. So notset is the default level, warning, rather
// than debug (which would print what the default hides).
func parseSDKLogLevel(v string) (Level, error) {
	if strings.EqualFold(strings.TrimSpace(v), "notset") {
		return LevelWarning, nil
	}
	l, err := ParseLevel(v)
	if err != nil {
		return 0, badValue(allowedLevels+" (warn, fatal and notset accepted)", "unknown level %q", v)
	}
	return l, nil
}
