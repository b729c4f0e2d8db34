package otlphttpenc_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
)

// testSpans ends n spans through a real TracerProvider: one resource, two
// scopes, every kind, attributes of every type, an event, a link with
// trace state, error status on some, a remote parent on some.
func testSpans(n int) []sdktrace.ReadOnlySpan {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithResource(
		resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0",
			attribute.String("service.name", "checkout"), attribute.Int("process.pid", 4242))))
	tracers := []trace.Tracer{
		tp.Tracer("github.com/sightline-dev/sightline/httptrace", trace.WithInstrumentationVersion("0.1.0")),
		tp.Tracer("plan", trace.WithInstrumentationAttributes(attribute.String("scope.kind", "engine"))),
	}
	ts, _ := trace.ParseTraceState("vendor=abc,other=1")
	link := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{0x0a, 0xf7}, SpanID: trace.SpanID{0xb7},
		TraceFlags: trace.FlagsSampled, TraceState: ts, Remote: true})
	start := time.Date(2025, time.March, 4, 5, 6, 7, 0, time.UTC)
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

// decode reads an ExportTraceServiceRequest.
func decode(t testing.TB, body []byte) ptrace.Traces {
	t.Helper()
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err != nil {
		t.Fatalf("decode request of %d bytes: %v", len(body), err)
	}
	return req.Traces()
}

// asJSON is td in OTLP-JSON, for comparing and printing.
func asJSON(t testing.TB, td ptrace.Traces) string {
	t.Helper()
	b, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newExporter builds an exporter of cfg and shuts it down at the end.
func newExporter(t testing.TB, cfg otlphttpenc.Config) *otlphttpenc.Exporter {
	t.Helper()
	e, err := otlphttpenc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	return e
}

// fastRetry is DefaultConfig(url) with 1 ms backoff, so that retries are
// quick on a real network.
func fastRetry(url string) otlphttpenc.Config {
	cfg := otlphttpenc.DefaultConfig(url)
	cfg.Retry.InitialInterval, cfg.Retry.MaxInterval = time.Millisecond, time.Millisecond
	return cfg
}
