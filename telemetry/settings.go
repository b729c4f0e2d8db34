package telemetry

import (
	"errors"
	"maps"
	"slices"
	"strings"
)

// settingKeys lists the setting keys in the order Status shows them.
var settingKeys = []string{KeyEnable, KeyServiceName, KeyTypes, KeyTopics, KeyTracingEndpoints,
	KeyLoggingEndpoints, KeySpanProcessor, KeySyncExportTimeout, KeyTracesExportTimeout, KeyLogsExportTimeout,
	KeyInFlight, KeyInFlightThreshold, KeyInFlightInterval, KeySampler, KeySDKLogLevel, KeyOTLPProtocol, KeyOTLPExporter, KeyOTLPHeaders, KeyResourceAttributes, KeyPropagators,
	KeyResourceDetectors}

// settingValue renders one setting of cfg as text.
func settingValue(cfg Config, key string) string {
	switch key {
	case KeyEnable:
		return onOff(cfg.Enabled)
	case KeyServiceName:
		return cfg.ServiceName
	case KeyTypes:
		var t []string
		if cfg.Tracing {
			t = append(t, "tracing")
		}
		if cfg.Logging {
			t = append(t, "logging")
		}
		if t == nil {
			return "none"
		}
		return strings.Join(t, ",")
	case KeyTopics:
		return cfg.Topics.String()
	case KeyTracingEndpoints:
		return endpointsText(cfg.TracingEndpoints)
	case KeyLoggingEndpoints:
		return endpointsText(cfg.LoggingEndpoints)
	case KeySpanProcessor:
		if cfg.SpanProcessor == "" {
			return "auto"
		}
		return cfg.SpanProcessor
	case KeySyncExportTimeout:
		return cfg.syncTimeout().String()
	case KeyTracesExportTimeout:
		return cfg.batchTimeout(SignalTraces).String()
	case KeyLogsExportTimeout:
		return cfg.batchTimeout(SignalLogs).String()
	case KeyInFlight:
		return string(cfg.inFlight().Mode)
	case KeyInFlightThreshold:
		return cfg.inFlight().Threshold.String()
	case KeyInFlightInterval:
		return cfg.inFlight().Interval.String()
	case KeySampler:
		return cfg.Sampler.String()
	case KeySDKLogLevel:
		return cfg.SDKLogLevel.String()
	case KeyOTLPProtocol:
		if cfg.OTLPJSON {
			return "http/json"
		}
		return "http/protobuf"
	case KeyOTLPExporter:
		return cfg.otlpExporter()
	case KeyOTLPHeaders:
		return pairsText(cfg.OTLPHeaders, true)
	case KeyResourceAttributes:
		return pairsText(cfg.ResourceAttributes, false)
	case KeyPropagators:
		return strings.Join(cfg.Propagators, ",")
	case KeyResourceDetectors:
		return strings.Join(cfg.ResourceDetectors, ",")
	}
	return ""
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func endpointsText(eps []Endpoint) string {
	s := make([]string, len(eps))
	for i, e := range eps {
		s[i] = e.String()
	}
	return strings.Join(s, ", ")
}

// pairsText renders a map sorted by key; header values are hidden (they
// often hold credentials).
func pairsText(m map[string]string, hideValues bool) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := m[k]
		if hideValues {
			v = "***"
		}
		parts[i] = k + "=" + v
	}
	return strings.Join(parts, ",")
}

// clone returns a deep copy.
func (c Config) clone() Config {
	c.TracingEndpoints = slices.Clone(c.TracingEndpoints)
	c.LoggingEndpoints = slices.Clone(c.LoggingEndpoints)
	c.OTLPHeaders = maps.Clone(c.OTLPHeaders)
	c.ResourceAttributes = maps.Clone(c.ResourceAttributes)
	c.Propagators = slices.Clone(c.Propagators)
	c.ResourceDetectors = slices.Clone(c.ResourceDetectors)
	return c
}

// applyCode runs the WithConfig functions. Keys they change get source
// code; if the result is invalid, the problems are reported and the code
// layer is ignored.
func applyCode(cfg Config, src Sources, fns []func(*Config), ps *problems) (Config, Sources) {
	if len(fns) == 0 {
		return cfg, src
	}
	next := cfg.clone()
	for _, f := range fns {
		f(&next)
	}
	if err := next.Validate(); err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			for _, p := range ce.Problems {
				p.Setting = "WithConfig: " + p.Setting
				p.Using = "the configuration from the environment"
				ps.add(p)
			}
		}
		return cfg, src
	}
	src = src.clone()
	for _, k := range settingKeys {
		if settingValue(cfg, k) != settingValue(next, k) {
			src[k] = Origin{Source: SourceCode}
		}
	}
	return next, src
}

// Setting is one effective setting as Status shows it.
type Setting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Origin Origin `json:"origin"`
}

func settingsOf(cfg Config, src Sources) []Setting {
	out := make([]Setting, 0, len(settingKeys))
	for _, k := range settingKeys {
		o, ok := src[k]
		if !ok {
			o = Origin{Source: SourceDefault}
		}
		out = append(out, Setting{Key: k, Value: settingValue(cfg, k), Origin: o})
	}
	return out
}

// Value renders the setting named by key (one of the Key* constants) as
// text, the form Status and Change show.
func (c Config) Value(key string) string { return settingValue(c, key) }

// PropertiesFor returns the stored properties that hold the setting named by
// key in cfg, for persisting a runtime change: enable, topics, types,
// tracing_endpoints, logging_endpoints, sampler, inflight,
// inflight_threshold and inflight_interval have property keys; other
// settings give nil.
func PropertiesFor(cfg Config, key string) map[string][]string {
	switch key {
	case KeyEnable:
		return map[string][]string{PropEnable: {onOff(cfg.Enabled)}}
	case KeyTopics:
		return map[string][]string{PropTopics: cfg.Topics.List()}
	case KeyTypes:
		return map[string][]string{PropTypes: strings.Split(settingValue(cfg, KeyTypes), ",")}
	case KeyTracingEndpoints:
		return endpointProperties(cfg.TracingEndpoints, PropTracingExporters, PropTracingEndpoints)
	case KeyLoggingEndpoints:
		return endpointProperties(cfg.LoggingEndpoints, PropLoggingExporters, PropLoggingEndpoints)
	case KeySampler:
		return map[string][]string{PropSampler: {cfg.Sampler.String()}}
	case KeyInFlight:
		return map[string][]string{PropInFlight: {settingValue(cfg, key)}}
	case KeyInFlightThreshold:
		return map[string][]string{PropInFlightThreshold: {settingValue(cfg, key)}}
	case KeyInFlightInterval:
		return map[string][]string{PropInFlightInterval: {settingValue(cfg, key)}}
	}
	return nil
}

func endpointProperties(eps []Endpoint, expKey, urlKey string) map[string][]string {
	exps := make([]string, len(eps))
	urls := make([]string, len(eps))
	for i, e := range eps {
		exps[i], urls[i] = e.Exporter, e.URL
	}
	if len(eps) == 1 && eps[0].Exporter == ExporterNone {
		urls = nil
	}
	return map[string][]string{expKey: exps, urlKey: urls}
}
