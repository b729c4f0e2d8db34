package otlpenc_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
)

// benchBatchSize is the SDK's default batch (BatchSpanProcessor's
// max export batch size).
const benchBatchSize = 512

// benchBatch ends benchBatchSize spans of the console benchmark's shape
// through a real TracerProvider: 8 attributes of mixed types (one a string
// slice, unless scalarOnly), 1 event with 2 attributes, 1 link with 1
// attribute, a resource with 5 attributes, one scope.
func benchBatch(scalarOnly bool) []sdktrace.ReadOnlySpan {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithResource(
		resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0",
			attribute.String("service.name", "checkout"), attribute.String("service.version", "1.4.2"),
			attribute.String("deployment.environment", "staging"), attribute.String("host.name", "node-7"),
			attribute.Int("process.pid", 4242))))
	tracer := tp.Tracer("github.com/sightline-dev/sightline/httptrace", trace.WithInstrumentationVersion("0.1.0"))
	link := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{0x0a, 0xf7, 0x65}, SpanID: trace.SpanID{0xb7, 0xad},
		TraceFlags: trace.FlagsSampled, Remote: true})
	last := attribute.StringSlice("http.request.header.accept", []string{"application/json", "text/plain"})
	if scalarOnly {
		last = attribute.String("http.request.header.accept", "application/json")
	}
	start := time.Date(2025, time.March, 4, 5, 6, 7, 0, time.UTC)
	for i := range benchBatchSize {
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
				last))
		s.AddEvent("cache.miss", trace.WithTimestamp(start.Add(time.Duration(i)*time.Millisecond+time.Microsecond)),
			trace.WithAttributes(attribute.String("cache.key", "order:1234"), attribute.Int("cache.shard", 3)))
		s.End(trace.WithTimestamp(start.Add(time.Duration(i)*time.Millisecond + 42*time.Millisecond)))
	}
	return rec.Ended()
}

// TestSDKMirror checks that the benchmarks' copy of the SDK's transform
// builds the request the SDK's exporter sends, byte for byte, so that
// timing it times the SDK's work.
func TestSDKMirror(t *testing.T) {
	spans := benchBatch(false)
	got, err := proto.Marshal(sdkRequest(spans))
	if err != nil {
		t.Fatal(err)
	}
	if want := newSDKPath(t, true).encode(t, spans); !bytes.Equal(got, want) {
		t.Fatalf("the mirror of the SDK's transform differs from the SDK's exporter (%d vs %d bytes)", len(got), len(want))
	}
}

// TestAppendTracesAllocs checks that an Encoder reusing its buffer does not
// allocate for spans with scalar attributes, and allocates once per slice
// attribute (the SDK's accessor copies the slice) otherwise.
func TestAppendTracesAllocs(t *testing.T) {
	for _, tt := range []struct {
		name       string
		scalarOnly bool
		want       float64
	}{{"scalar", true, 0}, {"string slice", false, benchBatchSize}} {
		t.Run(tt.name, func(t *testing.T) {
			spans := benchBatch(tt.scalarOnly)
			var enc otlpenc.Encoder
			buf := enc.AppendTraces(nil, spans)
			if got := testing.AllocsPerRun(20, func() { buf = enc.AppendTraces(buf[:0], spans) }); got > tt.want {
				t.Fatalf("%v allocations per batch of %d spans, want at most %v", got, benchBatchSize, tt.want)
			}
		})
	}
}

// BenchmarkEncode times one batch of 512 spans (reported per span as
// ns/span, and per batch as ns/op, B/op and allocs/op) through:
//
//   - otlpenc: Encoder.AppendTraces into a reused buffer;
//   - otlpenc-scalar: the same with the string-slice attribute a string;
//   - sdk-transform+marshal: what the SDK's exporters do before sending:
//     build the generated request (their transform) and proto.Marshal it;
//   - sdk-marshal: proto.Marshal alone, of a request built once;
//   - sdk-otlptracehttp: the SDK's otlptracehttp ExportSpans to a loopback
//     server that discards the body (transform, marshal and HTTP).
//
// Run: go test -run '^$' -bench BenchmarkEncode -benchtime 2s ./telemetry/internal/otlpenc/
func BenchmarkEncode(b *testing.B) {
	spans, scalar := benchBatch(false), benchBatch(true)
	perSpan := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchBatchSize), "ns/span")
	}
	b.Run("otlpenc", func(b *testing.B) {
		var enc otlpenc.Encoder
		buf := enc.AppendTraces(nil, spans)
		b.ReportAllocs()
		for b.Loop() {
			buf = enc.AppendTraces(buf[:0], spans)
		}
		b.SetBytes(int64(len(buf)))
		perSpan(b)
	})
	b.Run("otlpenc-scalar", func(b *testing.B) {
		var enc otlpenc.Encoder
		buf := enc.AppendTraces(nil, scalar)
		b.ReportAllocs()
		for b.Loop() {
			buf = enc.AppendTraces(buf[:0], scalar)
		}
		b.SetBytes(int64(len(buf)))
		perSpan(b)
	})
	b.Run("sdk-transform+marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := proto.Marshal(sdkRequest(spans)); err != nil {
				b.Fatal(err)
			}
		}
		perSpan(b)
	})
	b.Run("sdk-marshal", func(b *testing.B) {
		req := sdkRequest(spans)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := proto.Marshal(req); err != nil {
				b.Fatal(err)
			}
		}
		perSpan(b)
	})
	b.Run("sdk-otlptracehttp", func(b *testing.B) {
		p := newSDKPath(b, false)
		b.ReportAllocs()
		for b.Loop() {
			if err := p.exp.ExportSpans(context.Background(), spans); err != nil {
				b.Fatal(err)
			}
		}
		perSpan(b)
	})
}
