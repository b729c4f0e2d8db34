package otlphttpenc_test

// Side by side, one run:
//
//	go test -run '^$' -bench Export -benchmem -count 6 ./telemetry/internal/otlphttpenc

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
)

// BenchmarkExport posts batches of 512 spans (the batch processor's
// default size) of otlpenc's benchmark shape to a loopback server that
// discards them, with this exporter and with the SDK's otlptracehttp,
// plain and gzipped.
func BenchmarkExport(b *testing.B) {
	const batch = 512
	spans := benchSpans(batch)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	b.Cleanup(srv.Close)
	url := srv.URL + "/v1/traces"

	for _, gzip := range []bool{false, true} {
		suffix := ""
		if gzip {
			suffix = "-gzip"
		}
		b.Run("otlphttpenc"+suffix, func(b *testing.B) {
			cfg := otlphttpenc.DefaultConfig(url)
			cfg.Gzip = gzip
			runExport(b, newExporter(b, cfg), spans)
		})
		b.Run("otlptracehttp"+suffix, func(b *testing.B) {
			var opts []otlptracehttp.Option
			if gzip {
				opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
			}
			runExport(b, sdkExporter(b, url, opts...), spans)
		})
	}
}

func runExport(b *testing.B, exp sdktrace.SpanExporter, spans []sdktrace.ReadOnlySpan) {
	ctx := context.Background()
	if err := exp.ExportSpans(ctx, spans); err != nil { // connect, fill pools
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := exp.ExportSpans(ctx, spans); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(spans)), "ns/span")
}

// benchSpans ends n spans of otlpenc's BenchmarkEncode shape (that of the
// console benchmark): 8 attributes of mixed types, one a string slice, 1
// event with 2 attributes, 1 link with 1 attribute, a resource with 5
// attributes, one scope.
func benchSpans(n int) []sdktrace.ReadOnlySpan {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithResource(
		resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0",
			attribute.String("service.name", "checkout"), attribute.String("service.version", "1.4.2"),
			attribute.String("deployment.environment", "staging"), attribute.String("host.name", "node-7"),
			attribute.Int("process.pid", 4242))))
	tracer := tp.Tracer("github.com/sightline-dev/sightline/httptrace", trace.WithInstrumentationVersion("0.1.0"))
	link := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{0x0a, 0xf7, 0x65}, SpanID: trace.SpanID{0xb7, 0xad},
		TraceFlags: trace.FlagsSampled, Remote: true})
	start := time.Date(2025, time.March, 4, 5, 6, 7, 0, time.UTC)
	for i := range n {
		_, s := tracer.Start(context.Background(), "GET /api/v1/orders/{id}", trace.WithSpanKind(trace.SpanKindServer),
			trace.WithTimestamp(start.Add(time.Duration(i)*time.Millisecond)),
			trace.WithLinks(trace.Link{SpanContext: link, Attributes: []attribute.KeyValue{attribute.String("link.kind", "follows_from")}}),
			trace.WithAttributes(
				attribute.String("http.request.method", "GET"),
				attribute.String("url.path", "/api/v1/orders/1234"),
				attribute.Int("http.response.status_code", 200),
				attribute.Int64("http.response.body.size", 5120),
				attribute.Float64("server.duration_ms", 41.75),
				attribute.Bool("user_agent.synthetic", false),
				attribute.String("client.address", "10.1.2.3"),
				attribute.StringSlice("http.request.header.accept", []string{"application/json", "text/plain"})))
		s.AddEvent("cache.miss", trace.WithTimestamp(start.Add(time.Duration(i)*time.Millisecond+time.Microsecond)),
			trace.WithAttributes(attribute.String("cache.key", "order:1234"), attribute.Int("cache.shard", 3)))
		s.End(trace.WithTimestamp(start.Add(time.Duration(i)*time.Millisecond + 42*time.Millisecond)))
	}
	return rec.Ended()
}
