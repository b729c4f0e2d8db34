package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/spangen"
	"github.com/sightline-dev/sightline/internal/store/announcetest"
)

// changed returns the span ids and states of a changes answer, sorted by
// span id.
func changed(p TracePage) []string {
	var out []string
	for _, sp := range p.Spans {
		out = append(out, sp.SpanID+" "+sp.State)
	}
	slices.Sort(out)
	return out
}

func (f *flight) changes(token string, limit int) TracePage {
	f.t.Helper()
	p, err := f.s.TraceChanges(context.Background(), hexID(flightTrace), token, limit)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func TestTraceChanges(t *testing.T) {
	f := newFlight(t, Options{})
	f.finish(1)
	f.heartbeat(2, 10*time.Second, 0)
	f.finish(5)
	tok := f.page().Changes
	if tok == "" {
		t.Fatal("a page without a changes token")
	}

	// Nothing changed: nothing answered, and the token still works.
	p := f.changes(tok, 0)
	if len(p.Spans) != 0 || p.Reset || p.More || p.Changes == "" {
		t.Fatalf("unchanged trace: %+v", p)
	}
	tok = p.Changes

	f.clk.add(time.Second)
	f.heartbeat(3, time.Second, 0) // a new open span
	f.finish(2)                    // the open span finished
	p = f.changes(tok, 0)
	want := []string{hexSpan(spanID(2)) + " finished", hexSpan(spanID(3)) + " open"}
	slices.Sort(want)
	if got := changed(p); !slices.Equal(got, want) {
		t.Fatalf("changes %v, want %v", got, want)
	}
	if p.Summary.SpanCount != 4 || p.Summary.OpenSpans != 1 {
		t.Errorf("summary %+v", p.Summary)
	}
	if len(p.Resources) != 1 || p.Spans[0].Resource != 0 {
		t.Errorf("resources %+v", p.Resources)
	}
	tok = p.Changes

	f.clk.add(time.Minute)
	f.pass() // span 3 lost
	p = f.changes(tok, 0)
	if got := changed(p); !slices.Equal(got, []string{hexSpan(spanID(3)) + " lost"}) {
		t.Fatalf("after the pass: %v", got)
	}
	tok = p.Changes

	// Across a restart the numbers go on.
	f.restart()
	if p = f.changes(tok, 0); len(p.Spans) != 0 || p.Reset {
		t.Fatalf("after a restart, unchanged: %+v", p)
	}
	f.heartbeat(3, time.Second, 0)
	f.heartbeat(4, time.Second, 0)
	f.finish(6)

	// Cut at a limit of 1: three answers, each with one span, the last
	// without More; then nothing.
	var got []string
	for i := 0; ; i++ {
		p = f.changes(tok, 1)
		got = append(got, changed(p)...)
		tok = p.Changes
		if !p.More {
			break
		}
		if i > 5 {
			t.Fatal("More never ends")
		}
	}
	slices.Sort(got)
	want = []string{hexSpan(spanID(3)) + " open", hexSpan(spanID(4)) + " open", hexSpan(spanID(6)) + " finished"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("limited changes %v, want %v", got, want)
	}
	if p = f.changes(tok, 1); len(p.Spans) != 0 || p.More {
		t.Fatalf("after the last: %+v", p)
	}
}

func TestTraceChangesUntracked(t *testing.T) {
	f := newFlight(t, Options{})
	f.finish(1)
	tok := f.page().Changes
	p := f.changes(tok, 0)
	if p.Reset || len(p.Spans) != 0 || p.Changes != tok {
		t.Fatalf("unchanged untracked trace: %+v", p)
	}
	f.finish(2) // an untracked trace records no change: the difference is unknown
	if p = f.changes(tok, 0); !p.Reset || p.Changes != "" || len(p.Spans) != 0 {
		t.Fatalf("grown untracked trace: %+v", p)
	}
	tok = f.page().Changes
	f.heartbeat(3, time.Second, 0) // becomes tracked
	if p = f.changes(tok, 0); !p.Reset {
		t.Fatalf("untracked token of a now tracked trace: %+v", p)
	}
	tok = f.page().Changes
	f.finish(4)
	if got := changed(f.changes(tok, 0)); !slices.Equal(got, []string{hexSpan(spanID(4)) + " finished"}) {
		t.Fatalf("tracked from then on: %v", got)
	}
}

func TestTraceChangesBadToken(t *testing.T) {
	f := newFlight(t, Options{})
	f.finish(1)
	f.heartbeat(2, time.Second, 0)
	mustAppend(t, f.s, loadTraces(rand.New(rand.NewPCG(1, 2)), 50, 1, 2, base))
	other, err := f.s.Trace(context.Background(), hexID(traceID(50)), Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"", "!!", "bm90IGpzb24", other.Changes, changesToken{Trace: hexID(flightTrace), Span: "zz"}.encode()} {
		if _, err := f.s.TraceChanges(context.Background(), hexID(flightTrace), tok, 0); !errors.Is(err, ErrBadToken) {
			t.Errorf("token %q: %v, want ErrBadToken", tok, err)
		}
	}
	foreign := changesToken{Trace: hexID(flightTrace), Epoch: f.s.epoch + 1, Seq: 1}.encode()
	if p := f.changes(foreign, 0); !p.Reset {
		t.Errorf("token of another store: %+v", p)
	}
	if _, err := f.s.TraceChanges(context.Background(), hexID(traceID(999)), changesToken{Trace: hexID(traceID(999))}.encode(), 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown trace: %v", err)
	}
	if _, err := f.s.TraceChanges(context.Background(), hexID(flightTrace), f.page().Changes, maxSpanLimit+1); err == nil {
		t.Error("limit past the maximum accepted")
	}
}

// TestTraceChangesCost: a changes answer decodes the spans that changed,
// not the trace: after one heartbeat in a trace of 5,000 spans it decodes
// one.
func TestTraceChangesCost(t *testing.T) {
	var items int
	clk := &fakeClock{t: base}
	s := openSeams(t, Options{}, seams{now: clk.now, manualLost: true, onItem: func() { items++ }})
	announce := func() {
		if _, err := s.AppendLogs(context.Background(), announcetest.Heartbeat(spanTD(100000, false), time.Hour, clk.now())); err != nil {
			t.Fatal(err)
		}
	}
	announce()
	err := spangen.BigTrace(flightTrace, 5000, 1000, base, func(td ptrace.Traces) error {
		_, err := s.AppendTraces(context.Background(), td)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Trace(context.Background(), hexID(flightTrace), Page{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	clk.add(time.Second)
	announce()
	items = 0
	ch, err := s.TraceChanges(context.Background(), hexID(flightTrace), p.Changes, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Spans) != 1 || ch.Spans[0].SpanID != hexSpan(spanID(100000)) || ch.Summary.SpanCount != 5001 {
		t.Fatalf("changes %+v, summary %+v", ch.Spans, ch.Summary)
	}
	if items > 10 {
		t.Errorf("a changes answer of one span decoded %d items", items)
	}
}
