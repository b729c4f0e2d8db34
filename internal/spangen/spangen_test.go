package spangen

import (
	"math/rand/v2"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var start = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// TestShape: a request holds the traces asked for, each a root with its
// children, every span with its 8 attributes, ids as documented.
func TestShape(t *testing.T) {
	const traces, perTrace = 7, 10
	td := Traces(rand.New(rand.NewPCG(1, 2)), 40, traces, perTrace, start)
	if td.SpanCount() != traces*perTrace || td.ResourceSpans().Len() != len(Services) {
		t.Fatalf("%d spans in %d resources", td.SpanCount(), td.ResourceSpans().Len())
	}
	roots := map[pcommon.TraceID]pcommon.SpanID{}
	seen := map[pcommon.SpanID]bool{}
	for _, rs := range td.ResourceSpans().All() {
		svc, _ := rs.Resource().Attributes().Get("service.name")
		for _, sp := range rs.ScopeSpans().At(0).Spans().All() {
			if seen[sp.SpanID()] || sp.SpanID().IsEmpty() {
				t.Errorf("span id %v repeated or empty", sp.SpanID())
			}
			seen[sp.SpanID()] = true
			if sp.Attributes().Len() != AttributesPerSpan || sp.Kind() != ptrace.SpanKindServer {
				t.Errorf("span %q: %d attributes, kind %v", sp.Name(), sp.Attributes().Len(), sp.Kind())
			}
			if d := sp.EndTimestamp().AsTime().Sub(sp.StartTimestamp().AsTime()); d < 200*time.Microsecond || d > 5200*time.Microsecond {
				t.Errorf("span %q lasts %v", sp.Name(), d)
			}
			if sp.ParentSpanID().IsEmpty() {
				if svc.Str() != "frontend" {
					t.Errorf("a root in %s", svc.Str())
				}
				roots[sp.TraceID()] = sp.SpanID()
			}
		}
	}
	if len(roots) != traces {
		t.Fatalf("%d roots, want %d", len(roots), traces)
	}
	for k := range uint64(traces) {
		n := 40 + k
		if roots[TraceID(n)] != SpanID(n*perTrace) {
			t.Errorf("trace %d: root %v, want SpanID(%d)", n, roots[TraceID(n)], n*perTrace)
		}
	}
	for _, rs := range td.ResourceSpans().All() {
		for _, sp := range rs.ScopeSpans().At(0).Spans().All() {
			if root := roots[sp.TraceID()]; !sp.ParentSpanID().IsEmpty() && sp.ParentSpanID() != root {
				t.Errorf("span %v: parent %v, want the root %v", sp.SpanID(), sp.ParentSpanID(), root)
			}
		}
	}
}

// TestNextReuses: Next gives fresh ids and times in the same request.
func TestNextReuses(t *testing.T) {
	g := New(2, 3, nil)
	a := g.Next(0, start)
	first := a.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID()
	b := g.Next(2, start.Add(time.Second))
	sp := b.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	if sp.TraceID() == first || sp.TraceID() != TraceID(2) || sp.StartTimestamp().AsTime() != start.Add(time.Second) {
		t.Errorf("second request: trace %v, start %v", sp.TraceID(), sp.StartTimestamp().AsTime())
	}
	if b.SpanCount() != 6 {
		t.Errorf("%d spans", b.SpanCount())
	}
}

func TestIDs(t *testing.T) {
	traces, spans := map[pcommon.TraceID]bool{}, map[pcommon.SpanID]bool{}
	for _, n := range []uint64{0, 1, 2, 1 << 40, 1<<62 + 5, 1<<64 - 2} {
		if tid, sid := TraceID(n), SpanID(n); tid.IsEmpty() || sid.IsEmpty() || traces[tid] || spans[sid] {
			t.Errorf("%d: %v %v empty or repeated", n, tid, sid)
		} else {
			traces[tid], spans[sid] = true, true
		}
	}
}

func TestBigTrace(t *testing.T) {
	tid := TraceID(99)
	var chunks, total int
	parents := map[pcommon.SpanID]bool{}
	err := BigTrace(tid, 2500, 1000, start, func(td ptrace.Traces) error {
		chunks++
		total += td.SpanCount()
		for _, sp := range td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().All() {
			if sp.TraceID() != tid || (!sp.ParentSpanID().IsEmpty() && !parents[sp.ParentSpanID()]) {
				t.Fatalf("span %v: trace %v, parent %v not sent before", sp.SpanID(), sp.TraceID(), sp.ParentSpanID())
			}
			parents[sp.SpanID()] = true
		}
		return nil
	})
	if err != nil || chunks != 3 || total != 2500 {
		t.Errorf("%d chunks, %d spans, %v", chunks, total, err)
	}
}

// BenchmarkNext is a load generator's cost per request of 1,000 spans.
func BenchmarkNext(b *testing.B) {
	g := New(100, 10, nil)
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		g.Next(n, start)
		n += 100
	}
}
