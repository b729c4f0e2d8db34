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

// BenchmarkSpanExport measures the console exporter and the SDK's
// stdouttrace exporter on the same span, each on its own (time, bytes and
// allocations per span).
func BenchmarkSpanExport(b *testing.B) {
	for _, be := range benchExporters(b) {
		b.Run(be.name, func(b *testing.B) { benchmarkExport(b, be.exp) })
	}
}

// BenchmarkSpanExportSpeedup runs the two exporters alternately, in chunks
// of 256 spans, within one benchmark, so both see the same machine at the
// same time, and reports how many times faster per span the console
// exporter is as the metric "x_faster" (the target is at least 4; see
// docs/performance.md), with each one's time per span. Each op is one
// span through each. A timing, not a test: the race detector and a loaded
// machine distort it, so CI does not assert it.
func BenchmarkSpanExportSpeedup(b *testing.B) {
	exps := benchExporters(b)
	console, std := exps[0].exp, exps[1].exp
	spans := []sdktrace.ReadOnlySpan{benchSpan()}
	ctx := context.Background()
	run := func(exp sdktrace.SpanExporter, n int) time.Duration {
		start := time.Now()
		for range n {
			if err := exp.ExportSpans(ctx, spans); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	var consoleTime, stdTime time.Duration
	b.ReportAllocs()
	for done := 0; done < b.N; {
		n := min(256, b.N-done)
		if done%512 == 0 { // alternate which goes first
			consoleTime += run(console, n)
			stdTime += run(std, n)
		} else {
			stdTime += run(std, n)
			consoleTime += run(console, n)
		}
		done += n
	}
	b.ReportMetric(float64(stdTime)/float64(consoleTime), "x_faster")
	b.ReportMetric(float64(consoleTime.Nanoseconds())/float64(b.N), "console-ns/span")
	b.ReportMetric(float64(stdTime.Nanoseconds())/float64(b.N), "stdouttrace-ns/span")
}
