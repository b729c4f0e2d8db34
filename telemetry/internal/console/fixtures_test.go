package console

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// Fixed identifiers and times shared by the tests.
var (
	testTraceID  = trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	testSpanID   = trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7}
	testParentID = trace.SpanID{0x53, 0x99, 0x5c, 0x3f, 0x42, 0xcd, 0x8a, 0xd8}
	linkTraceID  = trace.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c}
	linkSpanID   = trace.SpanID{0xb7, 0xad, 0x6b, 0x71, 0x69, 0x20, 0x33, 0x31}

	// t0 has nanoseconds that round up to the next microsecond.
	t0 = time.Date(2024, time.May, 17, 9, 30, 0, 123456789, time.UTC)
	t1 = t0.Add(1500 * time.Microsecond)
	t2 = t0.Add(250 * time.Millisecond)
)

func spanContext(tid trace.TraceID, sid trace.SpanID, ts trace.TraceState) trace.SpanContext {
	return trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    tid,
		SpanID:     sid,
		TraceFlags: trace.FlagsSampled,
		TraceState: ts,
	})
}

func mustTraceState(t testing.TB, s string) trace.TraceState {
	t.Helper()
	ts, err := trace.ParseTraceState(s)
	if err != nil {
		t.Fatalf("parse trace state %q: %v", s, err)
	}
	return ts
}

// testResource has five attributes, as in the benchmark.
func testResource() *resource.Resource {
	return resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0",
		attribute.String("service.name", "checkout"),
		attribute.String("service.version", "1.4.2"),
		attribute.String("deployment.environment", "staging"),
		attribute.String("host.name", "node-7"),
		attribute.Int("process.pid", 4242),
	)
}

func rootSpan() sdktrace.ReadOnlySpan {
	return tracetest.SpanStub{
		Name:        "GET /cart",
		SpanContext: spanContext(testTraceID, testSpanID, trace.TraceState{}),
		SpanKind:    trace.SpanKindInternal,
		StartTime:   t0,
		EndTime:     t2,
		Attributes: []attribute.KeyValue{
			attribute.String("http.method", "GET"),
			attribute.Int("http.status_code", 200),
		},
		Resource: testResource(),
	}.Snapshot()
}

func childErrorSpan() sdktrace.ReadOnlySpan {
	return tracetest.SpanStub{
		Name:        "charge card",
		SpanContext: spanContext(testTraceID, testSpanID, trace.TraceState{}),
		Parent:      spanContext(testTraceID, testParentID, trace.TraceState{}),
		SpanKind:    trace.SpanKindServer,
		StartTime:   t0,
		EndTime:     t1,
		Status:      sdktrace.Status{Code: codes.Error, Description: "card declined: \"insufficient funds\""},
		Resource:    testResource(),
	}.Snapshot()
}

func eventsLinksSpan(t testing.TB) sdktrace.ReadOnlySpan {
	return tracetest.SpanStub{
		Name:        "publish",
		SpanContext: spanContext(testTraceID, testSpanID, trace.TraceState{}),
		Parent:      spanContext(testTraceID, testParentID, trace.TraceState{}),
		SpanKind:    trace.SpanKindProducer,
		StartTime:   t0,
		EndTime:     t2,
		Events: []sdktrace.Event{
			{Name: "retry", Time: t1, Attributes: []attribute.KeyValue{
				attribute.Int("attempt", 2),
				attribute.Float64("backoff.seconds", 0.5),
			}},
			{Name: "sent", Time: t2},
		},
		Links: []sdktrace.Link{
			{
				SpanContext: spanContext(linkTraceID, linkSpanID, mustTraceState(t, "vendor=abc")),
				Attributes:  []attribute.KeyValue{attribute.String("link.kind", "follows_from")},
			},
			{SpanContext: spanContext(linkTraceID, testParentID, trace.TraceState{})},
		},
		Resource: testResource(),
	}.Snapshot()
}

// allTypesAttributes holds one attribute of every kind, with the float and
// string edge cases.
func allTypesAttributes() []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.Bool("bool", true),
		attribute.Int64("int64", -9223372036854775808),
		attribute.Float64("float.whole", 1),
		attribute.Float64("float.frac", 3.25),
		attribute.Float64("float.small", 1e-7),
		attribute.Float64("float.big", 1e16),
		attribute.Float64("float.negzero", math.Copysign(0, -1)),
		attribute.Float64("float.nan", math.NaN()),
		attribute.Float64("float.inf", math.Inf(1)),
		attribute.Float64("float.neginf", math.Inf(-1)),
		attribute.String("string", "caf\u00e9 \U0001F600 <script>\"\\\n"),
		attribute.String("string.empty", ""),
		attribute.BoolSlice("bool.slice", []bool{true, false}),
		attribute.Int64Slice("int64.slice", []int64{1, -2, 3}),
		attribute.Float64Slice("float64.slice", []float64{1, 2.5, math.NaN()}),
		attribute.StringSlice("string.slice", []string{"a", "b"}),
		attribute.StringSlice("string.slice.empty", []string{}),
		attribute.ByteSlice("bytes", []byte("hello\x00")),
		attribute.Slice("slice", attribute.StringValue("x"), attribute.IntValue(1), attribute.SliceValue()),
		attribute.Map("map",
			attribute.String("b", "two"),
			attribute.Map("a", attribute.Bool("nested", true)),
		),
		{Key: "empty", Value: attribute.Value{}},
	}
}

