package telemetry

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// batchLoop is the goroutine and the signals of sightline's batch
// processors (recordProcessor for log records, spanBatcher for lean
// spans).
// They batch as the SDK's processors do with sightline's settings: an item
// waits at most batchDelay, batchSize items go out at once, the sink's
// queue bound (admit) caps what is held at batchQueueSize, and exports run
// one at a time on the loop's goroutine.
type batchLoop struct {
	kick  chan struct{}      // a first item to time, or a full batch
	flush chan chan struct{} // ForceFlush: export everything, then reply
	stop  chan struct{}      // closed by shutdown
	done  chan struct{}      // closed when run returns
	once  sync.Once
	// armed is set while the batch delay's timer runs: an item that finds
	// it set need not kick the goroutine to be exported in time.
	armed atomic.Bool
}

func newBatchLoop() batchLoop {
	return batchLoop{kick: make(chan struct{}, 1), flush: make(chan chan struct{}),
		stop: make(chan struct{}), done: make(chan struct{})}
}

// run is the processor's goroutine: at a kick it exports the full batches
// (full) and, when items wait (waiting), times them; batchDelay after the
// first of them arrived, at a flush and at shutdown it exports everything
// (all). It returns after shutdown's export.
func (l *batchLoop) run(full, all func(), waiting func() bool) {
	defer close(l.done)
	timer := time.NewTimer(batchDelay)
	timer.Stop()
	for {
		select {
		case <-l.kick:
			full()
			if !l.armed.Load() && waiting() {
				l.armed.Store(true)
				timer.Reset(batchDelay)
			}
		case <-timer.C:
			// Disarmed before the export: an item added from here on
			// kicks, and one added before is exported now.
			l.armed.Store(false)
			all()
			if waiting() {
				l.armed.Store(true)
				timer.Reset(batchDelay)
			}
		case reply := <-l.flush:
			all()
			close(reply)
		case <-l.stop:
			all()
			return
		}
	}
}

// forceFlush has the goroutine export everything and returns when it has,
// or with ctx's error when ctx ends first.
func (l *batchLoop) forceFlush(ctx context.Context) error {
	reply := make(chan struct{})
	select {
	case l.flush <- reply:
	case <-l.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-reply:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// shutdown seals the processor (seal: what arrives later is dropped and
// counted) and stops the goroutine after its last export, which it waits
// for until ctx ends (the sink's abort bounds the exports).
func (l *batchLoop) shutdown(ctx context.Context, seal func()) error {
	l.once.Do(func() {
		seal()
		close(l.stop)
	})
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
