package telemetry

import (
	"context"
	"math"
	"sync/atomic"
	"time"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
)

// closedGen is what a generation's live count is set to when it is shut
// down: far below zero, so an acquire that races with the close sees a
// negative count and moves to the current generation instead.
const closedGen = math.MinInt64 / 2

// generation is one pipeline: an SDK provider bound to a fixed set of
// endpoint sinks. A span belongs to the generation current at its start and
// is exported by that generation's sinks when it ends, whatever has changed
// since. A replaced generation retires: it waits in the background until its
// live spans have ended (or the drain timeout passes), then shuts down and
// releases its sinks.
type generation struct {
	live    atomic.Int64 // spans (or emits) in flight; closedGen once shut down
	retired atomic.Bool
	drained chan struct{} // signalled when live reaches 0 after retirement

	endpoints []Endpoint
	spans     []*spanSink
	logs      []*logSink
	ann       *announcer               // traces generations with in-flight announcing; nil otherwise
	annSinks  []*logSink               // ann's sinks
	tp        *sdktrace.TracerProvider // traces generations on the SDK's path
	lean      *leanspan.Provider       // traces generations on the lean path (lean.go)
	lp        *sdklog.LoggerProvider   // logs generations
}

func newGeneration(eps []Endpoint) *generation {
	return &generation{drained: make(chan struct{}, 1), endpoints: eps}
}

// acquire counts one more live item; false means the generation is closed
// and the caller must use the current one.
func (g *generation) acquire() bool {
	if g.live.Add(1) < 0 {
		g.live.Add(-1)
		return false
	}
	return true
}

// release ends one live item and wakes the retirement when it was the last.
func (g *generation) release() {
	if g.live.Add(-1) == 0 && g.retired.Load() {
		select {
		case g.drained <- struct{}{}:
		default:
		}
	}
}

// drain waits until no item is live and closes the generation to new ones.
// It returns the number of items still live when timeout or stop ended the
// wait (they will not be exported).
func (g *generation) drain(timeout time.Duration, stop <-chan struct{}) int64 {
	g.retired.Store(true)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		if g.live.CompareAndSwap(0, closedGen) {
			return 0
		}
		select {
		case <-g.drained:
		case <-timer.C:
			return g.forceClose()
		case <-stop:
			return g.forceClose()
		}
	}
}

func (g *generation) forceClose() int64 {
	for {
		n := g.live.Load()
		if n < 0 {
			return 0
		}
		if g.live.CompareAndSwap(n, closedGen) {
			return n
		}
	}
}

// tracer is the tracer of a traces generation for a scope.
func (g *generation) tracer(name string, opts []trace.TracerOption) trace.Tracer {
	if g.lean != nil {
		return g.lean.Tracer(name, opts...)
	}
	return g.tp.Tracer(name, opts...)
}

// shutdown flushes and stops the generation's provider; the sinks are
// released by the caller.
func (g *generation) shutdown(ctx context.Context) error {
	if g.tp != nil {
		return g.tp.Shutdown(ctx)
	}
	if g.lp != nil {
		return g.lp.Shutdown(ctx)
	}
	return nil
}