func allTypesSpan() sdktrace.ReadOnlySpan {
	return tracetest.SpanStub{
		Name:        "types",
		SpanContext: spanContext(testTraceID, testSpanID, trace.TraceState{}),
		SpanKind:    trace.SpanKindClient,
		StartTime:   t0,
		EndTime:     t2,
		Attributes:  allTypesAttributes(),
		Status:      sdktrace.Status{Code: codes.Ok},
		Resource:    testResource(),
	}.Snapshot()
}

func traceStateSpan(t testing.TB) sdktrace.ReadOnlySpan {
	return tracetest.SpanStub{
		Name:        "trace state",
		SpanContext: spanContext(testTraceID, testSpanID, mustTraceState(t, `rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,quote=it's,both='"\`)),
		SpanKind:    trace.SpanKindConsumer,
		StartTime:   t0,
		EndTime:     t2,
		Resource:    resource.Empty(),
	}.Snapshot()
}

// captureExporter records what a LoggerProvider exports.
type captureExporter struct {
	mu      sync.Mutex
	records []sdklog.Record
}

func (c *captureExporter) Export(_ context.Context, rs []sdklog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range rs {
		c.records = append(c.records, rs[i].Clone())
	}
	return nil
}

func (*captureExporter) Shutdown(context.Context) error   { return nil }
func (*captureExporter) ForceFlush(context.Context) error { return nil }

// emitLogs runs each record through a real LoggerProvider and returns the
// SDK records it exports, all with testResource.
func emitLogs(t testing.TB, ctx context.Context, recs ...log.Record) []sdklog.Record {
	t.Helper()
	capture := &captureExporter{}
	lp := sdklog.NewLoggerProvider(
		sdklog.WithResource(testResource()),
		sdklog.WithProcessor(sdklog.NewSimpleProcessor(capture)),
	)
	logger := lp.Logger("console-test")
	for _, r := range recs {
		logger.Emit(ctx, r)
	}
	if err := lp.Shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown logger provider: %v", err)
	}
	return capture.records
}

func logRecord(body attribute.Value, sev log.Severity, text string, attrs ...attribute.KeyValue) log.Record {
	var r log.Record
	r.SetTimestamp(t0)
	r.SetObservedTimestamp(t1)
	r.SetBody(body)
	r.SetSeverity(sev)
	r.SetSeverityText(text)
	r.AddAttributes(attrs...)
	return r
}

// bodyKindLogs returns one record per body kind, emitted inside a span.
func bodyKindLogs(t testing.TB) []sdklog.Record {
	ctx := trace.ContextWithSpanContext(context.Background(),
		spanContext(testTraceID, testSpanID, trace.TraceState{}))
	event := logRecord(attribute.StringValue("user signed in"), log.SeverityInfo2, "INFO2",
		attribute.String("user.id", "u-1"))
	event.SetEventName("session.start")
	return emitLogs(t, ctx,
		logRecord(attribute.StringValue("hello \"world\"\n"), log.SeverityInfo, "INFO",
			allTypesAttributes()...),
		logRecord(attribute.Int64Value(42), log.SeverityDebug, "DEBUG"),
		logRecord(attribute.Float64Value(2), log.SeverityWarn, "WARN"),
		logRecord(attribute.BoolValue(false), log.SeverityError, "ERROR"),
		logRecord(attribute.ByteSliceValue([]byte{0xde, 0xad, 0xbe, 0xef}), log.SeverityFatal4, "FATAL4"),
		logRecord(attribute.SliceValue(
			attribute.StringValue("a"), attribute.Float64Value(0.1), attribute.MapValue(attribute.Int("n", 1)),
		), log.SeverityTrace, "TRACE"),
		logRecord(attribute.MapValue(
			attribute.String("message", "structured"),
			attribute.Slice("tags", attribute.StringValue("x"), attribute.StringValue("y")),
			attribute.Map("http", attribute.Int("status", 503), attribute.Float64("duration", 1.25)),
		), log.SeverityError2, "ERROR2"),
		logRecord(attribute.Value{}, log.SeverityInfo, "INFO"),
		event,
	)
}

// plainLog returns a record emitted outside any span, with no timestamp,
// severity or attributes.
func plainLog(t testing.TB) []sdklog.Record {
	var r log.Record
	r.SetObservedTimestamp(t2)
	r.SetBody(attribute.StringValue("no trace context"))
	return emitLogs(t, context.Background(), r)
}
