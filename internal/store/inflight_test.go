package store

import (
	"context"
	"database/sql/driver"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/store/announcetest"
)

// TestInflightStates drives one span through the in-flight state machine
// (heartbeats, finished span, stop record, lost passes, restarts) and
// checks where it ends: its state, last heard and end, its trace's
// counts (each span counted once) and the store's counters.
func TestInflightStates(t *testing.T) {
	const freq = 10 * time.Second
	type want struct {
		state    string
		heardAt  time.Duration // from the test's start (the clock's); -1: 0 (finished)
		attr     string        // the span's "v" attribute, "" for none
		open     int
		lost     int
		late     int64
		inFlight bool // the summary's last heard is set
	}
	cases := []struct {
		name  string
		steps func(f *flight)
		want  want
	}{
		{"heartbeat", func(f *flight) {
			f.heartbeat(2, freq, 0, "v", "1")
		}, want{state: StateOpen, heardAt: 0, attr: "1", open: 1, inFlight: true}},
		{"newer heartbeat replaces", func(f *flight) {
			f.heartbeat(2, freq, 0, "v", "1")
			f.clk.add(5 * time.Second)
			f.heartbeat(2, freq, 0, "v", "2")
		}, want{state: StateOpen, heardAt: 5 * time.Second, attr: "2", open: 1, inFlight: true}},
		{"older heartbeat heard, content kept", func(f *flight) {
			f.heartbeat(2, freq, 0, "v", "new")
			f.clk.add(time.Second)
			f.heartbeat(2, freq, -time.Minute, "v", "old")
		}, want{state: StateOpen, heardAt: time.Second, attr: "new", open: 1, inFlight: true}},
		{"finished replaces open", func(f *flight) {
			f.heartbeat(2, freq, 0, "v", "1")
			f.finish(2)
		}, want{state: StateFinished, heardAt: -1}},
		{"stop record replaces open", func(f *flight) {
			f.heartbeat(2, freq, 0, "v", "1")
			f.stop(2)
		}, want{state: StateFinished, heardAt: -1}},
		{"stop record and finished span: one span", func(f *flight) {
			f.heartbeat(2, freq, 0)
			f.stop(2)
			f.finish(2)
			f.stop(2)
		}, want{state: StateFinished, heardAt: -1}},
		{"heartbeat and stop in one batch", func(f *flight) {
			ld := heartbeatLogs(f, 2, freq)
			stopLogs(f, 2).ResourceLogs().MoveAndAppendTo(ld.ResourceLogs())
			f.appendLogs(ld)
		}, want{state: StateFinished, heardAt: -1}},
		{"late heartbeat never reopens", func(f *flight) {
			f.heartbeat(2, freq, 0)
			f.finish(2)
			f.clk.add(time.Second)
			f.heartbeat(2, freq, 0)
		}, want{state: StateFinished, heardAt: -1, late: 1}},
		{"heartbeat after finished without one", func(f *flight) {
			f.finish(2)
			f.heartbeat(2, freq, 0)
		}, want{state: StateFinished, heardAt: -1, late: 1}},
		{"not lost before three intervals", func(f *flight) {
			f.heartbeat(2, freq, 0)
			f.clk.add(3*freq - time.Nanosecond)
			if n := f.pass(); n != 0 {
				f.t.Errorf("pass marked %d lost", n)
			}
		}, want{state: StateOpen, heardAt: 0, open: 1, inFlight: true}},
		{"lost after three intervals", func(f *flight) {
			f.heartbeat(2, freq, 0)
			f.clk.add(3 * freq)
			if n := f.pass(); n != 1 {
				f.t.Errorf("pass marked %d lost, want 1", n)
			}
		}, want{state: StateLost, heardAt: 0, lost: 1, inFlight: true}},
		{"each heartbeat moves the deadline", func(f *flight) {
			f.heartbeat(2, freq, 0)
			f.clk.add(2 * freq)
			f.heartbeat(2, freq, 0)
			f.clk.add(2 * freq)
			f.pass()
		}, want{state: StateOpen, heardAt: 2 * freq, open: 1, inFlight: true}},
		{"the announced frequency counts", func(f *flight) {
			f.heartbeat(2, time.Second, 0)
			f.clk.add(3 * time.Second)
			f.pass()
		}, want{state: StateLost, heardAt: 0, lost: 1, inFlight: true}},
		{"lost heard again is open", func(f *flight) {
			f.heartbeat(2, freq, 0)
			f.clk.add(time.Hour)
			f.pass()
			f.heartbeat(2, freq, 0, "v", "back")
		}, want{state: StateOpen, heardAt: time.Hour, attr: "back", open: 1, inFlight: true}},
		{"lost replaced by finished", func(f *flight) {
			f.heartbeat(2, freq, 0)
			f.clk.add(time.Hour)
			f.pass()
			f.finish(2)
		}, want{state: StateFinished, heardAt: -1}},
		{"restart keeps open spans", func(f *flight) {
			f.heartbeat(2, freq, 0, "v", "kept")
			f.restart()
		}, want{state: StateOpen, heardAt: 0, attr: "kept", open: 1, inFlight: true}},
		{"restart grace: three intervals from the restart", func(f *flight) {
			f.heartbeat(2, freq, 0)
			f.clk.add(25 * time.Second)
			f.restart()
			f.clk.add(3*freq - time.Nanosecond) // past the first deadline, within the grace
			f.pass()
		}, want{state: StateOpen, heardAt: 0, open: 1, inFlight: true}},
		{"restart grace ends", func(f *flight) {
			f.heartbeat(2, freq, 0)
			f.clk.add(25 * time.Second)
			f.restart()
			f.clk.add(3 * freq)
			f.pass()
		}, want{state: StateLost, heardAt: 0, lost: 1, inFlight: true}},
		{"a lost span stays lost over a restart", func(f *flight) {
			f.heartbeat(2, freq, 0)
			f.clk.add(time.Minute)
			f.pass()
			f.restart()
		}, want{state: StateLost, heardAt: 0, lost: 1, inFlight: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFlight(t, Options{})
			start := f.clk.now()
			f.finish(1) // the root, so the trace has a finished span too
			tc.steps(f)
			sp := f.span(2)
			w := tc.want
			if sp.State != w.state {
				t.Errorf("state %q, want %q", sp.State, w.state)
			}
			wantHeard := int64(0)
			if w.heardAt >= 0 {
				wantHeard = start.Add(w.heardAt).UnixNano()
			}
			if sp.LastHeardUnixNano != wantHeard {
				t.Errorf("last heard %d, want %d", sp.LastHeardUnixNano, wantHeard)
			}
			if got := sp.Attributes["v"]; w.attr != "" && got != w.attr {
				t.Errorf("attribute v = %v, want %q", got, w.attr)
			}
			if w.state == StateFinished && sp.EndUnixNano != sp.StartUnixNano+int64(time.Second) {
				t.Errorf("finished span ends at %d, want start + 1s", sp.EndUnixNano)
			}
			if w.state != StateFinished && sp.EndUnixNano != 0 {
				t.Errorf("%s span ends at %d, want 0", w.state, sp.EndUnixNano)
			}
			p := f.page()
			sum := p.Summary
			if len(p.Spans) != 2 || sum.SpanCount != 2 {
				t.Errorf("%d spans, span_count %d: want 2 (each span once)", len(p.Spans), sum.SpanCount)
			}
			if sum.OpenSpans != w.open || sum.LostSpans != w.lost || sum.InProgress != (w.open > 0) {
				t.Errorf("summary open %d lost %d in progress %v, want %d %d %v", sum.OpenSpans, sum.LostSpans, sum.InProgress, w.open, w.lost, w.open > 0)
			}
			if (sum.LastHeardUnixNano != 0) != w.inFlight {
				t.Errorf("summary last heard %d with in-flight spans %v", sum.LastHeardUnixNano, w.inFlight)
			}
			if w.inFlight && sum.DurationNano != sum.LastHeardUnixNano-sum.StartUnixNano {
				t.Errorf("duration %d, want up to the last heard (%d)", sum.DurationNano, sum.LastHeardUnixNano-sum.StartUnixNano)
			}
			if !w.inFlight && sum.DurationNano != int64(time.Second+time.Millisecond) {
				t.Errorf("duration %v, want the spans' 1.001s", time.Duration(sum.DurationNano))
			}
			st := f.stats()
			if st.OpenSpans != int64(w.open) || st.LostSpans != int64(w.lost) {
				t.Errorf("stats open %d lost %d, want %d %d", st.OpenSpans, st.LostSpans, w.open, w.lost)
			}
			if st.AnnouncementsLate != w.late {
				t.Errorf("stats late %d, want %d", st.AnnouncementsLate, w.late)
			}
			wantFinished := int64(1)
			if w.state == StateFinished {
				wantFinished = 2
			}
			if st.Spans != wantFinished {
				t.Errorf("stats spans %d, want %d (finished ones)", st.Spans, wantFinished)
			}
		})
	}
}

