package telemetry

import (
	"reflect"
	"strings"
	"testing"
)

// TestPropertiesRoundTrip: what PropertiesFor writes, applyProperties reads
// back to the same setting.
func TestPropertiesRoundTrip(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Enabled = true
	cfg.Topics = Topics{Kernel: true}
	cfg.Logging = false
	cfg.TracingEndpoints = []Endpoint{{"console", "stderr"}, {"grpc", "grpcs://c:4317"}}
	cfg.LoggingEndpoints = []Endpoint{{"none", ""}}
	cfg.Sampler = Sampler{SamplerTraceIDRatio, 0.25}
	for _, key := range []string{KeyEnable, KeyTopics, KeyTypes, KeyTracingEndpoints, KeyLoggingEndpoints, KeySampler} {
		props := PropertiesFor(cfg, key)
		if props == nil {
			t.Fatalf("no properties for %s", key)
		}
		var ps problems
		got, src := applyProperties(DefaultConfig(), defaultSources(), props, &ps)
		if len(ps) > 0 {
			t.Fatalf("%s: properties %v: %v", key, props, ps.err())
		}
		if got.Value(key) != cfg.Value(key) {
			t.Errorf("%s: round trip gave %q, want %q (properties %v)", key, got.Value(key), cfg.Value(key), props)
		}
		if src[key].Source != SourceProperty {
			t.Errorf("%s: origin %v", key, src[key])
		}
	}
	if PropertiesFor(cfg, KeyPropagators) != nil {
		t.Error("propagators have no property key")
	}
}

func TestPropertyProblems(t *testing.T) {
	tests := []struct {
		props map[string][]string
		want  string
	}{
		{map[string][]string{"telemetry_enable": {"sometimes"}}, `property telemetry_enable="sometimes": not a boolean`},
		{map[string][]string{"telemetry_enable": {"on", "off"}}, "want exactly one value, got 2"},
		{map[string][]string{"telemetry_topics": {"user", "gpu"}}, `unknown topic "gpu"`},
		{map[string][]string{"telemetry_types": {"metrics"}}, `unknown type "metrics"`},
		{map[string][]string{"telemetry_sampler": {"2"}}, "outside [0,1]"},
		{map[string][]string{"telemetry_tracing_exporters": {"kafka"}}, `property telemetry_tracing_exporters="kafka": unknown exporter`},
		{map[string][]string{"telemetry_tracing_exporters": {"http"}, "telemetry_tracing_endpoints": {"ftp://x:1"}}, `property telemetry_tracing_endpoints="ftp://x:1"`},
		{map[string][]string{"telemetry_logging_endpoints": {"a", "b"}}, "2 endpoints for 1 exporters"},
		{map[string][]string{"telemetry_colour": {"blue"}}, "unknown telemetry property"},
	}
	for _, tt := range tests {
		var ps problems
		got, _ := applyProperties(DefaultConfig(), defaultSources(), tt.props, &ps)
		if len(ps) != 1 || !strings.Contains(ps[0].Error(), tt.want) {
			t.Errorf("%v: problems %v, want one containing %q", tt.props, ps, tt.want)
		}
		if !reflect.DeepEqual(got, DefaultConfig()) {
			t.Errorf("%v: a bad property changed the config: %+v", tt.props, got)
		}
	}
	var ps problems
	if _, _ = applyProperties(DefaultConfig(), defaultSources(), map[string][]string{"device_serial": {"x"}}, &ps); len(ps) != 0 {
		t.Errorf("free-form key reported: %v", ps)
	}
}
