package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// clock is a settable clock for seams.now.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time        { return time.Unix(0, c.ns.Load()) }
func (c *clock) set(t time.Time)       { c.ns.Store(t.UnixNano()) }
func hookTo(ch chan error) func(error) { return func(err error) { ch <- err } }

// oneTrace is trace n: a root and a child of service svc, from start to
// end.
func oneTrace(n uint64, svc string, start, end time.Time) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", svc)
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for i := range uint64(2) {
		sp := spans.AppendEmpty()
		sp.SetTraceID(traceID(n))
		sp.SetSpanID(spanID(n*2 + i))
		if i == 1 {
			sp.SetParentSpanID(spanID(n * 2))
		}
		sp.SetName(fmt.Sprintf("op-%d", n))
		sp.SetStartTimestamp(ts(start))
		sp.SetEndTimestamp(ts(end))
	}
	return td
}

func oneLog(svc string, at time.Time, trace uint64) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", svc)
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(ts(at))
	lr.Body().SetStr(fmt.Sprintf("log at %v", at))
	if trace != 0 {
		lr.SetTraceID(traceID(trace))
	}
	return ld
}

func appendLogs(t *testing.T, s *Store, ld plog.Logs) {
	t.Helper()
	if _, err := s.AppendLogs(context.Background(), ld); err != nil {
		t.Fatal(err)
	}
}

func present(t *testing.T, s *Store, n uint64) bool {
	t.Helper()
	_, err := s.Trace(context.Background(), hexID(traceID(n)), Page{})
	if err != nil && !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func TestRetentionByAge(t *testing.T) {
	var c clock
	c.set(base)
	hook := make(chan error, 10)
	s := openSeams(t, Options{RetentionAge: time.Hour}, seams{now: c.now, afterRetention: hookTo(hook)})
	mustAppend(t, s, oneTrace(1, "a", base, base.Add(5*time.Millisecond)))                 // old
	mustAppend(t, s, oneTrace(2, "b", base.Add(50*time.Minute), base.Add(51*time.Minute))) // old
	mustAppend(t, s, oneTrace(3, "a", base, base.Add(100*time.Minute)))                    // old start, ends after the cutoff
	mustAppend(t, s, oneTrace(4, "b", base.Add(2*time.Hour), base.Add(2*time.Hour)))       // new
	appendLogs(t, s, oneLog("a", base, 1))
	appendLogs(t, s, oneLog("b", base.Add(50*time.Minute), 0))
	appendLogs(t, s, oneLog("b", base.Add(2*time.Hour), 0))

	c.set(base.Add(2*time.Hour + 30*time.Minute)) // cutoff: base+1h30m
	if err := s.enforceRetention(context.Background()); err != nil {
		t.Fatal(err)
	}
	for n, want := range map[uint64]bool{1: false, 2: false, 3: true, 4: true} {
		if got := present(t, s, n); got != want {
			t.Errorf("trace %d present: %v, want %v", n, got, want)
		}
	}
	logs, _ := s.SearchLogs(context.Background(), LogQuery{})
	if len(logs.Logs) != 1 || logs.Logs[0].TimeUnixNano != base.Add(2*time.Hour).UnixNano() {
		t.Errorf("logs left: %+v", logs.Logs)
	}
	st, _ := s.Stats(context.Background())
	if st.Traces != 2 || st.Spans != 4 || st.Logs != 1 {
		t.Errorf("stats %+v", st)
	}
	// The join rows went with the traces.
	if res, _ := s.SearchTraces(context.Background(), TraceQuery{SpanName: "op-1"}); len(res.Traces) != 0 {
		t.Errorf("search finds a deleted trace: %+v", res)
	}
	if names, _ := s.SpanNames(context.Background(), "b"); len(names) != 1 || names[0] != "op-4" {
		t.Errorf("span names of b: %v", names)
	}

	// The goroutine's pass, asked for, does the same.
	c.set(base.Add(5 * time.Hour))
	s.kickRetention()
	if err := <-hook; err != nil {
		t.Fatal(err)
	}
	if present(t, s, 3) || present(t, s, 4) {
		t.Error("traces 3 and 4 outlived the retention age")
	}
}

func TestRetentionBySize(t *testing.T) {
	hook := make(chan error, 1000)
	s := openSeams(t, Options{RetentionBytes: 1 << 20}, seams{afterRetention: hookTo(hook)})
	const requests, per = 60, 50
	// Ingest goes on while the writer asks for retention passes and
	// they run.
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(3, uint64(g)))
			for i := g; i < requests; i += 2 {
				t0 := base.Add(time.Duration(i) * time.Minute)
				mustAppend(t, s, loadTraces(r, uint64(i*per), per, 10, t0))
				appendLogs(t, s, oneLog("frontend", t0, 0))
			}
		})
	}
	wg.Wait()
	if s.retentionSteps.Load() == 0 {
		t.Error("no retention step ran during ingest")
	}
	if err := s.enforceRetention(context.Background()); err != nil {
		t.Fatal(err)
	}
	for len(hook) > 0 {
		if err := <-hook; err != nil {
			t.Error(err)
		}
	}
	// A pass the writer asked for during ingest may still be running:
	// when the counters and the traces found disagree, wait for its
	// report and look again.
	var st Stats
	for {
		var err error
		if st, err = s.Stats(context.Background()); err != nil {
			t.Fatal(err)
		}
		if st.UsedBytes > 1<<20 {
			t.Errorf("used %d bytes, cap %d", st.UsedBytes, 1<<20)
		}
		if st.Traces == 0 || st.Traces >= requests*per {
			t.Fatalf("%d traces left", st.Traces)
		}
		// What is left is the newest: a suffix of the traces by start.
		var left []uint64
		for q := (TraceQuery{Limit: 1000}); ; {
			res, err := s.SearchTraces(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			left = append(left, ids(t, res)...)
			if q.Cursor = res.Cursor; q.Cursor == "" {
				break
			}
		}
		slices.Sort(left)
		first := uint64(requests*per) - uint64(st.Traces)
		if len(left) == int(st.Traces) && left[0] == first && left[len(left)-1] == requests*per-1 {
			break
		}
		select {
		case err := <-hook:
			if err != nil {
				t.Error(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%d traces left, from %d to %d; want the newest %d, from %d", len(left), left[0], left[len(left)-1], st.Traces, first)
		}
	}
	logs, _ := s.SearchLogs(context.Background(), LogQuery{Limit: 1000})
	oldest := s.seams.now()
	res, _ := s.SearchTraces(context.Background(), TraceQuery{Limit: 1000})
	if len(res.Traces) > 0 {
		oldest = time.Unix(0, res.Traces[len(res.Traces)-1].StartUnixNano)
	}
	for _, l := range logs.Logs {
		if l.TimeUnixNano < oldest.Add(-time.Minute).UnixNano() {
			t.Errorf("log at %v outlived traces from %v", time.Unix(0, l.TimeUnixNano), oldest)
		}
	}
	t.Logf("%d traces, %d logs, %d bytes used of %d", st.Traces, st.Logs, st.UsedBytes, 1<<20)
}
