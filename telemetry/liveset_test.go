package telemetry

import (
	"context"
	"encoding/binary"
	"strings"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// shardZeroIDs gives every span an id whose last byte is 0, so that all
// land in one buffer of the live set.
type shardZeroIDs struct{ n atomic.Uint64 }

func (g *shardZeroIDs) NewIDs(context.Context) (trace.TraceID, trace.SpanID) {
	tid := trace.TraceID{1}
	return tid, g.NewSpanID(context.Background(), tid)
}

func (g *shardZeroIDs) NewSpanID(context.Context, trace.TraceID) trace.SpanID {
	var sid trace.SpanID
	binary.BigEndian.PutUint64(sid[:], (g.n.Add(1))<<8)
	return sid
}

// registering is a span processor that only registers spans in a live set.
type registering struct{ l *liveSet }

func (p registering) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) { p.l.add(s) }
func (registering) OnEnd(sdktrace.ReadOnlySpan)                           {}
func (registering) Shutdown(context.Context) error                        { return nil }
func (registering) ForceFlush(context.Context) error                      { return nil }

// TestLiveSetIsBounded: a buffer holds liveShardCap spans; further ones are
// refused and counted, wake is signalled by the first span of a buffer and
// full by the liveShardEarly-th one; spans not sampled are not registered.
func TestLiveSetIsBounded(t *testing.T) {
	var overflow atomic.Uint64
	l := newLiveSet(&overflow)
	tp := sdktrace.NewTracerProvider(sdktrace.WithIDGenerator(&shardZeroIDs{}), sdktrace.WithSpanProcessor(registering{l}))
	defer tp.Shutdown(context.Background())
	tr := tp.Tracer("t")
	if !l.empty() {
		t.Fatal("a new live set is not empty")
	}
	_, s := tr.Start(context.Background(), "first")
	s.End()
	if len(l.wake) != 1 || len(l.full) != 0 {
		t.Errorf("after one span: wake %d full %d, want 1 0", len(l.wake), len(l.full))
	}
	for range liveShardCap + 99 {
		_, s := tr.Start(context.Background(), "more")
		s.End()
	}
	if got := overflow.Load(); got != 100 {
		t.Errorf("overflow %d after %d spans into one buffer of %d, want 100", got, liveShardCap+100, liveShardCap)
	}
	if len(l.full) != 1 {
		t.Error("a full buffer did not signal the sweeper")
	}
	if got := len(l.take(0, nil)); got != liveShardCap {
		t.Errorf("took %d spans, want %d", got, liveShardCap)
	}
	notSampled := sdktrace.NewTracerProvider(sdktrace.WithSampler(recordOnly{}), sdktrace.WithSpanProcessor(registering{l}))
	defer notSampled.Shutdown(context.Background())
	_, s = notSampled.Tracer("t").Start(context.Background(), "recorded, not sampled")
	s.End()
	if !l.empty() {
		t.Error("a span recorded but not sampled was registered")
	}
}

type recordOnly struct{}

func (recordOnly) ShouldSample(sdktrace.SamplingParameters) sdktrace.SamplingResult {
	return sdktrace.SamplingResult{Decision: sdktrace.RecordOnly}
}
func (recordOnly) Description() string { return "record only" }

// TestAnnouncementIsBounded: the body of a span holding a million
// attribute writes (the SDK keeps 128), a 10 MiB value and a thousand
// large events stays under the bound and decodes, trimmed, with its ids.
func TestAnnouncementIsBounded(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	_, s := tp.Tracer("t").Start(context.Background(), "huge")
	defer s.End()
	s.SetAttributes(attribute.String("big", strings.Repeat("\x01", 10<<20)))
	for i := range 1_000_000 {
		s.SetAttributes(attribute.Int("a", i))
	}
	for range 1000 {
		s.AddEvent("e", trace.WithAttributes(attribute.String("v", strings.Repeat("<", 3000))))
	}
	body, trimmed, ok := encodeSpan(s.(sdktrace.ReadOnlySpan))
	if !ok || !trimmed || len(body) > maxBodyBytes {
		t.Fatalf("encoded %d bytes (ok %v, trimmed %v), want at most %d, trimmed", len(body), ok, trimmed, maxBodyBytes)
	}
	var u ptrace.JSONUnmarshaler
	td, err := u.UnmarshalTraces([]byte(body))
	if err != nil || td.SpanCount() != 1 {
		t.Fatalf("body does not decode to one span: %v", err)
	}
	got := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	if got.SpanID() != [8]byte(s.SpanContext().SpanID()) || got.Name() != "huge" || got.EndTimestamp() != 0 {
		t.Errorf("trimmed body: span %v name %q end %v", got.SpanID(), got.Name(), got.EndTimestamp())
	}
}
