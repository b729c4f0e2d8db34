package console

import (
	"context"
	"io"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// benchSpan is a typical server span: 8 attributes of mixed types (one of
// them a string slice), 1 event, 1 link and a resource with 5 attributes.
func benchSpan() sdktrace.ReadOnlySpan {
	return tracetest.SpanStub{
		Name:        "GET /api/v1/orders/{id}",
		SpanContext: spanContext(testTraceID, testSpanID, trace.TraceState{}),
		Parent:      spanContext(testTraceID, testParentID, trace.TraceState{}),
		SpanKind:    trace.SpanKindServer,
		StartTime:   t0,
		EndTime:     t0.Add(42 * time.Millisecond),
		Attributes: []attribute.KeyValue{
			attribute.String("http.request.method", "GET"),
			attribute.String("url.path", "/api/v1/orders/1234"),
			attribute.Int("http.response.status_code", 200),
			attribute.Int64("http.response.body.size", 5120),
			attribute.Float64("server.duration_ms", 41.75),
			attribute.Bool("user_agent.synthetic", false),
			attribute.String("client.address", "10.1.2.3"),
			attribute.StringSlice("http.request.header.accept", []string{"application/json", "text/plain"}),
		},
		Events: []sdktrace.Event{{
			Name: "cache.miss",
			Time: t1,
			Attributes: []attribute.KeyValue{
				attribute.String("cache.key", "order:1234"),
				attribute.Int("cache.shard", 3),
			},
		}},
		Links: []sdktrace.Link{{
			SpanContext: spanContext(linkTraceID, linkSpanID, trace.TraceState{}),
			Attributes:  []attribute.KeyValue{attribute.String("link.kind", "follows_from")},
		}},
		Resource: testResource(),
	}.Snapshot()
}

// benchExporters are the two exporters compared, each writing to
// io.Discard with its default options.
func benchExporters(tb testing.TB) []struct {
	name string
	exp  sdktrace.SpanExporter
} {
	std, err := stdouttrace.New(stdouttrace.WithWriter(io.Discard))
	if err != nil {
		tb.Fatalf("stdouttrace.New: %v", err)
	}
	return []struct {
		name string
		exp  sdktrace.SpanExporter
	}{
		{"console", NewSpanExporter(io.Discard)},
		{"stdouttrace", std},
	}
}

func benchmarkExport(b *testing.B, exp sdktrace.SpanExporter) {
	spans := []sdktrace.ReadOnlySpan{benchSpan()}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := exp.ExportSpans(ctx, spans); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSpanExport compares the console exporter with the SDK's
// stdouttrace exporter on the same span. The stdouttrace line also reports
// the console exporter's speed-up over it, as the x_console_speedup metric
// (TestSpanExportSpeedup asserts it is at least 4).
func BenchmarkSpanExport(b *testing.B) {
	var consoleNs float64
	for _, be := range benchExporters(b) {
		b.Run(be.name, func(b *testing.B) {
			benchmarkExport(b, be.exp)
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if be.name == "console" {
				consoleNs = ns
			} else if consoleNs > 0 {
				b.ReportMetric(ns/consoleNs, "x_console_speedup")
			}
		})
	}
}

// TestSpanExportSpeedup requires the console exporter to be at least 4x
// faster per span than stdouttrace. It is skipped with -short and under the
// race detector, which distort timings.
func TestSpanExportSpeedup(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing test: skipped with -short and -race")
	}
	results := map[string]testing.BenchmarkResult{}
	for _, be := range benchExporters(t) {
		results[be.name] = testing.Benchmark(func(b *testing.B) { benchmarkExport(b, be.exp) })
	}
	c, s := results["console"], results["stdouttrace"]
	ratio := float64(s.NsPerOp()) / float64(c.NsPerOp())
	t.Logf("console:     %s %s", c, c.MemString())
	t.Logf("stdouttrace: %s %s", s, s.MemString())
	t.Logf("speed-up: %.1fx", ratio)
	if ratio < 4 {
		t.Fatalf("console exporter is only %.1fx faster than stdouttrace, want at least 4x", ratio)
	}
}
