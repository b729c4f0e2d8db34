package leanspan_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
)

func TestDefaults(t *testing.T) {
	tr := leanspan.New(leanspan.Config{})
	if got, want := tr.Limits(), sdktrace.NewSpanLimits(); got != want {
		t.Errorf("limits %+v, want the SDK's defaults %+v", got, want)
	}
	ctx, sp := tr.Start(context.Background(), "root")
	s := sp.(*leanspan.Span)
	if !s.SpanContext().IsValid() || !s.SpanContext().IsSampled() || s.Parent().IsValid() {
		t.Errorf("root: context %v parent %v, want valid, sampled, no parent", s.SpanContext(), s.Parent())
	}
	if s.Resource() != resource.Default() {
		t.Errorf("resource %v, want resource.Default()", s.Resource())
	}
	_, child := tr.Start(ctx, "child")
	if child.SpanContext().TraceID() != s.SpanContext().TraceID() || child.SpanContext().SpanID() == s.SpanContext().SpanID() {
		t.Errorf("child %v of %v: want the same trace, a new span id", child.SpanContext(), s.SpanContext())
	}
	// The default sampler is ParentBased(AlwaysSample): an unsampled remote
	// parent makes a span that does not record.
	remote := trace.NewSpanContext(trace.SpanContextConfig{TraceID: [16]byte{1}, SpanID: [8]byte{1}, Remote: true})
	_, off := tr.Start(trace.ContextWithRemoteSpanContext(context.Background(), remote), "off")
	if off.IsRecording() || off.SpanContext().TraceID() != remote.TraceID() {
		t.Errorf("child of an unsampled remote parent: recording %v, context %v", off.IsRecording(), off.SpanContext())
	}
	if off.TracerProvider() == nil {
		t.Error("a non-recording span has no TracerProvider")
	}
}

func TestRandomIDsDistinct(t *testing.T) {
	tr := leanspan.New(leanspan.Config{})
	seen := map[trace.SpanID]bool{}
	traces := map[trace.TraceID]bool{}
	for range 1000 {
		_, sp := tr.Start(context.Background(), "s")
		sc := sp.SpanContext()
		if seen[sc.SpanID()] || traces[sc.TraceID()] || !sc.IsValid() {
			t.Fatalf("span context %v repeats or is invalid", sc)
		}
		seen[sc.SpanID()], traces[sc.TraceID()] = true, true
	}
}

func TestHooks(t *testing.T) {
	var mu sync.Mutex
	var started, ended []string
	tr := leanspan.New(leanspan.Config{
		Sampler: sdktrace.ParentBased(sdktrace.AlwaysSample()),
		OnStart: func(s *leanspan.Span) {
			mu.Lock()
			defer mu.Unlock()
			if !s.IsRecording() {
				t.Errorf("OnStart with a span that does not record")
			}
			started = append(started, s.Name())
		},
		OnEnd: func(s *leanspan.Span) {
			mu.Lock()
			defer mu.Unlock()
			if s.IsRecording() || s.EndTime().IsZero() {
				t.Errorf("OnEnd with a span that has not ended")
			}
			ended = append(ended, s.Name())
		},
	})
	ctx, a := tr.Start(context.Background(), "a")
	unsampled := trace.NewSpanContext(trace.SpanContextConfig{TraceID: [16]byte{1}, SpanID: [8]byte{1}})
	_, dropped := tr.Start(trace.ContextWithSpanContext(ctx, unsampled), "dropped")
	dropped.End()
	// A provider from the span makes tracers on the same hooks, named.
	_, b := a.TracerProvider().Tracer("other", trace.WithInstrumentationVersion("v2")).Start(ctx, "b")
	if got := b.(*leanspan.Span).InstrumentationScope(); got.Name != "other" || got.Version != "v2" {
		t.Errorf("scope %+v, want other v2", got)
	}
	_, c := a.TracerProvider().Tracer("").Start(ctx, "c")
	if got := c.(*leanspan.Span).InstrumentationScope().Name; got != "go.opentelemetry.io/otel/sdk/tracer" {
		t.Errorf("unnamed tracer's scope %q, want the SDK's default name", got)
	}
	b.End()
	a.End()
	a.End()
	c.End()
	if fmt.Sprint(started) != "[a b c]" || fmt.Sprint(ended) != "[b a c]" {
		t.Errorf("started %v ended %v, want [a b c] and [b a c] (once each)", started, ended)
	}
	if got := a.(*leanspan.Span).ChildSpanCount(); got != 2 {
		t.Errorf("a has %d children, want 2 (b and c; dropped had another parent)", got)
	}
}

