package leanspan_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// gen draws the random parts of an equivalence script.
type gen struct {
	r    *rand.Rand
	wide bool // keys from a large set, long batches: exercises map-based dedupe
}

var strs = []string{
	"", "x", "abc", "abcdefghij", "héllo wörld ✓", "ab\xffcd\xfeef", "\xff\xfe", "a\uFFFDb\uFFFDc",
	"日本語のテキスト", "0123456789abcdefghijklmnopqrstuvwxyz",
}

func (g gen) str() string { return strs[g.r.IntN(len(strs))] }

func (g gen) key() string {
	if g.r.IntN(25) == 0 {
		return "" // invalid
	}
	if g.wide {
		return fmt.Sprintf("k%d", g.r.IntN(150))
	}
	return string(rune('a' + g.r.IntN(12)))
}

func (g gen) attrs(maxN int) []attribute.KeyValue {
	n := g.r.IntN(maxN + 1)
	if n == 0 {
		return nil
	}
	out := make([]attribute.KeyValue, n)
	for i := range out {
		out[i] = g.attr(3)
	}
	return out
}

func (g gen) attr(depth int) attribute.KeyValue {
	return attribute.KeyValue{Key: attribute.Key(g.key()), Value: g.value(depth)}
}

func (g gen) value(depth int) attribute.Value {
	kinds := 14
	if depth <= 0 {
		kinds = 12 // no further nesting
	}
	switch g.r.IntN(kinds) {
	case 0:
		return attribute.BoolValue(g.r.IntN(2) == 0)
	case 1:
		return attribute.IntValue(g.r.IntN(1000) - 500)
	case 2:
		return attribute.Int64Value(g.r.Int64())
	case 3:
		return attribute.Float64Value(g.r.NormFloat64())
	case 4, 5:
		return attribute.StringValue(g.str())
	case 6:
		return attribute.BoolSliceValue([]bool{true, false, g.r.IntN(2) == 0}[:g.r.IntN(4)])
	case 7:
		return attribute.Int64SliceValue([]int64{1, g.r.Int64(), -3}[:g.r.IntN(4)])
	case 8:
		return attribute.Float64SliceValue([]float64{1.5, g.r.Float64()}[:g.r.IntN(3)])
	case 9:
		ss := make([]string, g.r.IntN(4))
		for i := range ss {
			ss[i] = g.str()
		}
		return attribute.StringSliceValue(ss)
	case 10:
		return attribute.ByteSliceValue([]byte(g.str()))
	case 11:
		return attribute.Value{} // EMPTY
	case 12:
		vs := make([]attribute.Value, g.r.IntN(4))
		for i := range vs {
			vs[i] = g.value(depth - 1)
		}
		return attribute.SliceValue(vs...)
	default:
		kvs := make([]attribute.KeyValue, g.r.IntN(4))
		for i := range kvs {
			kvs[i] = attribute.KeyValue{Key: attribute.Key(string(rune('p' + g.r.IntN(3)))), Value: g.value(depth - 1)}
		}
		return attribute.MapValue(kvs...)
	}
}

// limits returns small random limits, or false for the defaults.
func (g gen) limits() (sdktrace.SpanLimits, bool) {
	if g.r.IntN(3) == 0 {
		return sdktrace.SpanLimits{}, false
	}
	count := func() int { return []int{-1, 0, 1, 2, 3, 5, 8}[g.r.IntN(7)] }
	l := sdktrace.SpanLimits{
		AttributeValueLengthLimit:   []int{-1, 0, 1, 3, 8}[g.r.IntN(5)],
		AttributeValueDepthLimit:    []int{0, 1, 2, 3, 64}[g.r.IntN(5)],
		AttributeCountLimit:         count(),
		EventCountLimit:             count(),
		LinkCountLimit:              count(),
		AttributePerEventCountLimit: count(),
		AttributePerLinkCountLimit:  count(),
	}
	if l == (sdktrace.SpanLimits{}) {
		l.LinkCountLimit = 1 // the zero value means the defaults to leanspan
	}
	return l, true
}

func (g gen) sampler() (sdktrace.Sampler, string) {
	switch g.r.IntN(7) {
	case 0:
		return sdktrace.AlwaysSample(), "always"
	case 1:
		return sdktrace.NeverSample(), "never"
	case 2:
		return sdktrace.ParentBased(sdktrace.AlwaysSample()), "parent(always)"
	case 3:
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.5)), "parent(ratio 0.5)"
	case 4:
		return sdktrace.TraceIDRatioBased(0.3), "ratio 0.3"
	case 5:
		return sdktrace.AlwaysRecord(sdktrace.NeverSample()), "record-only"
	default:
		return attrSampler{}, "attrSampler"
	}
}

func (g gen) spanContext(remote bool) trace.SpanContext {
	var tid trace.TraceID
	var sid trace.SpanID
	binary.BigEndian.PutUint64(tid[:8], g.r.Uint64())
	binary.BigEndian.PutUint64(tid[8:], g.r.Uint64())
	binary.BigEndian.PutUint64(sid[:], g.r.Uint64())
	if g.r.IntN(8) == 0 {
		tid = trace.TraceID{} // invalid
	}
	cfg := trace.SpanContextConfig{TraceID: tid, SpanID: sid, Remote: remote}
	cfg.TraceFlags = trace.TraceFlags(g.r.IntN(4)) // sampled, and W3C's random bit

	if g.r.IntN(3) == 0 {
		cfg.TraceState, _ = trace.ParseTraceState("vendor=x,other=y")
	}
	return trace.NewSpanContext(cfg)
}

// attrSampler decides by the trace id and adds attributes (one a key that
// spans also set) and a trace state entry, to test the sampler result's use.
type attrSampler struct{}

func (attrSampler) ShouldSample(p sdktrace.SamplingParameters) sdktrace.SamplingResult {
	ts := trace.SpanContextFromContext(p.ParentContext).TraceState()
	ts, _ = ts.Insert("lean", p.Name)
	d := sdktrace.SamplingDecision(p.TraceID[15] % 3)
	return sdktrace.SamplingResult{
		Decision:   d,
		Attributes: []attribute.KeyValue{attribute.String("a", "from-sampler"), attribute.Int("sampler.kind", int(p.Kind))},
		Tracestate: ts,
	}
}

func (attrSampler) Description() string { return "attrSampler" }

// seqIDs makes the same ids for the same sequence of calls.
type seqIDs struct {
	mu sync.Mutex
	n  uint64
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (g *seqIDs) next() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	return splitmix(g.n) | 1
}

func (g *seqIDs) NewIDs(context.Context) (trace.TraceID, trace.SpanID) {
	var tid trace.TraceID
	binary.BigEndian.PutUint64(tid[:8], g.next())
	binary.BigEndian.PutUint64(tid[8:], g.next())
	return tid, g.NewSpanID(context.Background(), tid)
}

func (g *seqIDs) NewSpanID(context.Context, trace.TraceID) trace.SpanID {
	var sid trace.SpanID
	binary.BigEndian.PutUint64(sid[:], g.next())
	return sid
}
