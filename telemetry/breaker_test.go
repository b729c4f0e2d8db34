package telemetry

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sightline-dev/sightline/telemetry/internal/ratelog"
)

// scriptedSend is a breaker's send whose outcome the test decides per call:
// it records each call's time and batch, and what got through.
type scriptedSend struct {
	mu        sync.Mutex
	calls     []time.Time
	batches   [][]int
	delivered []int
	outcome   func(call int, ctx context.Context) error // call counts from 0
}

func (s *scriptedSend) send(ctx context.Context, batch []int) error {
	s.mu.Lock()
	call := len(s.calls)
	s.calls = append(s.calls, time.Now())
	s.batches = append(s.batches, slices.Clone(batch))
	outcome := s.outcome
	s.mu.Unlock()
	err := outcome(call, ctx)
	if err == nil {
		s.mu.Lock()
		s.delivered = append(s.delivered, batch...)
		s.mu.Unlock()
	}
	return err
}

// count is the number of sends so far.
func (s *scriptedSend) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

func (s *scriptedSend) setOutcome(f func(int, context.Context) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outcome = f
}

// snapshot returns the calls, batches and deliveries so far.
func (s *scriptedSend) snapshot() ([]time.Time, [][]int, []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls), slices.Clone(s.batches), slices.Clone(s.delivered)
}

func testSink(t *testing.T) *sinkBase {
	s := &sinkBase{signal: SignalTraces, ep: Endpoint{Exporter: ExporterHTTP, URL: "http://collector.invalid/v1/traces"},
		processor: "simple", target: "test", diag: ratelog.New(slog.New(slog.DiscardHandler)),
		totals: &signalTotals{}, timeout: 500 * time.Millisecond}
	s.aborted, s.abort = context.WithCancel(context.Background())
	t.Cleanup(s.abort)
	return s
}

var errRefused = errors.New("connection refused")

// TestBreakerProbeBackoff: after a failed export, the caller's exports are
// held (the held one replaced and counted dropped) and never sent in the
// caller's goroutine; the prober sends the latest held item with waits of
// 250 ms doubling to a 5 s cap, each within ±20 %; the probe that gets
// through delivers its item and ends the failing state.
func TestBreakerProbeBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const failures = 7 // probes that fail before one gets through
		sc := &scriptedSend{outcome: func(call int, _ context.Context) error {
			if call <= failures { // call 0 is the caller's export
				return errRefused
			}
			return nil
		}}
		s := testSink(t)
		b := newBreaker(s, sc.send, func(i int) int { return i })
		ctx := context.Background()

		b.export(ctx, []int{1}) // fails: the breaker opens
		opened := time.Now()
		for i := 2; i <= 4; i++ {
			b.export(ctx, []int{i}) // held; each replaces the one before
		}
		if n := sc.count(); n != 1 {
			t.Fatalf("%d sends in the caller's goroutine, want only the first", n)
		}
		st := s.status(true)
		if st.State != "failing" || st.Failed != 1 || st.Dropped != 2 || st.Pending != 1 || st.LastError != errRefused.Error() {
			t.Fatalf("while failing: %+v", st)
		}

		time.Sleep(time.Minute) // fake time: the prober runs its course
		synctest.Wait()
		calls, batches, delivered := sc.snapshot()
		st = s.status(true)
		if st.State != "ok" || st.Exported != 1 || st.Failed != 1 || st.Dropped != 2 || st.Pending != 0 || st.Queued != 4 {
			t.Errorf("after recovery: %+v", st)
		}
		if !slices.Equal(delivered, []int{4}) {
			t.Errorf("delivered %v, want the latest held item [4]", delivered)
		}
		prev, wait := opened, probeInitial
		for i, at := range calls[1:] {
			gap := at.Sub(prev)
			lo, hi := time.Duration(float64(wait)*(1-probeJitter)), time.Duration(float64(wait)*(1+probeJitter))
			if gap < lo || gap > hi {
				t.Errorf("probe %d came %v after the one before, want within [%v, %v]", i+1, gap, lo, hi)
			}
			if !slices.Equal(batches[i+1], []int{4}) {
				t.Errorf("probe %d sent %v, want [4]", i+1, batches[i+1])
			}
			prev, wait = at, min(2*wait, probeMax)
		}
		if len(calls) != 1+failures+1 {
			t.Errorf("%d sends, want the first, %d failed probes and the one that got through", len(calls), failures)
		}

		b.export(ctx, []int{5}) // the caller's path has resumed
		if st := s.status(true); st.Exported != 2 || sc.count() != 1+failures+2 {
			t.Errorf("after recovery the caller's export was not sent: %+v", st)
		}
		b.close()
	})
}

// TestBreakerAccountsEveryItemOnce: items held while a probe is in flight
// replace each other (dropped), the probe's own item is dropped when it
// fails with a newer one held, an item held while a successful probe runs
// is sent right after it, and close drops what is still held and stops the
// prober (synctest fails if a goroutine is left). Every item ends exported,
// failed or dropped, exactly once.
func TestBreakerAccountsEveryItemOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sc := &scriptedSend{outcome: func(call int, ctx context.Context) error {
			switch call {
			case 0: // the caller's export fails
				return errRefused
			case 1: // the first probe hangs until its timeout
				<-ctx.Done()
				return ctx.Err()
			case 2: // the second probe is slow, then gets through
				time.Sleep(100 * time.Millisecond)
				return nil
			}
			return nil
		}}
		s := testSink(t)
		b := newBreaker(s, sc.send, func(i int) int { return i })
		ctx := context.Background()

		b.export(ctx, []int{1})    // failed
		b.export(ctx, []int{2, 3}) // held: the first probe's payload
		time.Sleep(probeInitial + probeInitial/2)
		synctest.Wait() // the first probe hangs with [2 3]
		if n := sc.count(); n != 2 {
			t.Fatalf("%d sends, want the first probe in flight", n)
		}
		b.export(ctx, []int{4}) // held while the probe is in flight
		b.export(ctx, []int{5}) // replaces 4
		time.Sleep(s.timeout)   // the probe times out: [2 3] dropped, 5 kept
		synctest.Wait()
		if st := s.status(true); st.Dropped != 3 || st.Pending != 1 || st.State != "failing" {
			t.Fatalf("after the hung probe: %+v", st)
		}
		for sc.count() < 3 { // until the second probe starts
			time.Sleep(10 * time.Millisecond)
			synctest.Wait()
		}
		b.export(ctx, []int{6}) // held while the successful probe runs
		time.Sleep(time.Second)
		synctest.Wait()
		st := s.status(true)
		if st.State != "ok" || st.Exported != 2 || st.Failed != 1 || st.Dropped != 3 || st.Pending != 0 {
			t.Errorf("after recovery: %+v", st)
		}
		if _, _, delivered := sc.snapshot(); !slices.Equal(delivered, []int{5, 6}) {
			t.Errorf("delivered %v, want [5 6]", delivered)
		}

		// Failing again, then shut down: the held item is dropped, the
		// prober stops, and later exports are dropped.
		sc.setOutcome(func(int, context.Context) error { return errRefused })
		b.export(ctx, []int{7})
		b.export(ctx, []int{8})
		b.close()
		b.export(ctx, []int{9})
		st = s.status(true)
		if st.Exported+st.Failed+st.Dropped != 9 || st.Pending != 0 || st.Failed != 2 || st.Dropped != 5 {
			t.Errorf("after close: %+v; want all 9 items exported, failed or dropped once", st)
		}
	})
}
