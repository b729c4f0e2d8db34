package telemetry

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
)

// The announcer's bounds.
const (
	// maxTick is the longest time between two sweeps of a busy sweeper
	// (shorter when the threshold or interval is below 800 ms: a quarter
	// of the shorter, at least minTick).
	maxTick = 200 * time.Millisecond
	minTick = 10 * time.Millisecond
	// maxAnnouncementsPerSecond bounds the records one announcer emits:
	// each sweep emits at most this much per second of its tick (1000 at
	// the default 200 ms) and defers the rest to the next sweep, oldest
	// due first.
	maxAnnouncementsPerSecond = 5000
	// maxWatched bounds the open spans one announcer watches; spans
	// beyond it are not announced (counted in overflow).
	maxWatched = 100_000
)

// InFlightScope is the instrumentation scope of announcement records.
const InFlightScope = "github.com/sightline-dev/sightline/telemetry/inflight"

// tickFor is the sweep period for a threshold and an interval.
func tickFor(s InFlightSettings) time.Duration {
	return min(max(min(s.Threshold, s.Interval)/4, minTick), maxTick)
}

// budgetFor is how many records one sweep of period tick may emit.
func budgetFor(tick time.Duration) int {
	return max(1, int(maxAnnouncementsPerSecond*tick/time.Second))
}

// inflightCounters are a component's announcing counters, summed over the
// announcers of all its generations.
type inflightCounters struct {
	watched, open                                          atomic.Int64
	heartbeats, stops, overflow, deferred, trimmed, broken atomic.Uint64
}

// announcer announces a traces generation's long spans: the generation's
// span processor registers each sampled span in live, and the sweeper
// goroutine (run) watches them and emits heartbeat and stop records
// through a log provider over the generation's announcement sinks. It
// lives until the generation retires: after its last span has ended (or
// the drain timeout), close sweeps a last time and stops it.
type announcer struct {
	c      *Component
	live   *liveSet
	sinks  []*logSink
	lp     *sdklog.LoggerProvider
	logger log.Logger
	stop   chan struct{} // closed by close
	done   chan struct{} // closed when run returns
	sweeps atomic.Uint64 // sweeps done, for tests

	// Owned by the sweeper goroutine (or, before run starts, by whoever
	// calls sweep: the benchmarks).
	epoch   time.Time // times are kept as offsets from it
	watched []watchedSpan
	cursor  int // where the next sweep starts, so deferred spans go first
	spare   [liveShards][]liveSpan
}

// newAnnouncer makes an announcer over sinks; run starts its sweeper.
func newAnnouncer(c *Component, sinks []*logSink) *announcer {
	opts := make([]sdklog.LoggerProviderOption, 0, len(sinks)+1)
	for _, s := range sinks {
		opts = append(opts, sdklog.WithProcessor(logSinkRef{s}))
	}
	lp := sdklog.NewLoggerProvider(append(opts, sdklog.WithResource(c.res))...)
	return &announcer{c: c, live: newLiveSet(&c.inflight.overflow), sinks: sinks, lp: lp,
		logger: lp.Logger(InFlightScope), stop: make(chan struct{}), done: make(chan struct{}), epoch: time.Now()}
}

// run is the sweeper: it sweeps every tick while spans are watched or
// registered, and sleeps without a timer while there are none, until the
// first registration wakes it. After close it sweeps once more and
// returns.
func (a *announcer) run() {
	defer close(a.done)
	timing := a.c.timing.Load()
	tick := tickFor(*timing)
	t := time.NewTicker(tick)
	defer t.Stop()
	idle := false
	for {
		if next := a.c.timing.Load(); next != timing { // changed at runtime
			timing = next
			if nt := tickFor(*timing); nt != tick {
				tick = nt
				if !idle {
					t.Reset(tick)
				}
			}
		}
		if idle {
			select {
			case <-a.live.wake:
				idle = false
				t.Reset(tick)
			case <-a.stop:
				a.final()
				return
			}
			continue
		}
		select {
		case <-t.C:
		case <-a.live.full:
		case <-a.stop:
			a.final()
			return
		}
		a.sweep(time.Now(), *timing, budgetFor(tick))
		a.sweeps.Add(1)
		if len(a.watched) == 0 && a.live.empty() {
			idle = true
			t.Stop()
		}
	}
}

// final is the last sweep, once the generation has no live span (or has
// given up on them): every announced span that has ended gets its stop
// record, without the per-sweep bound; those still open are forgotten.
func (a *announcer) final() {
	a.sweep(time.Now(), *a.c.timing.Load(), maxWatched+liveShards*liveShardCap)
	for _, w := range a.watched {
		a.forget(w)
	}
	a.watched = nil
}

// close stops the sweeper after its last sweep and shuts the log provider
// down (the sinks are flushed when released). It waits for the sweeper
// at most until ctx ends.
func (a *announcer) close(ctx context.Context) error {
	close(a.stop)
	select {
	case <-a.done:
	case <-ctx.Done():
		return fmt.Errorf("in-flight sweeper of %s: %w", a.c.name, ctx.Err())
	}
	if err := a.lp.Shutdown(ctx); err != nil {
		return fmt.Errorf("in-flight log provider of %s: %w", a.c.name, err)
	}
	return nil
}
