package otlpenc_test

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// chooser makes the generator's choices: from a seeded PRNG in the property
// test, from the fuzzer's bytes in the fuzz test.
type chooser interface {
	// intn returns a number in [0, n); n > 0.
	intn(n int) int
}

type randChooser struct{ r *rand.Rand }

func (c randChooser) intn(n int) int { return c.r.IntN(n) }

// byteChooser reads choices from b, one byte each, and returns 0 once b is
// used up, so every input is a valid (and finite) span shape.
type byteChooser struct{ b []byte }

func (c *byteChooser) intn(n int) int {
	if len(c.b) == 0 {
		return 0
	}
	x := int(c.b[0])
	c.b = c.b[1:]
	return x % n
}

// gen builds batches of spans through real SDK TracerProviders.
type gen struct {
	c chooser
}

var words = []string{"", "a", "device", "bl12/motor/1", "ünïcødé ✓", "http.request.method",
	strings.Repeat("long-", 40), "x=y", "GET /api/v1/orders/{id}"}

func (g gen) word() string { return words[g.c.intn(len(words))] }

func (g gen) bool() bool { return g.c.intn(2) == 1 }

func (g gen) int64() int64 {
	vals := []int64{0, 1, -1, 127, 128, 300, math.MaxInt64, math.MinInt64, 1 << 40}
	return vals[g.c.intn(len(vals))]
}

func (g gen) float() float64 {
	vals := []float64{0, 1.5, -2.25, math.Inf(1), math.Inf(-1), 1e-300, math.MaxFloat64}
	return vals[g.c.intn(len(vals))]
}

// value returns a value of any attribute type; depth bounds nesting.
func (g gen) value(depth int) attribute.Value {
	n := 12
	if depth > 1 {
		n = 10 // no more nesting
	}
	switch g.c.intn(n) {
	case 0:
		return attribute.Value{} // EMPTY
	case 1:
		return attribute.BoolValue(g.bool())
	case 2:
		return attribute.Int64Value(g.int64())
	case 3:
		return attribute.Float64Value(g.float())
	case 4:
		return attribute.StringValue(g.word())
	case 5:
		return attribute.BoolSliceValue(slice(g, g.bool))
	case 6:
		return attribute.Int64SliceValue(slice(g, g.int64))
	case 7:
		return attribute.Float64SliceValue(slice(g, g.float))
	case 8:
		return attribute.StringSliceValue(slice(g, g.word))
	case 9:
		return attribute.ByteSliceValue([]byte(g.word()))
	case 10:
		vals := make([]attribute.Value, g.c.intn(8))
		for i := range vals {
			vals[i] = g.value(depth + 1)
		}
		return attribute.SliceValue(vals...)
	default:
		return attribute.MapValue(g.attrs(depth+1, 8)...)
	}
}

// slice returns up to 5 values of f, often none.
func slice[T any](g gen, f func() T) []T {
	s := make([]T, g.c.intn(6))
	for i := range s {
		s[i] = f()
	}
	return s
}

// attrs returns up to max-1 attributes of random types.
func (g gen) attrs(depth, max int) []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, g.c.intn(max))
	for i := range kvs {
		kvs[i] = attribute.KeyValue{Key: attribute.Key(g.word() + "k"), Value: g.value(depth)}
	}
	return kvs
}

func (g gen) traceState() trace.TraceState {
	var ts trace.TraceState
	for range g.c.intn(3) {
		ts, _ = ts.Insert([]string{"vendor", "rojo", "congo"}[g.c.intn(3)], []string{"x", "00f067aa0ba902b7", "t61rcWkgMzE"}[g.c.intn(3)])
	}
	return ts
}

func (g gen) spanContext(remote bool) trace.SpanContext {
	var tid trace.TraceID
	var sid trace.SpanID
	if g.c.intn(8) > 0 { // else the zero, invalid context
		tid = trace.TraceID{byte(g.c.intn(256)), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
		sid = trace.SpanID{byte(g.c.intn(256)), 2, 3, 4, 5, 6, 7, 8}
	}
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid,
		TraceFlags: trace.TraceFlags(g.c.intn(2)), TraceState: g.traceState(), Remote: remote})
}

// sampler samples, records only (flags 0) or records with a trace state,
// as the generator chose for the span (its first attribute).
type sampler struct{}

