package otlpenctest

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"
)

// Keep is a log processor that keeps a copy of every record emitted
// through its LoggerProvider, in emission order, as an exporting processor
// would get them. Its zero value is ready; it is safe for concurrent use.
type Keep struct {
	mu      sync.Mutex
	records []sdklog.Record
}

// Records is the records kept so far.
func (k *Keep) Records() []sdklog.Record {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.records
}

// OnEmit keeps a clone of r.
func (k *Keep) OnEmit(_ context.Context, r *sdklog.Record) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.records = append(k.records, r.Clone())
	return nil
}

// Enabled is true: every record is kept.
func (k *Keep) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }

// Shutdown does nothing.
func (k *Keep) Shutdown(context.Context) error { return nil }

// ForceFlush does nothing.
func (k *Keep) ForceFlush(context.Context) error { return nil }

// Records emits n records through a real LoggerProvider, for tests: one
// resource, two scopes, every severity, a map body, an event name,
// attributes of several kinds, half in a span's context.
func Records(n int) []sdklog.Record {
	keep := &Keep{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(keep), sdklog.WithResource(
		resource.NewWithAttributes(schemaURL, attribute.String("service.name", "checkout"))))
	loggers := []log.Logger{lp.Logger("plan"), lp.Logger("remote", log.WithInstrumentationVersion("0.1.0"))}
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1, 2}, SpanID: trace.SpanID{3}, TraceFlags: trace.FlagsSampled})
	for i := range n {
		ctx := context.Background()
		if i%2 == 0 {
			ctx = trace.ContextWithSpanContext(ctx, sc)
		}
		var r log.Record
		r.SetTimestamp(start.Add(time.Duration(i) * time.Millisecond))
		r.SetObservedTimestamp(start.Add(time.Duration(i)*time.Millisecond + time.Microsecond))
		r.SetSeverity(log.Severity(1 + i%24))
		r.SetSeverityText("WARN")
		r.SetEventName("scan.point")
		r.SetBody(attribute.MapValue(attribute.String("msg", "moved"), attribute.Float64("pos", 1.5), attribute.Int64Slice("ids", []int64{int64(i)})))
		r.AddAttributes(attribute.String("device", "motor1"), attribute.Int("point", i), attribute.Bool("ok", i%3 == 0), attribute.StringSlice("tags", []string{"a", "b"}))
		loggers[i%2].Emit(ctx, r)
	}
	return keep.Records()
}

// BenchRecords emits n records of the benchmarks' shape through a real
// LoggerProvider, as the slog bridge writes them: a string body, 5
// attributes (string, int, float, bool, string), severity number and
// text, and the trace context of a sampled span; a resource with 5
// attributes, one scope.
func BenchRecords(n int) []sdklog.Record {
	keep := &Keep{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(keep), sdklog.WithResource(benchResource()))
	logger := lp.Logger("github.com/sightline-dev/sightline/telemetry", log.WithInstrumentationVersion("0.1.0"))
	for i := range n {
		ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: trace.TraceID{0x0a, 0xf7, 0x65, byte(i)}, SpanID: trace.SpanID{0xb7, 0xad, byte(i)},
			TraceFlags: trace.FlagsSampled}))
		var r log.Record
		r.SetTimestamp(start.Add(time.Duration(i) * time.Millisecond))
		r.SetObservedTimestamp(start.Add(time.Duration(i)*time.Millisecond + time.Microsecond))
		r.SetSeverity(log.SeverityInfo)
		r.SetSeverityText("INFO")
		r.SetBody(attribute.StringValue("order lookup finished"))
		r.AddAttributes(
			attribute.String("order.id", "1234"),
			attribute.Int("http.response.status_code", 200),
			attribute.Float64("server.duration_ms", 41.75),
			attribute.Bool("cache.hit", false),
			attribute.String("client.address", "10.1.2.3"))
		logger.Emit(ctx, r)
	}
	return keep.Records()
}

// BridgeRecords emits n records through a real LoggerProvider, as the
// slog bridge writes them, varied: a string body (a string slice on
// some), 5 attributes of mixed types, severity number and text, an event
// name on some and the trace context of a sampled span on most; a
// resource with 5 attributes, two scopes.
func BridgeRecords(n int) []sdklog.Record {
	keep := &Keep{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(keep), sdklog.WithResource(benchResource()))
	loggers := []log.Logger{
		lp.Logger("github.com/sightline-dev/sightline/telemetry", log.WithInstrumentationVersion("0.1.0")),
		lp.Logger("plan", log.WithInstrumentationAttributes(attribute.String("scope.kind", "engine"))),
	}
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
	return keep.Records()
}
