package telemetry

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func envOf(kv ...string) Getenv {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func ep(exporter, url string) Endpoint { return Endpoint{Exporter: exporter, URL: url} }

// TestFromEnvValues checks the value every variable produces.
func TestFromEnvValues(t *testing.T) {
	def := DefaultConfig()
	tests := []struct {
		name   string
		env    []string
		check  func(Config) any
		want   any
		key    string // setting whose origin is checked
		origin string // variable named in the origin
	}{
		{"default off", nil, func(c Config) any { return c.Enabled }, false, KeyEnable, ""},
		{"enable on", []string{"SIGHTLINE_TELEMETRY_ENABLE", "on"}, func(c Config) any { return c.Enabled }, true, KeyEnable, "SIGHTLINE_TELEMETRY_ENABLE"},
		{"enable TRUE", []string{"SIGHTLINE_TELEMETRY_ENABLE", "TRUE"}, func(c Config) any { return c.Enabled }, true, KeyEnable, "SIGHTLINE_TELEMETRY_ENABLE"},
		{"enable empty is unset", []string{"SIGHTLINE_TELEMETRY_ENABLE", " "}, func(c Config) any { return c.Enabled }, false, KeyEnable, ""},
		{"sdk disabled", []string{"OTEL_SDK_DISABLED", "true"}, func(c Config) any { return c.Enabled }, false, KeyEnable, "OTEL_SDK_DISABLED"},
		{"sightline wins over sdk disabled", []string{"OTEL_SDK_DISABLED", "true", "SIGHTLINE_TELEMETRY_ENABLE", "1"},
			func(c Config) any { return c.Enabled }, true, KeyEnable, "SIGHTLINE_TELEMETRY_ENABLE"},
		{"service name", []string{"SIGHTLINE_TELEMETRY_SERVICE_NAME", "motor"}, func(c Config) any { return c.ServiceName }, "motor", KeyServiceName, "SIGHTLINE_TELEMETRY_SERVICE_NAME"},
		{"otel service name", []string{"OTEL_SERVICE_NAME", "scan"}, func(c Config) any { return c.ServiceName }, "scan", KeyServiceName, "OTEL_SERVICE_NAME"},
		{"sightline service name wins", []string{"OTEL_SERVICE_NAME", "scan", "SIGHTLINE_TELEMETRY_SERVICE_NAME", "motor"},
			func(c Config) any { return c.ServiceName }, "motor", KeyServiceName, "SIGHTLINE_TELEMETRY_SERVICE_NAME"},
		{"types tracing", []string{"SIGHTLINE_TELEMETRY_TYPES", "tracing"}, func(c Config) any { return [2]bool{c.Tracing, c.Logging} }, [2]bool{true, false}, KeyTypes, "SIGHTLINE_TELEMETRY_TYPES"},
		{"types none", []string{"SIGHTLINE_TELEMETRY_TYPES", "none"}, func(c Config) any { return [2]bool{c.Tracing, c.Logging} }, [2]bool{false, false}, KeyTypes, "SIGHTLINE_TELEMETRY_TYPES"},
		{"topics all", []string{"SIGHTLINE_TELEMETRY_TOPICS", "all"}, func(c Config) any { return c.Topics }, Topics{true, true}, KeyTopics, "SIGHTLINE_TELEMETRY_TOPICS"},
		{"topics kernel", []string{"SIGHTLINE_TELEMETRY_TOPICS", "kernel"}, func(c Config) any { return c.Topics }, Topics{false, true}, KeyTopics, "SIGHTLINE_TELEMETRY_TOPICS"},
		{"topics user,kernel", []string{"SIGHTLINE_TELEMETRY_TOPICS", "user, kernel"}, func(c Config) any { return c.Topics }, Topics{true, true}, KeyTopics, "SIGHTLINE_TELEMETRY_TOPICS"},
		{"default endpoints", nil, func(c Config) any { return c.TracingEndpoints }, def.TracingEndpoints, KeyTracingEndpoints, ""},
		{"console pairs", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "console,grpc", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", "cerr,grpc://collector:4317"},
			func(c Config) any { return c.TracingEndpoints }, []Endpoint{ep("console", "stderr"), ep("grpc", "grpc://collector:4317")},
			KeyTracingEndpoints, "SIGHTLINE_TELEMETRY_TRACING_EXPORTERS,SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS"},
		{"missing endpoint takes default", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "file,console,http"},
			func(c Config) any { return c.TracingEndpoints },
			[]Endpoint{ep("file", "sightline-traces-{pid}.jsonl"), ep("console", "stdout"), ep("http", "http://127.0.0.1:4318/v1/traces")},
			KeyTracingEndpoints, "SIGHTLINE_TELEMETRY_TRACING_EXPORTERS"},
		{"http path kept", []string{"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS", "http", "SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS", "https://c.example:443/otlp/v1/logs"},
			func(c Config) any { return c.LoggingEndpoints }, []Endpoint{ep("http", "https://c.example:443/otlp/v1/logs")}, KeyLoggingEndpoints, ""},
		{"http path added for logs", []string{"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS", "http", "SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS", "http://c:4318"},
			func(c Config) any { return c.LoggingEndpoints }, []Endpoint{ep("http", "http://c:4318/v1/logs")}, KeyLoggingEndpoints, ""},
		{"otel traces exporter", []string{"OTEL_TRACES_EXPORTER", "otlp,console"},
			func(c Config) any { return c.TracingEndpoints }, []Endpoint{ep("http", "http://127.0.0.1:4318/v1/traces"), ep("console", "stdout")},
			KeyTracingEndpoints, "OTEL_TRACES_EXPORTER"},
		{"otel grpc protocol", []string{"OTEL_TRACES_EXPORTER", "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"},
			func(c Config) any { return c.TracingEndpoints }, []Endpoint{ep("grpc", "http://c:4317")},
			KeyTracingEndpoints, "OTEL_TRACES_EXPORTER,OTEL_EXPORTER_OTLP_ENDPOINT"},
		{"otel base endpoint gets signal path", []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/base/"},
			func(c Config) any { return c.LoggingEndpoints }, []Endpoint{ep("http", "http://c:4318/base/v1/logs")},
			KeyLoggingEndpoints, "OTEL_EXPORTER_OTLP_ENDPOINT"},
		{"otel signal endpoint as given", []string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:9/x", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://other:1"},
			func(c Config) any { return c.TracingEndpoints }, []Endpoint{ep("http", "http://c:9/x")},
			KeyTracingEndpoints, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"},
		{"sightline exporters win over otel", []string{"OTEL_TRACES_EXPORTER", "console", "SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", testMem, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", "t1"},
			func(c Config) any { return c.TracingEndpoints }, []Endpoint{ep(testMem, "t1")}, KeyTracingEndpoints, ""},
		{"otel logs none", []string{"OTEL_LOGS_EXPORTER", "none"}, func(c Config) any { return c.LoggingEndpoints }, []Endpoint{ep("none", "")}, KeyLoggingEndpoints, "OTEL_LOGS_EXPORTER"},
		{"span processor", []string{"SIGHTLINE_TELEMETRY_SPAN_PROCESSOR", "Batch"}, func(c Config) any { return c.SpanProcessor }, "batch", KeySpanProcessor, "SIGHTLINE_TELEMETRY_SPAN_PROCESSOR"},
		{"sampler ratio", []string{"SIGHTLINE_TELEMETRY_SAMPLER", "0.25"}, func(c Config) any { return c.Sampler }, RatioSampler(0.25), KeySampler, "SIGHTLINE_TELEMETRY_SAMPLER"},
		{"sampler name:ratio", []string{"SIGHTLINE_TELEMETRY_SAMPLER", "traceidratio:0.5"}, func(c Config) any { return c.Sampler }, Sampler{SamplerTraceIDRatio, 0.5}, KeySampler, ""},
		{"sampler name", []string{"SIGHTLINE_TELEMETRY_SAMPLER", "always_off"}, func(c Config) any { return c.Sampler }, Sampler{SamplerAlwaysOff, 1}, KeySampler, ""},
		{"otel sampler", []string{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0.1"},
			func(c Config) any { return c.Sampler }, RatioSampler(0.1), KeySampler, "OTEL_TRACES_SAMPLER"},
		{"sightline sampler wins", []string{"OTEL_TRACES_SAMPLER", "always_off", "SIGHTLINE_TELEMETRY_SAMPLER", "1"},
			func(c Config) any { return c.Sampler }, RatioSampler(1), KeySampler, "SIGHTLINE_TELEMETRY_SAMPLER"},
		{"level", []string{"SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL", "fatal"}, func(c Config) any { return c.SDKLogLevel }, LevelCritical, KeySDKLogLevel, ""},
		{"level off", []string{"SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL", "OFF"}, func(c Config) any { return c.SDKLogLevel }, LevelOff, KeySDKLogLevel, ""},
		{"protocol json", []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"}, func(c Config) any { return c.OTLPJSON }, true, KeyOTLPProtocol, ""},
		{"headers", []string{"OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%20b, x=1"}, func(c Config) any { return c.OTLPHeaders },
			map[string]string{"api-key": "a b", "x": "1"}, KeyOTLPHeaders, "OTEL_EXPORTER_OTLP_HEADERS"},
		{"resource attributes", []string{"OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=beamline%2012,team=optics"},
			func(c Config) any { return c.ResourceAttributes }, map[string]string{"deployment.environment": "beamline 12", "team": "optics"}, KeyResourceAttributes, ""},
		{"propagators", []string{"OTEL_PROPAGATORS", "b3,tracecontext"}, func(c Config) any { return c.Propagators }, []string{"b3", "tracecontext"}, KeyPropagators, ""},
		{"detectors", []string{"OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "process,host"}, func(c Config) any { return c.ResourceDetectors }, []string{"process", "host"}, KeyResourceDetectors, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, src, err := FromEnv(envOf(tt.env...))
			if err != nil {
				t.Fatalf("FromEnv: unexpected error %v", err)
			}
			if got := tt.check(cfg); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
			if err := cfg.Validate(); err != nil {
				t.Errorf("FromEnv returned an invalid config: %v", err)
			}
			o := src[tt.key]
			if tt.origin != "" && (o.Source != SourceEnv || o.Name != tt.origin) {
				t.Errorf("origin of %s = %+v, want env %s", tt.key, o, tt.origin)
			}
			if len(tt.env) == 0 && o.Source != SourceDefault {
				t.Errorf("origin of %s = %+v, want default", tt.key, o)
			}
		})
	}
}

// TestFromEnvProblems checks that every bad value is reported with the
// variable, the value and what is allowed, and that only that setting falls
// back to its default.
func TestFromEnvProblems(t *testing.T) {
	def := DefaultConfig()
	tests := []struct {
		name     string
		env      []string
		variable string
		contains []string // in the problem's text
		check    func(Config) bool
	}{
		{"enable", []string{"SIGHTLINE_TELEMETRY_ENABLE", "maybe"}, "SIGHTLINE_TELEMETRY_ENABLE",
			[]string{`"maybe"`, "not a boolean", "allowed: on, off", "using the default off"}, func(c Config) bool { return !c.Enabled }},
		{"sdk disabled", []string{"OTEL_SDK_DISABLED", "yesplease"}, "OTEL_SDK_DISABLED",
			[]string{`"yesplease"`, "allowed: true, false"}, func(c Config) bool { return !c.Enabled }},
		{"unknown exporter", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "console,jaeger"}, "SIGHTLINE_TELEMETRY_TRACING_EXPORTERS",
			[]string{`"jaeger"`, `unknown exporter "jaeger"`, "allowed: console, file, http, grpc, memory, spansonly.test, testmem, none", "using the default http http://127.0.0.1:4318/v1/traces"},
			func(c Config) bool { return reflect.DeepEqual(c.TracingEndpoints, def.TracingEndpoints) }},
		{"malformed url", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "http", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", "http//nohost"}, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS",
			[]string{`"http//nohost"`, "scheme", "allowed: a URL with scheme http, https"}, nil},
		{"url without host", []string{"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS", "http", "SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS", "http://"}, "SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS",
			[]string{"has no host"}, func(c Config) bool { return reflect.DeepEqual(c.LoggingEndpoints, def.LoggingEndpoints) }},
		{"grpc without port", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "grpc", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", "grpc://collector"}, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS",
			[]string{"has no port"}, nil},
		{"grpc bad scheme", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "grpc", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", "tcp://c:1"}, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS",
			[]string{`scheme "tcp"`, "grpc, grpcs, http, https"}, nil},
		{"console bad stream", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "console", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", "stdlog"}, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS",
			[]string{`"stdlog"`, "allowed: stdout, stderr, cout, cerr"}, nil},
		{"registered exporter bad url", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", testMem, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", "a b"}, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS",
			[]string{"not a name", "allowed: a name of letters, digits"}, nil},
		{"more endpoints than exporters", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "console", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", "stdout,stderr"}, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS",
			[]string{"2 endpoints for 1 exporters (console)", "allowed: at most one endpoint per exporter"}, nil},
		{"none mixed", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "none,console"}, "SIGHTLINE_TELEMETRY_TRACING_EXPORTERS",
			[]string{"none mixed with other exporters"}, nil},
		{"empty exporter item", []string{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "console,,http"}, "SIGHTLINE_TELEMETRY_TRACING_EXPORTERS",
			[]string{"empty item in list at position 2"}, nil},
		{"otel exporter unknown", []string{"OTEL_TRACES_EXPORTER", "zipkin"}, "OTEL_TRACES_EXPORTER",
			[]string{`unknown exporter "zipkin"`, "allowed: otlp, console, none"}, nil},
		{"otel endpoint bad", []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://c:1"}, "OTEL_EXPORTER_OTLP_ENDPOINT",
			[]string{`OTEL_EXPORTER_OTLP_ENDPOINT="ftp://c:1"`, `scheme "ftp"`}, nil},
		{"unknown topic", []string{"SIGHTLINE_TELEMETRY_TOPICS", "user,driver"}, "SIGHTLINE_TELEMETRY_TOPICS",
			[]string{`unknown topic "driver"`, "allowed: user, kernel, all, none", "using the default user"},
			func(c Config) bool { return c.Topics == Topics{User: true} }},
		{"unknown type", []string{"SIGHTLINE_TELEMETRY_TYPES", "tracing,metrics"}, "SIGHTLINE_TELEMETRY_TYPES",
			[]string{`unknown type "metrics"`, "allowed: tracing, logging, none"}, func(c Config) bool { return c.Tracing && c.Logging }},
		{"unknown level", []string{"SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL", "verbose"}, "SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL",
			[]string{`unknown level "verbose"`, "allowed: debug, info, warning, error, critical, off"}, func(c Config) bool { return c.SDKLogLevel == LevelWarning }},
		{"span processor", []string{"SIGHTLINE_TELEMETRY_SPAN_PROCESSOR", "async"}, "SIGHTLINE_TELEMETRY_SPAN_PROCESSOR",
			[]string{`"async"`, "allowed: simple, batch"}, func(c Config) bool { return c.SpanProcessor == "" }},
		{"ratio above 1", []string{"SIGHTLINE_TELEMETRY_SAMPLER", "1.5"}, "SIGHTLINE_TELEMETRY_SAMPLER",
			[]string{"ratio 1.5 is outside [0,1]", "allowed: a number from 0 to 1"}, func(c Config) bool { return c.Sampler == def.Sampler }},
		{"ratio negative", []string{"SIGHTLINE_TELEMETRY_SAMPLER", "-0.1"}, "SIGHTLINE_TELEMETRY_SAMPLER", []string{"outside [0,1]"}, nil},
		{"ratio NaN", []string{"SIGHTLINE_TELEMETRY_SAMPLER", "NaN"}, "SIGHTLINE_TELEMETRY_SAMPLER", []string{"outside [0,1]"}, nil},
		{"unknown sampler", []string{"SIGHTLINE_TELEMETRY_SAMPLER", "jaeger_remote"}, "SIGHTLINE_TELEMETRY_SAMPLER",
			[]string{`unknown sampler "jaeger_remote"`, "parentbased_traceidratio"}, nil},
		{"otel sampler arg bad", []string{"OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "2"}, "OTEL_TRACES_SAMPLER_ARG",
			[]string{"ratio 2 is outside [0,1]"}, nil},
		{"otel sampler arg not number", []string{"OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "half"}, "OTEL_TRACES_SAMPLER_ARG",
			[]string{`ratio "half" is not a number`}, nil},
		{"otel sampler unknown", []string{"OTEL_TRACES_SAMPLER", "xray"}, "OTEL_TRACES_SAMPLER", []string{`unknown sampler "xray"`}, nil},
		{"protocol", []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "thrift"}, "OTEL_EXPORTER_OTLP_PROTOCOL",
			[]string{`unknown protocol "thrift"`, "allowed: grpc, http/protobuf, http/json"}, func(c Config) bool { return !c.OTLPJSON }},
		{"headers", []string{"OTEL_EXPORTER_OTLP_HEADERS", "api-key"}, "OTEL_EXPORTER_OTLP_HEADERS", []string{`"api-key" is not key=value`}, nil},
		{"resource attributes encoding", []string{"OTEL_RESOURCE_ATTRIBUTES", "a=%zz"}, "OTEL_RESOURCE_ATTRIBUTES", []string{"not percent-encoded"},
			func(c Config) bool { return c.ResourceAttributes == nil }},
		{"propagator", []string{"OTEL_PROPAGATORS", "tracecontext,w3c"}, "OTEL_PROPAGATORS",
			[]string{`unknown propagator "w3c"`, "b3multi"}, func(c Config) bool { return reflect.DeepEqual(c.Propagators, def.Propagators) }},
		{"detector", []string{"OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "process,gpu"}, "OTEL_EXPERIMENTAL_RESOURCE_DETECTORS",
			[]string{`unknown resource detector "gpu"`, "process, host, os, container"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := FromEnv(envOf(tt.env...))
			var ce *ConfigError
			want := 1
			if strings.HasPrefix(tt.variable, "OTEL_EXPORTER_OTLP_ENDPOINT") {
				want = 2 // one for traces, one for logs
			}
			if !errors.As(err, &ce) || len(ce.Problems) != want {
				t.Fatalf("want %d problem(s), got %v", want, err)
			}
			p := ce.Problems[0]
			if p.Setting != tt.variable {
				t.Errorf("problem names %q, want %q", p.Setting, tt.variable)
			}
			for _, s := range tt.contains {
				if !strings.Contains(p.Error(), s) {
					t.Errorf("problem text %q lacks %q", p.Error(), s)
				}
			}
			if err := cfg.Validate(); err != nil {
				t.Errorf("config after a problem is invalid: %v", err)
			}
			if tt.check != nil && !tt.check(cfg) {
				t.Errorf("the setting did not fall back to its default: %+v", cfg)
			}
		})
	}
}

// TestFromEnvManyProblems checks that every problem is listed, and the good
// settings beside them are kept.
func TestFromEnvManyProblems(t *testing.T) {
	cfg, _, err := FromEnv(envOf(
		"SIGHTLINE_TELEMETRY_ENABLE", "on",
		"SIGHTLINE_TELEMETRY_TOPICS", "bogus",
		"SIGHTLINE_TELEMETRY_SAMPLER", "7",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "console",
	))
	var ce *ConfigError
	if !errors.As(err, &ce) || len(ce.Problems) != 2 {
		t.Fatalf("want 2 problems, got %v", err)
	}
	if !cfg.Enabled || cfg.TracingEndpoints[0] != ep("console", "stdout") {
		t.Errorf("good settings were not kept: %+v", cfg)
	}
	msg := err.Error()
	for _, s := range []string{"2 problems", "SIGHTLINE_TELEMETRY_TOPICS", "SIGHTLINE_TELEMETRY_SAMPLER"} {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q lacks %q", msg, s)
		}
	}
	var p Problem
	if !errors.As(err, &p) {
		t.Error("errors.As does not find a Problem in a ConfigError")
	}
}
