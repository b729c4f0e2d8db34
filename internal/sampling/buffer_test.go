package sampling

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// spansOf is td holding n finished spans of trace id, ids from first.
func spansOf(id pcommon.TraceID, first byte, n int, service string) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", service)
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("scope")
	for i := range n {
		sp := ss.Spans().AppendEmpty()
		sp.SetTraceID(id)
		sp.SetSpanID(pcommon.SpanID{first + byte(i)})
		sp.SetParentSpanID(pcommon.SpanID{0xee})
		sp.SetName("op")
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(t0))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(t0.Add(time.Millisecond)))
	}
	return td
}

func decided(rs []Result) map[pcommon.TraceID]int {
	out := map[pcommon.TraceID]int{}
	for _, r := range rs {
		out[r.ID] = r.Spans
	}
	return out
}

// TestBufferWaitsForTheLastSpan: a trace is decided its decision wait after
// its last span arrived, with all its spans, resources and scopes.
func TestBufferWaitsForTheLastSpan(t *testing.T) {
	d := mustDecider(t, `{"decision_wait": "10s"}`)
	b := NewBuffer(d, 0)
	a, c := traceID(1), traceID(2)
	b.Add(spansOf(a, 1, 2, "engine"), t0)
	b.Add(spansOf(c, 1, 1, "engine"), t0.Add(time.Second))
	b.Add(spansOf(a, 10, 1, "device"), t0.Add(5*time.Second))
	if got := b.Decide(t0.Add(11*time.Second - 1)); len(got) != 0 {
		t.Fatalf("decided before any wait ended: %v", decided(got))
	}
	got := b.Decide(t0.Add(11 * time.Second))
	if len(got) != 1 || got[0].ID != c || !got[0].Keep {
		t.Fatalf("at 11 s: %v, want only the second trace, kept", decided(got))
	}
	if got := b.Decide(t0.Add(15*time.Second - 1)); len(got) != 0 {
		t.Fatalf("decided before its last span's wait ended: %v", decided(got))
	}
	got = b.Decide(t0.Add(15 * time.Second))
	if len(got) != 1 || got[0].ID != a || got[0].Spans != 3 || got[0].Traces.SpanCount() != 3 {
		t.Fatalf("at 15 s: %+v, want the first trace with 3 spans", decided(got))
	}
	rs := got[0].Traces.ResourceSpans()
	if svc, _ := rs.At(2).Resource().Attributes().Get("service.name"); svc.Str() != "device" || rs.At(0).ScopeSpans().At(0).Scope().Name() != "scope" {
		t.Errorf("resources and scopes not kept: %v", svc.Str())
	}
	if tr, sp := b.Len(); tr != 0 || sp != 0 {
		t.Errorf("left %d traces, %d spans", tr, sp)
	}
}

// TestBufferOpenSpanHoldsItsTrace: a trace with a span announced open is
// not decided while the span is heard from, and is once it finishes; a
// span no longer heard from (its process died) stops holding it after
// three intervals.
func TestBufferOpenSpanHoldsItsTrace(t *testing.T) {
	d := mustDecider(t, `{"decision_wait": "10s"}`)
	b := NewBuffer(d, 0)
	scan, dead := traceID(1), traceID(2)
	root := pcommon.SpanID{0xee}
	b.Add(spansOf(scan, 1, 1, "engine"), t0)
	b.Open(scan, root, 10*time.Second, t0)
	b.Open(dead, root, time.Second, t0)
	b.Add(spansOf(dead, 1, 1, "engine"), t0)
	for _, at := range []time.Duration{11 * time.Second, 25 * time.Second} {
		if at == 25*time.Second {
			b.Open(scan, root, 10*time.Second, t0.Add(20*time.Second)) // a heartbeat
		}
		got := decided(b.Decide(t0.Add(at)))
		if _, ok := got[scan]; ok {
			t.Fatalf("the trace with an open span decided at %v", at)
		}
		if at == 11*time.Second && got[dead] != 1 {
			t.Fatalf("the trace whose open span went silent for 3 intervals not decided at 11 s: %v", got)
		}
	}
	// 40 s after the last heartbeat the span would be lost: not yet at 45 s.
	if got := decided(b.Decide(t0.Add(45 * time.Second))); len(got) != 0 {
		t.Fatalf("decided at 45 s: %v", got)
	}
	b.Open(scan, root, 10*time.Second, t0.Add(44*time.Second)) // heard until 74 s
	fin := spansOf(scan, 0xee, 1, "engine")                    // the root span, finished
	b.Add(fin, t0.Add(46*time.Second))
	if got := decided(b.Decide(t0.Add(56*time.Second - 1))); len(got) != 0 {
		t.Fatalf("decided before the wait after the finished span: %v", got)
	}
	if got := decided(b.Decide(t0.Add(56 * time.Second))); got[scan] != 2 {
		t.Fatalf("after the span finished: %v, want the trace with 2 spans", got)
	}
}

// TestBufferBounded: past maxSpans the traces whose last span came
// earliest are decided at once, counted.
func TestBufferBounded(t *testing.T) {
	d := mustDecider(t, `{"decision_wait": "10s"}`)
	b := NewBuffer(d, 10)
	for i := range 3 {
		b.Add(spansOf(traceID(uint64(i+1)), 1, 5, "engine"), t0.Add(time.Duration(i)*time.Second))
	}
	got := b.Decide(t0.Add(3 * time.Second))
	if len(got) != 1 || got[0].ID != traceID(1) || !got[0].Early || b.Early != 1 {
		t.Fatalf("over the bound: %v (early %d), want the oldest trace decided early", decided(got), b.Early)
	}
	if _, sp := b.Len(); sp != 10 {
		t.Errorf("%d spans held, want 10", sp)
	}
}