func (sampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	ts := trace.SpanContextFromContext(p.ParentContext).TraceState()
	if strings.HasSuffix(p.Name, "~record") {
		return sdktrace.SamplingResult{Decision: sdktrace.RecordOnly, Tracestate: ts}
	}
	if strings.HasSuffix(p.Name, "~state") {
		ts, _ = ts.Insert("sampler", "s1")
	}
	return sdktrace.SamplingResult{Decision: sdktrace.RecordAndSample, Tracestate: ts}
}

func (sampler) Description() string { return "test sampler" }

// t0 is the start of generated time; times before 1970 are generated too
// (the SDK sends them as 0).
var t0 = time.Date(2025, time.March, 4, 5, 6, 7, 891011121, time.UTC)

func (g gen) time() time.Time {
	switch g.c.intn(8) {
	case 0:
		return time.Date(1960, 1, 1, 0, 0, 0, 5, time.UTC)
	default:
		return t0.Add(time.Duration(g.c.intn(1<<8)) * time.Microsecond * 997)
	}
}

func (g gen) limit() int { return []int{-1, 0, 1, 2, 3, 128}[g.c.intn(6)] }

// batch ends between 1 and 24 spans started from 1 to 3 providers (each
// with its resource and span limits) and up to 3 tracers each, and returns
// them in the order they ended, as a span processor sees them.
func (g gen) batch() []sdktrace.ReadOnlySpan {
	rec := tracetest.NewSpanRecorder()
	var tracers []trace.Tracer
	for range 1 + g.c.intn(3) {
		res := resource.NewWithAttributes([]string{"", "https://a/1", "https://a/2"}[g.c.intn(3)], g.attrs(0, 6)...)
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithResource(res),
			sdktrace.WithRawSpanLimits(g.limits()), sdktrace.WithSampler(sampler{}))
		for range 1 + g.c.intn(3) {
			tracers = append(tracers, tp.Tracer(g.word(), trace.WithInstrumentationVersion(g.word()),
				trace.WithSchemaURL([]string{"", "https://s/1"}[g.c.intn(2)]),
				trace.WithInstrumentationAttributes(g.attrs(0, 3)...)))
		}
	}
	var open []trace.Span
	for range 1 + g.c.intn(24) {
		s := g.start(tracers, open)
		for range g.c.intn(4) {
			s.AddEvent(g.word(), trace.WithTimestamp(g.time()), trace.WithAttributes(g.attrs(0, 5)...))
		}
		s.SetStatus([]codes.Code{codes.Unset, codes.Ok, codes.Error}[g.c.intn(3)], g.word())
		s.SetAttributes(g.attrs(0, 3)...)
		open = append(open, s)
		if g.bool() {
			j := g.c.intn(len(open))
			open[j].End(trace.WithTimestamp(g.time()))
			open = append(open[:j], open[j+1:]...)
		}
	}
	for _, s := range open {
		s.End()
	}
	return rec.Ended()
}

// limits returns span limits of the generator's choosing.
func (g gen) limits() sdktrace.SpanLimits {
	return sdktrace.SpanLimits{
		AttributeValueLengthLimit: []int{-1, 4}[g.c.intn(2)], AttributeCountLimit: g.limit(),
		EventCountLimit: g.limit(), LinkCountLimit: g.limit(),
		AttributePerEventCountLimit: g.limit(), AttributePerLinkCountLimit: g.limit(),
	}
}

// start starts a span on one of tracers: a root, the child of a remote
// context or of one of the open spans, of any kind (unknown ones too),
// with attributes, a start time, links and a name that steers the test
// sampler.
func (g gen) start(tracers []trace.Tracer, open []trace.Span) trace.Span {
	ctx := context.Background()
	switch g.c.intn(3) {
	case 1:
		ctx = trace.ContextWithRemoteSpanContext(ctx, g.spanContext(true))
	case 2:
		if len(open) > 0 {
			ctx = trace.ContextWithSpan(ctx, open[g.c.intn(len(open))])
		}
	}
	opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKind(g.c.intn(7))),
		trace.WithAttributes(g.attrs(0, 6)...), trace.WithTimestamp(g.time())}
	for range g.c.intn(4) {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: g.spanContext(g.bool()), Attributes: g.attrs(0, 4)}))
	}
	name := g.word() + []string{"", "~record", "~state"}[g.c.intn(3)]
	_, s := tracers[g.c.intn(len(tracers))].Start(ctx, name, opts...)
	return s
}
