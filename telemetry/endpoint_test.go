package telemetry

import (
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		sig           Signal
		exporter, url string
		want          Endpoint
		errContains   string
	}{
		{SignalTraces, "Console", "", Endpoint{"console", "stdout"}, ""},
		{SignalTraces, "console", "CERR", Endpoint{"console", "stderr"}, ""},
		{SignalLogs, "http", "https://c.example", Endpoint{"http", "https://c.example/v1/logs"}, ""},
		{SignalTraces, "http", "http://c:4318/", Endpoint{"http", "http://c:4318/v1/traces"}, ""},
		{SignalTraces, "grpc", "grpcs://c:4317", Endpoint{"grpc", "grpcs://c:4317"}, ""},
		{SignalTraces, "grpc", "https://c:4317/", Endpoint{"grpc", "https://c:4317"}, ""},
		{SignalTraces, "file", "file:///tmp/x-{pid}.jsonl", Endpoint{"file", "/tmp/x-{pid}.jsonl"}, ""},
		{SignalTraces, "none", "", Endpoint{"none", ""}, ""},
		{SignalTraces, "file", "/tmp/a,b.jsonl", Endpoint{}, "contains a comma"},
		{SignalTraces, "http", "http://c:99999", Endpoint{}, "bad port"},
		{SignalTraces, "http", "http://user:pw@c:1", Endpoint{}, "user info"},
		{SignalTraces, "http", "http://c:1/x?q=1", Endpoint{}, "a query"},
		{SignalTraces, "grpc", "grpc://c:1/path", Endpoint{}, "has a path"},
		{SignalTraces, "zipkin", "http://c:1", Endpoint{}, `unknown exporter "zipkin"`},
		{SignalTraces, testMem, "a/b", Endpoint{}, "not a name"},
		{SignalTraces, "TestMem", "", Endpoint{testMem, "default"}, ""},
	}
	for _, tt := range tests {
		got, err := ParseEndpoint(tt.sig, tt.exporter, tt.url)
		if tt.errContains != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errContains) {
				t.Errorf("ParseEndpoint(%q, %q) error = %v, want %q", tt.exporter, tt.url, err, tt.errContains)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseEndpoint(%q, %q) = %v, %v; want %v", tt.exporter, tt.url, got, err, tt.want)
		}
	}
}