func heartbeatLogs(f *flight, n int, freq time.Duration) plog.Logs {
	return announcetest.Heartbeat(spanTD(n, false), freq, f.clk.now())
}

func stopLogs(f *flight, n int) plog.Logs {
	return announcetest.Stop(spanTD(n, true), f.clk.now())
}

// TestInflightRetention: retention deletes a trace with spans in flight,
// with them, only once they were last heard longer ago than its age.
func TestInflightRetention(t *testing.T) {
	f := newFlight(t, Options{RetentionAge: time.Minute})
	f.finish(1)
	f.heartbeat(2, time.Second, 0)
	f.clk.add(10 * time.Minute) // the finished span is old; the open one lost
	f.pass()
	f.heartbeat(3, time.Second, 0) // heard now: the trace stays
	if err := f.s.enforceRetention(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := f.page(); len(p.Spans) != 3 || p.Summary.LostSpans != 1 || p.Summary.OpenSpans != 1 {
		t.Fatalf("kept %d spans, summary %+v", len(p.Spans), p.Summary)
	}
	f.clk.add(2 * time.Minute)
	f.pass()
	if err := f.s.enforceRetention(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Trace(context.Background(), hexID(flightTrace), Page{}); err == nil {
		t.Fatal("trace kept past its age")
	}
	st := f.stats()
	if st.OpenSpans != 0 || st.LostSpans != 0 || st.Spans != 0 || st.Traces != 0 {
		t.Errorf("stats after retention: %+v", st)
	}
	for _, table := range []string{"open_spans", "span_changes"} {
		runJob(t, f.s, func(w *wconn) error {
			return w.query("SELECT count(*) FROM "+table, nil, 1, func(v []driver.Value) error {
				if n, _ := v[0].(int64); n != 0 {
					t.Errorf("%s keeps %d rows", table, n)
				}
				return nil
			})
		})
	}
}

// TestLostByTheStoresGoroutine: with the real clock, the Store's own
// goroutine marks a span lost three intervals after its last heartbeat,
// woken by the heartbeat's deadline (no pass runs by the test).
func TestLostByTheStoresGoroutine(t *testing.T) {
	s := openTest(t, Options{})
	start := time.Now()
	td := announcetest.Span("svc", traceID(3), spanID(3), pcommon.SpanID{}, "dies", start, time.Time{})
	res, err := s.AppendLogs(context.Background(), announcetest.Heartbeat(td, 20*time.Millisecond, start))
	if err != nil || res.Rejected != 0 {
		t.Fatal(res, err)
	}
	var sp Span
	poll.Until(t, 10*time.Second, "the span lost", func() bool {
		p, err := s.Trace(context.Background(), hexID(traceID(3)), Page{})
		if err != nil {
			t.Fatal(err)
		}
		sp = p.Spans[0]
		return sp.State == StateLost
	})
	if lost := time.Since(start); lost < 60*time.Millisecond {
		t.Errorf("lost after %v, before three intervals of 20ms", lost)
	}
	if sp.LastHeardUnixNano < start.UnixNano() || sp.LastHeardUnixNano > time.Now().UnixNano() {
		t.Errorf("last heard %d", sp.LastHeardUnixNano)
	}
}
