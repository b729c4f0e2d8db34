package otlpenctest

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// BatchSize is the SDK's default export batch (the batch processors'
// max export batch size), the size the benchmarks use.
const BatchSize = 512

// start is when the first span or record of every generator begins; the
// next ones follow a millisecond apart.
var start = time.Date(2025, time.March, 4, 5, 6, 7, 0, time.UTC)

// schemaURL is the resources' schema URL.
const schemaURL = "https://opentelemetry.io/schemas/1.26.0"

// benchResource is the benchmarks' resource: 5 attributes.
func benchResource() *resource.Resource {
	return resource.NewWithAttributes(schemaURL,
		attribute.String("service.name", "checkout"), attribute.String("service.version", "1.4.2"),
		attribute.String("deployment.environment", "staging"), attribute.String("host.name", "node-7"),
		attribute.Int("process.pid", 4242))
}

// Spans ends n spans through a real TracerProvider, for tests: one
// resource, two scopes, every kind, attributes of every type, an event, a
// link with trace state, error status on some, a remote parent on some.
func Spans(n int) []sdktrace.ReadOnlySpan {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithResource(
		resource.NewWithAttributes(schemaURL,
			attribute.String("service.name", "checkout"), attribute.Int("process.pid", 4242))))
	tracers := []trace.Tracer{
		tp.Tracer("github.com/sightline-dev/sightline/httptrace", trace.WithInstrumentationVersion("0.1.0")),
		tp.Tracer("plan", trace.WithInstrumentationAttributes(attribute.String("scope.kind", "engine"))),
	}
	ts, _ := trace.ParseTraceState("vendor=abc,other=1")
	link := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{0x0a, 0xf7}, SpanID: trace.SpanID{0xb7},
		TraceFlags: trace.FlagsSampled, TraceState: ts, Remote: true})
	for i := range n {
		ctx := context.Background()
		if i%3 == 0 {
			ctx = trace.ContextWithRemoteSpanContext(ctx, link)
		}
		_, s := tracers[i%2].Start(ctx, fmt.Sprintf("op %d", i%7), trace.WithSpanKind(trace.SpanKind(i%6)),
			trace.WithTimestamp(start.Add(time.Duration(i)*time.Millisecond)),
			trace.WithLinks(trace.Link{SpanContext: link, Attributes: []attribute.KeyValue{attribute.String("link.kind", "follows_from")}}),
			trace.WithAttributes(
				attribute.String("url.path", "/api/v1/orders/1234"), attribute.Int("status", 200),
				attribute.Float64("duration_ms", 41.75), attribute.Bool("synthetic", i%2 == 0),
				attribute.StringSlice("accept", []string{"application/json", "text/plain"}),
				attribute.Int64Slice("shape", []int64{3, 4}), attribute.BoolSlice("flags", []bool{true}),
				attribute.Float64Slice("pos", []float64{1.5, -2})))
		s.AddEvent("cache.miss", trace.WithTimestamp(start.Add(time.Duration(i)*time.Millisecond+time.Microsecond)),
			trace.WithAttributes(attribute.String("cache.key", "order:1234"), attribute.Int("cache.shard", 3)))
		if i%4 == 1 {
			s.SetStatus(codes.Error, "timed out")
		}
		s.End(trace.WithTimestamp(start.Add(time.Duration(i)*time.Millisecond + 42*time.Millisecond)))
	}
	return rec.Ended()
}

// BenchSpans ends n spans of the benchmarks' shape (that of the console
// encoder's benchmark) through a real TracerProvider: 8 attributes of
// mixed types, the last a string slice (a string when scalarOnly), 1
// event with 2 attributes, 1 link with 1 attribute, a resource with 5
// attributes, one scope.
func BenchSpans(n int, scalarOnly bool) []sdktrace.ReadOnlySpan {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithResource(benchResource()))
	tracer := tp.Tracer("github.com/sightline-dev/sightline/httptrace", trace.WithInstrumentationVersion("0.1.0"))
	link := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{0x0a, 0xf7, 0x65}, SpanID: trace.SpanID{0xb7, 0xad},
		TraceFlags: trace.FlagsSampled, Remote: true})
	last := attribute.StringSlice("http.request.header.accept", []string{"application/json", "text/plain"})
	if scalarOnly {
		last = attribute.String("http.request.header.accept", "application/json")
	}
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
				last))
		s.AddEvent("cache.miss", trace.WithTimestamp(start.Add(time.Duration(i)*time.Millisecond+time.Microsecond)),
			trace.WithAttributes(attribute.String("cache.key", "order:1234"), attribute.Int("cache.shard", 3)))
		s.End(trace.WithTimestamp(start.Add(time.Duration(i)*time.Millisecond + 42*time.Millisecond)))
	}
	return rec.Ended()
}
