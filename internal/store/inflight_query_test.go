package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/store/announcetest"
)

// TestInflightPages pages through a trace whose finished and open spans
// interleave: every span once, in start order, each page with the first
// page's changes token even when the trace changed in between.
func TestInflightPages(t *testing.T) {
	f := newFlight(t, Options{})
	for n := 1; n <= 9; n++ {
		if n%3 == 0 {
			f.heartbeat(n, time.Minute, 0)
		} else {
			f.finish(n)
		}
	}
	var got []string
	var tok, cur string
	for i := 0; ; i++ {
		p, err := f.s.Trace(context.Background(), hexID(flightTrace), Page{Limit: 2, Cursor: cur})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			tok = p.Changes
			f.heartbeat(20, time.Minute, 0) // a change after the first page
		} else if p.Changes != tok {
			t.Errorf("page %d has token %s, want the first page's %s", i, p.Changes, tok)
		}
		for _, sp := range p.Spans {
			got = append(got, sp.SpanID+" "+sp.State)
		}
		if cur = p.Cursor; cur == "" {
			break
		}
	}
	var want []string
	for n := 1; n <= 20; n++ {
		switch {
		case n%3 == 0 && n < 10, n == 20:
			want = append(want, hexSpan(spanID(uint64(n)))+" open")
		case n < 10:
			want = append(want, hexSpan(spanID(uint64(n)))+" finished")
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages:\n got %v\nwant %v", got, want)
	}
	// The first page's token tells the change made while paging.
	ch, err := f.s.TraceChanges(context.Background(), hexID(flightTrace), tok, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Spans) != 1 || ch.Spans[0].SpanID != hexSpan(spanID(20)) {
		t.Errorf("changes since the first page: %+v", ch.Spans)
	}
}

func TestSearchInProgress(t *testing.T) {
	f := newFlight(t, Options{})
	f.finish(1)
	f.heartbeat(2, time.Second, 0) // traceID(1): in progress
	mustAppend(t, f.s, announceTD(1, true))
	f.appendLogs(heartbeatOfTrace(8, time.Second, f.clk.now())) // traceID(8): in progress, then lost
	f.clk.add(time.Second)
	f.heartbeat(2, time.Second, 0)
	f.clk.add(2 * time.Second)
	f.pass() // traceID(8)'s span is lost; traceID(1)'s was heard a second later
	yes, no := true, false
	for _, tc := range []struct {
		q    TraceQuery
		want []string
	}{
		{TraceQuery{InProgress: &yes}, []string{hexID(flightTrace)}},
		{TraceQuery{InProgress: &no}, []string{hexID(traceID(8)), hexID(traceID(7))}},
		{TraceQuery{InProgress: &yes, Service: "scanner"}, []string{hexID(flightTrace)}},
		{TraceQuery{InProgress: &yes, SpanName: "span-2"}, []string{hexID(flightTrace)}},
		{TraceQuery{InProgress: &no, SpanName: "span-2"}, nil},
		{TraceQuery{MinDuration: 59 * time.Minute}, []string{hexID(traceID(8)), hexID(flightTrace)}},
	} {
		res, err := f.s.SearchTraces(context.Background(), tc.q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range res.Traces {
			got = append(got, s.TraceID)
		}
		slices.Sort(got)
		slices.Sort(tc.want)
		if !slices.Equal(got, tc.want) {
			t.Errorf("search %+v: %v, want %v", tc.q, got, tc.want)
		}
	}
}

// heartbeatOfTrace is a heartbeat of a root span of traceID(n).
func heartbeatOfTrace(n uint64, freq time.Duration, at time.Time) plog.Logs {
	td := spanTD(1, false)
	sp := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	sp.SetTraceID(traceID(n))
	sp.SetSpanID(spanID(n << 8))
	return announcetest.Heartbeat(td, freq, at)
}

// TestInflightOTLP: the OTLP answers hold open and lost spans, ending when
// last heard, marked with sightline.span.state; finished spans unchanged.
func TestInflightOTLP(t *testing.T) {
	f := newFlight(t, Options{})
	f.finish(1)
	heard := f.clk.now()
	f.heartbeat(2, time.Second, 0)
	f.heartbeat(3, time.Second, 0)
	f.clk.add(time.Second)
	f.heartbeat(3, time.Second, 0)
	f.clk.add(2 * time.Second)
	f.pass() // span 2 lost
	td, err := f.s.TraceOTLP(context.Background(), hexID(flightTrace))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := f.s.TraceOTLPProto(context.Background(), hexID(flightTrace))
	if err != nil {
		t.Fatal(err)
	}
	fromProto, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(raw)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]ptrace.Traces{"pdata": td, "protobuf": fromProto} {
		states := map[string]string{}
		forEachSpan(got, func(sp ptrace.Span) {
			v, ok := sp.Attributes().Get(AttrSpanState)
			state := "finished"
			if ok {
				state = v.Str()
			}
			states[sp.SpanID().String()] = state
			switch sp.SpanID() {
			case spanID(1):
				if ok || sp.EndTimestamp()-sp.StartTimestamp() != ts(base.Add(time.Second))-ts(base) {
					t.Errorf("%s: finished span changed: %v, %v", name, state, sp.EndTimestamp())
				}
			case spanID(2):
				if sp.EndTimestamp() != ts(heard) {
					t.Errorf("%s: lost span ends at %v, want when last heard %v", name, sp.EndTimestamp(), ts(heard))
				}
			case spanID(3):
				if sp.EndTimestamp() != ts(heard.Add(time.Second)) {
					t.Errorf("%s: open span ends at %v, want when last heard", name, sp.EndTimestamp())
				}
			}
		})
		want := map[string]string{spanID(1).String(): "finished", spanID(2).String(): "lost", spanID(3).String(): "open"}
		if len(states) != 3 || states[spanID(1).String()] != want[spanID(1).String()] ||
			states[spanID(2).String()] != "lost" || states[spanID(3).String()] != "open" {
			t.Errorf("%s: states %v, want %v", name, states, want)
		}
	}
}
