package otlpgrpcenc_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpgrpcenc"
)

// The generators below are otlphttpenc's testSpans and benchSpans and
// otlpenc's benchLogs (test files cannot be shared between packages).

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

// captureProcessor keeps a copy of every record emitted through a
// LoggerProvider, in emission order.
type captureProcessor struct {
	mu      sync.Mutex
	records []sdklog.Record
}

func (p *captureProcessor) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }

func (p *captureProcessor) OnEmit(_ context.Context, r *sdklog.Record) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.records = append(p.records, r.Clone())
	return nil
}

func (p *captureProcessor) Shutdown(context.Context) error   { return nil }
func (p *captureProcessor) ForceFlush(context.Context) error { return nil }

// testLogs emits n records through a real LoggerProvider, as the slog
// bridge writes them: a string body (a string slice on some), 5 attributes of
// mixed types, severity number and text, an event name on some and the
// trace context of a sampled span on most; a resource with 5 attributes,
// two scopes.
func testLogs(n int) []sdklog.Record {
	capture := new(captureProcessor)
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(capture), sdklog.WithResource(
		resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0",
			attribute.String("service.name", "checkout"), attribute.String("service.version", "1.4.2"),
			attribute.String("deployment.environment", "staging"), attribute.String("host.name", "node-7"),
			attribute.Int("process.pid", 4242))))
	loggers := []log.Logger{
		lp.Logger("github.com/sightline-dev/sightline/telemetry", log.WithInstrumentationVersion("0.1.0")),
		lp.Logger("plan", log.WithInstrumentationAttributes(attribute.String("scope.kind", "engine"))),
	}
	start := time.Date(2025, time.March, 4, 5, 6, 7, 0, time.UTC)
	for i := range n {
		ctx := context.Background()
		if i%5 != 4 {
			ctx = trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
				TraceID: trace.TraceID{0x0a, 0xf7, 0x65, byte(i)}, SpanID: trace.SpanID{0xb7, 0xad, byte(i)},
				TraceFlags: trace.FlagsSampled}))
		}
		var r log.Record
		r.SetTimestamp(start.Add(time.Duration(i) * time.Millisecond))
		r.SetObservedTimestamp(start.Add(time.Duration(i)*time.Millisecond + time.Microsecond))
		r.SetSeverity(log.SeverityInfo + log.Severity(i%3))
		r.SetSeverityText("INFO")
		if i%7 == 3 {
			r.SetEventName("order.lookup")
			r.SetBody(attribute.StringSliceValue([]string{"order", "1234"}))
		} else {
			r.SetBody(attribute.StringValue("order lookup finished"))
		}
		r.AddAttributes(
			attribute.String("order.id", "1234"),
			attribute.Int("http.response.status_code", 200),
			attribute.Float64("server.duration_ms", 41.75),
			attribute.Bool("cache.hit", i%2 == 0),
			attribute.String("client.address", "10.1.2.3"))
		loggers[i%2].Emit(ctx, r)
	}
	return capture.records
}

// newExporter and newLogExporter build an exporter of cfg and shut it down
// at the end of the test.
func newExporter(t testing.TB, cfg otlpgrpcenc.Config) *otlpgrpcenc.Exporter {
	t.Helper()
	e, err := otlpgrpcenc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	return e
}

func newLogExporter(t testing.TB, cfg otlpgrpcenc.Config) *otlpgrpcenc.LogExporter {
	t.Helper()
	e, err := otlpgrpcenc.NewLog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	return e
}

// fastRetry is DefaultConfig(url) with 1 ms backoff, so that retries are
// quick on a real network.
func fastRetry(url string) otlpgrpcenc.Config {
	cfg := otlpgrpcenc.DefaultConfig(url)
	cfg.Retry.InitialInterval, cfg.Retry.MaxInterval = time.Millisecond, time.Millisecond
	return cfg
}

// encodeSpansForTest is spans as otlpenc encodes them, decoded by pdata.
func encodeSpansForTest(t testing.TB, spans []sdktrace.ReadOnlySpan) ptrace.Traces {
	t.Helper()
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(otlpenc.AppendTraces(nil, spans)); err != nil {
		t.Fatal(err)
	}
	return req.Traces()
}

// newLogExporterErr is NewLog's error, shutting down what it built.
func newLogExporterErr(cfg otlpgrpcenc.Config) (*otlpgrpcenc.LogExporter, error) {
	e, err := otlpgrpcenc.NewLog(cfg)
	if err == nil {
		_ = e.Shutdown(context.Background())
	}
	return e, err
}
