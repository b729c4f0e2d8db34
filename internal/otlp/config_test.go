package otlp

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   []string // substrings of the error; none for a valid config
	}{
		{"default", func(*Config) {}, nil},
		{"every interface, said so", func(c *Config) { c.GRPCAddr, c.HTTPAddr = "0.0.0.0:4317", "[::]:4318" }, nil},
		{"grpc disabled", func(c *Config) { c.GRPCAddr = "" }, nil},
		{"both port 0", func(c *Config) { c.GRPCAddr, c.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0" }, nil},
		{"no host", func(c *Config) { c.GRPCAddr = ":4317" }, []string{`GRPCAddr is ":4317"`, "host is empty", "0.0.0.0:4317"}},
		{"no port", func(c *Config) { c.HTTPAddr = "localhost" }, []string{`HTTPAddr is "localhost"`, "host:port"}},
		{"bad port", func(c *Config) { c.HTTPAddr = "127.0.0.1:http" }, []string{`HTTPAddr is "127.0.0.1:http"`, "between 0 and 65535"}},
		{"port too big", func(c *Config) { c.HTTPAddr = "127.0.0.1:70000" }, []string{"70000"}},
		{"both disabled", func(c *Config) { c.GRPCAddr, c.HTTPAddr = "", "" }, []string{"set at least one"}},
		{"same address", func(c *Config) { c.HTTPAddr = c.GRPCAddr }, []string{"use two addresses"}},
		{"zero bytes", func(c *Config) { c.MaxRequestBytes = 0 }, []string{"MaxRequestBytes is 0", "between 1 and"}},
		{"too many bytes", func(c *Config) { c.MaxRequestBytes = 2 << 30 }, []string{"MaxRequestBytes is 2147483648"}},
		{"zero items", func(c *Config) { c.MaxInFlightItems = 0 }, []string{"MaxInFlightItems is 0", "at least 1"}},
		{"zero retry", func(c *Config) { c.RetryAfter = 0 }, []string{"RetryAfter is 0s", "more than 0"}},
		{"long retry", func(c *Config) { c.RetryAfter = 2 * time.Hour }, []string{"RetryAfter is 2h0m0s", "at most 1h0m0s"}},
		{"in-flight bytes below a request", func(c *Config) { c.MaxInFlightBytes = c.MaxRequestBytes - 1 },
			[]string{"MaxInFlightBytes is 16777215", "at least MaxRequestBytes (16777216)", "at most 1099511627776 (1 TiB)"}},
		{"in-flight bytes equal to a request", func(c *Config) { c.MaxInFlightBytes = c.MaxRequestBytes }, nil},
		{"in-flight bytes too many", func(c *Config) { c.MaxInFlightBytes = 2 << 40 }, []string{"MaxInFlightBytes is 2199023255552"}},
		{"zero config", func(c *Config) { *c = Config{} }, []string{"set at least one", "MaxRequestBytes is 0", "MaxInFlightItems is 0", "MaxInFlightBytes is 0", "RetryAfter is 0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.change(&cfg)
			err := cfg.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want an error containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %q, want it to contain %q", err, w)
				}
			}
			if _, nerr := New(cfg, newFakeSink()); nerr == nil {
				t.Errorf("New accepted a config that Validate refuses")
			}
		})
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{time.Millisecond: "1", time.Second: "1", 1500 * time.Millisecond: "2", time.Minute: "60"} {
		if got := (Config{RetryAfter: d}).retryAfterSeconds(); got != want {
			t.Errorf("retryAfterSeconds(%v) = %s, want %s", d, got, want)
		}
	}
}

// TestStatsJSON checks the JSON names served at /api/stats.
func TestStatsJSON(t *testing.T) {
	r := startReceiver(t, testConfig(), newFakeSink())
	b, err := json.Marshal(r.Stats())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"traces":{"requests":{"grpc":0,"http":0}`, `"received_items"`, `"stored_items"`, `"rejected_items"`,
		`"refused_items":{"queue_full":0,"too_large":0,"malformed":0,"unsupported_media":0,"sink_error":0,"canceled":0,"memory":0,"forward_queue_full":0}`,
		`"refused_requests"`, `"logs"`, `"metrics":{"requests"`, `"http_unrouted_requests"`, `"in_flight_items":0`, `"max_in_flight_items":100000`,
		`"in_flight_bytes":0`, `"max_in_flight_bytes":268435456`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("Stats JSON %s lacks %s", b, key)
		}
	}
}

// TestOptions: the receiver traces itself on the given provider and logs a
// sink panic on the given logger.
func TestOptions(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	var logs bytes.Buffer
	var mu lockedWriter
	mu.w = &logs
	sink := newFakeSink()
	sink.set(sinkBehavior{reject: 1, message: "one bad"})
	r, err := New(testConfig(), sink, WithTracerProvider(tp), WithLogger(slog.New(slog.NewTextHandler(&mu, nil))), nil, WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	post(t, r, pathTraces, contentTypeProto, "", bytes.NewReader(tracesProto(t, 2)))
	sink.set(sinkBehavior{panic: "kaboom"})
	post(t, r, pathLogs, contentTypeProto, "", bytes.NewReader(logsProto(t, 1)))
	if err := r.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d self spans, want 2", len(spans))
	}
	s := spans[0]
	if s.Name() != "otlp.export traces" || s.InstrumentationScope().Name != scopeName {
		t.Errorf("span %q scope %q", s.Name(), s.InstrumentationScope().Name)
	}
	attrs := map[string]string{}
	for _, kv := range s.Attributes() {
		attrs[string(kv.Key)] = kv.Value.String()
	}
	if attrs["otlp.items"] != "2" || attrs["otlp.rejected"] != "1" || attrs["otlp.transport"] != "http" {
		t.Errorf("span attributes %v", attrs)
	}
	scopeAttrs := s.InstrumentationScope().Attributes
	if v, _ := scopeAttrs.Value("sightline.topic"); v.AsString() != "kernel" {
		t.Errorf("self spans are not of the kernel topic: %v", s.InstrumentationScope().Attributes)
	}
	if got := spans[1].Status().Description; !strings.Contains(got, "sink panicked: kaboom") {
		t.Errorf("panic span status %q", got)
	}
	if out := mu.String(); !strings.Contains(out, "sink panicked") || !strings.Contains(out, "kaboom") {
		t.Errorf("log %q lacks the sink panic", out)
	}
}
