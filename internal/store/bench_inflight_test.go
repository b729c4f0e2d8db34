package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/spangen"
	"github.com/sightline-dev/sightline/internal/store/announcetest"
)

// heartbeats returns logs of n heartbeats of spans first..first+n-1 of
// traces of 10 (span i of trace i/10), each with 8 attributes.
func heartbeats(first, n int, at time.Time) plog.Logs {
	ld := plog.NewLogs()
	for i := first; i < first+n; i++ {
		td := spanTD(1, false, "plan.name", "grid_scan", "motor", "bl12/motor/1", "run.uid", "run-000001",
			"operator", "bench", "detector", "pilatus", "plan.step", "12", "points", "1000", "unit", "mm")
		sp := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		sp.SetTraceID(traceID(uint64(1_000_000 + i/10)))
		sp.SetSpanID(spanID(uint64(1_000_000 + i)))
		announcetest.Heartbeat(td, 10*time.Second, at).ResourceLogs().MoveAndAppendTo(ld.ResourceLogs())
	}
	return ld
}

// BenchmarkAppendTracesBeside runs BenchmarkAppendTraces's load alone and
// with 1,000 heartbeats/s of 10,000 open spans beside it (requests of 100
// every 100 ms, each on time in its own goroutine), side by side: run it
// with -count to alternate them. It reports spans/s and, with heartbeats,
// those stored per second and their slowest append (its lag).
func BenchmarkAppendTracesBeside(b *testing.B) {
	for _, rate := range []int{0, 1000} {
		b.Run(fmt.Sprintf("heartbeats=%d", rate), func(b *testing.B) { appendTracesLoad(b, rate) })
	}
}

// beside starts appending rate heartbeats/s to s (0: none) and returns
// the function that stops it, given the load's elapsed time, reporting
// what it stored.
func beside(b *testing.B, s *Store, rate int) func(elapsed time.Duration) {
	if rate == 0 {
		return func(time.Duration) {}
	}
	per, open := rate/10, rate*10
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var stored int
	var slowest time.Duration
	wg.Go(func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i += per {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			ld := heartbeats(i%open, per, time.Now())
			wg.Go(func() {
				t0 := time.Now()
				res, err := s.AppendLogs(context.Background(), ld)
				took := time.Since(t0)
				if err != nil || res.Accepted != per {
					b.Errorf("heartbeats: %+v, %v", res, err)
				}
				mu.Lock()
				stored += per
				slowest = max(slowest, took)
				mu.Unlock()
			})
		}
	})
	return func(elapsed time.Duration) {
		close(stop)
		wg.Wait()
		b.ReportMetric(float64(stored)/elapsed.Seconds(), "heartbeats/s")
		b.ReportMetric(float64(slowest.Microseconds())/1000, "max-lag-ms")
	}
}

// BenchmarkAppendHeartbeats stores requests of 100 heartbeats, each of an
// open span already stored (the steady state: every open span heard again
// every interval), 10,000 open spans in all. One op is one request.
func BenchmarkAppendHeartbeats(b *testing.B) {
	s := openTest(b, Options{})
	const open, per = 10000, 100
	for i := 0; i < open; i += per {
		if _, err := s.AppendLogs(context.Background(), heartbeats(i, per, base)); err != nil {
			b.Fatal(err)
		}
	}
	reqs := make([]plog.Logs, open/per)
	for i := range reqs {
		reqs[i] = heartbeats(i*per, per, base.Add(time.Second))
	}
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		res, err := s.AppendLogs(context.Background(), reqs[n%len(reqs)])
		if err != nil || res.Accepted != per {
			b.Fatalf("append: %+v, %v", res, err)
		}
		n++
	}
	b.ReportMetric(float64(n*per)/b.Elapsed().Seconds(), "heartbeats/s")
}

// BenchmarkTraceChanges100k polls a 100,000-span trace with an open span
// for what changed since the previous poll (one heartbeat), beside
// fetching its first page (BenchmarkTraceFirstPage100k) and the whole
// trace, which a poll would cost without tokens.
func BenchmarkTraceChanges100k(b *testing.B) {
	s := openTest(b, Options{})
	tid := traceID(77)
	err := spangen.BigTrace(tid, 100000, 5000, base, func(td ptrace.Traces) error {
		_, err := s.AppendTraces(context.Background(), td)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	td := spanTD(1, false)
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SetTraceID(tid)
	beat := func() {
		if _, err := s.AppendLogs(context.Background(), announcetest.Heartbeat(td, 10*time.Second, time.Now())); err != nil {
			b.Fatal(err)
		}
	}
	beat()
	id := hexID(tid)
	p, err := s.Trace(context.Background(), id, Page{Limit: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("changes", func(b *testing.B) {
		tok := p.Changes
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			beat()
			b.StartTimer()
			ch, err := s.TraceChanges(context.Background(), id, tok, 0)
			if err != nil || len(ch.Spans) != 1 {
				b.Fatalf("%d spans, %v", len(ch.Spans), err)
			}
			tok = ch.Changes
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/poll")
	})
	b.Run("whole", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var cur string
			for {
				pg, err := s.Trace(context.Background(), id, Page{Limit: maxSpanLimit, Cursor: cur})
				if err != nil {
					b.Fatal(err)
				}
				if cur = pg.Cursor; cur == "" {
					break
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/poll")
	})
}
