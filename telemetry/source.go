package telemetry

// Source says which layer gave a setting its effective value. Layers, lowest
// first: default, env, code, property, runtime.
type Source string

// The configuration layers.
const (
	SourceDefault  Source = "default"
	SourceEnv      Source = "env"
	SourceCode     Source = "code"
	SourceProperty Source = "property"
	SourceRuntime  Source = "runtime"
)

// Origin is where one setting came from: the layer and, for env and
// property, the variable or property name.
type Origin struct {
	Source Source `json:"source"`
	Name   string `json:"name,omitempty"`
}

// Setting keys, as Status reports them.
const (
	KeyEnable             = "enable"
	KeyServiceName        = "service_name"
	KeyTypes              = "types"
	KeyTopics             = "topics"
	KeyTracingEndpoints   = "tracing_endpoints"
	KeyLoggingEndpoints   = "logging_endpoints"
	KeySpanProcessor      = "span_processor"
	KeySampler            = "sampler"
	KeySDKLogLevel        = "sdk_log_level"
	KeyOTLPProtocol       = "otlp_protocol"
	KeyOTLPExporter       = "otlp_exporter"
	KeyOTLPHeaders        = "otlp_headers"
	KeyResourceAttributes = "resource_attributes"
	KeyPropagators        = "propagators"
	KeyResourceDetectors  = "resource_detectors"
	KeyInFlight           = "inflight"
	KeyInFlightThreshold  = "inflight_threshold"
	KeyInFlightInterval   = "inflight_interval"
)

// Sources maps each setting key to its origin.
type Sources map[string]Origin

func defaultSources() Sources {
	s := Sources{}
	for _, k := range []string{KeyEnable, KeyServiceName, KeyTypes, KeyTopics, KeyTracingEndpoints,
		KeyLoggingEndpoints, KeySpanProcessor, KeySampler, KeySDKLogLevel, KeyOTLPProtocol, KeyOTLPExporter, KeyOTLPHeaders,
		KeyResourceAttributes, KeyPropagators, KeyResourceDetectors, KeyInFlight, KeyInFlightThreshold,
		KeyInFlightInterval} {
		s[k] = Origin{Source: SourceDefault}
	}
	return s
}

func (s Sources) clone() Sources {
	c := make(Sources, len(s))
	for k, v := range s {
		c[k] = v
	}
	return c
}