// TestConcurrent changes and reads one span from many goroutines (run with
// -race) and accounts for every attribute and event.
func TestConcurrent(t *testing.T) {
	tr := leanspan.New(leanspan.Config{})
	_, sp := tr.Start(context.Background(), "shared")
	s := sp.(*leanspan.Span)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				s.SetAttributes(attribute.Int(fmt.Sprintf("g%d.%d", g, i), i), attribute.Int("shared", g))
				s.AddEvent("e")
				_ = s.Attributes()
				_ = s.Events()
				_ = s.Snapshot()
			}
		})
	}
	wg.Wait()
	s.End()
	if got := len(s.Attributes()); got != 81 {
		t.Errorf("%d attributes, want 81 (80 distinct and one shared key)", got)
	}
	if got, dropped := len(s.Events()), s.DroppedEvents(); got != 80 || dropped != 0 {
		t.Errorf("%d events (%d dropped), want 80", got, dropped)
	}
}

// TestEndedReadsDoNotCopy: once a span has ended, the getters an encoder
// uses do not allocate.
func TestEndedReadsDoNotCopy(t *testing.T) {
	tr := leanspan.New(leanspan.Config{})
	_, sp := tr.Start(context.Background(), "s", trace.WithAttributes(attribute.String("k", "v"), attribute.String("k", "w")))
	sp.AddEvent("e")
	sp.AddLink(trace.Link{SpanContext: sp.SpanContext()})
	sp.End()
	s := sp.(*leanspan.Span)
	allocs := testing.AllocsPerRun(100, func() {
		_, _, _, _ = s.Attributes(), s.Events(), s.Links(), s.Status()
	})
	if allocs != 0 {
		t.Errorf("%v allocations reading an ended span, want 0", allocs)
	}
	if a := s.Attributes(); len(a) != 1 || a[0].Value.AsString() != "w" {
		t.Errorf("attributes %v, want k=w once", a)
	}
}

// TestStandIn: the stand-in carries its span's context, records nothing,
// does not end or change its span, parents what is started from it, and
// costs no allocation.
func TestStandIn(t *testing.T) {
	var ended []*leanspan.Span
	tr := leanspan.New(leanspan.Config{OnEnd: func(s *leanspan.Span) { ended = append(ended, s) }})
	_, sp := tr.Start(context.Background(), "parent")
	s := sp.(*leanspan.Span)
	in := s.StandIn()
	if !in.SpanContext().Equal(s.SpanContext()) || in.IsRecording() {
		t.Fatalf("stand-in: context %v recording %v", in.SpanContext(), in.IsRecording())
	}
	in.SetName("renamed")
	in.SetAttributes(attribute.Bool("x", true))
	in.End()
	if !s.IsRecording() || s.Name() != "parent" || len(s.Attributes()) != 0 || len(ended) != 0 {
		t.Errorf("the stand-in changed its span: recording %v, name %q, %d attributes, %d ended",
			s.IsRecording(), s.Name(), len(s.Attributes()), len(ended))
	}
	_, child := tr.Start(trace.ContextWithSpan(context.Background(), in), "child")
	if got := child.(*leanspan.Span).Parent(); !got.Equal(s.SpanContext()) {
		t.Errorf("child's parent %v, want the span's %v", got, s.SpanContext())
	}
	if n := testing.AllocsPerRun(100, func() { _ = s.StandIn() }); n != 0 {
		t.Errorf("StandIn allocates %v", n)
	}
}
