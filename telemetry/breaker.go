package telemetry

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Probe backoff of a failing simple-processor endpoint: the first probe
// 250 ms after the failure, the wait doubling to at most 5 s while probes
// fail, each wait jittered by ±20 % so that many processes do not probe a
// recovering collector in step.
const (
	probeInitial = 250 * time.Millisecond
	probeMax     = 5 * time.Second
	probeJitter  = 0.2
)

// breaker keeps a simple processor's network export off its caller's
// goroutine once the endpoint fails. While the sink is ok, export sends in
// the caller's goroutine, bounded by the sync timeout. After a failure (an
// error or the timeout) the sink is failing: export never calls the network,
// it keeps the batch as the probe payload instead (the batch it replaces is
// dropped and counted), and a background prober, owned by the sink, sends
// the payload with backoff. The first probe that gets through delivers its
// payload (counted exported), marks the sink ok and ends the prober; the
// caller's path resumes.
//
// Every item is counted exactly once: exported, failed (the export that
// opened the breaker, or one after recovery), or dropped (replaced as probe
// payload, or still held at shutdown); a held payload counts as pending.
type breaker[T any] struct {
	s    *sinkBase
	send func(context.Context, []T) error // the wrapped exporter
	keep func(T) T                        // copies an item kept past the export call

	ctx    context.Context    // ends probes: the sink's shutdown or abort
	stop   context.CancelFunc // ends ctx
	wake   chan struct{}      // a payload arrived while the prober waited for one
	sendMu sync.Mutex         // one export at a time: the SDK's log exporters ask for it
	wg     sync.WaitGroup     // the prober goroutine

	// Guarded by s.mu.
	held    []T  // the probe payload: the latest batch dropped while failing
	probing bool // a prober goroutine runs
	closed  bool
}

func newBreaker[T any](s *sinkBase, send func(context.Context, []T) error, keep func(T) T) *breaker[T] {
	b := &breaker[T]{s: s, send: send, keep: keep, wake: make(chan struct{}, 1)}
	b.ctx, b.stop = context.WithCancel(s.aborted)
	return b
}

// export sends batch in the caller's goroutine, or holds it as the probe
// payload when the sink is failing.
func (b *breaker[T]) export(ctx context.Context, batch []T) {
	if b.s.failing.Load() && b.hold(batch) {
		return
	}
	// The caller's cancellation does not end the export (a log emitted with
	// a finished request's context is still sent); the timeout does.
	err := b.sendNow(context.WithoutCancel(ctx), batch)
	b.s.endExport(len(batch), err)
	if err != nil {
		b.open()
	}
}

// sendNow exports batch bounded by the sink's timeout and abort.
func (b *breaker[T]) sendNow(ctx context.Context, batch []T) error {
	ctx, done := b.s.exportContext(ctx)
	defer done()
	b.sendMu.Lock()
	defer b.sendMu.Unlock()
	return b.send(ctx, batch)
}

// hold keeps a copy of batch as the probe payload, dropping (counted) the
// payload it replaces. False means the sink is ok again: export as usual.
func (b *breaker[T]) hold(batch []T) bool {
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failingSince.IsZero() {
		return false
	}
	if b.closed {
		s.drop(len(batch))
		return true
	}
	if n := len(b.held); n > 0 {
		s.pending.Add(-int64(n))
		s.drop(n)
	}
	b.held = b.held[:0] // the prober sets held to nil when it takes a payload
	for _, it := range batch {
		b.held = append(b.held, b.keep(it))
	}
	s.pending.Add(int64(len(batch)))
	select {
	case b.wake <- struct{}{}:
	default:
	}
	return true
}

// open starts the prober unless it runs, the sink is ok or shut down.
func (b *breaker[T]) open() {
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.probing || b.closed || s.failingSince.IsZero() {
		return
	}
	b.probing = true
	b.wg.Add(1)
	go b.run()
}

// run probes until a probe gets through or the sink shuts down.
func (b *breaker[T]) run() {
	defer b.wg.Done()
	wait := probeInitial
	for {
		t := time.NewTimer(jittered(wait))
		select {
		case <-b.ctx.Done():
			t.Stop()
			b.stopped()
			return
		case <-t.C:
		}
		batch := b.take()
		for batch == nil { // nothing to probe with: wait for the next item
			select {
			case <-b.ctx.Done():
				b.stopped()
				return
			case <-b.wake:
			}
			batch = b.take()
		}
		ctx, cancel := context.WithTimeout(b.ctx, b.s.timeout)
		b.sendMu.Lock()
		err := b.send(ctx, batch)
		b.sendMu.Unlock()
		cancel()
		if err == nil {
			b.recovered(len(batch))
			return
		}
		b.probeFailed(batch, err)
		wait = min(2*wait, probeMax)
	}
}

// take removes the probe payload (nil when there is none).
func (b *breaker[T]) take() []T {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	batch := b.held
	b.held = nil
	if len(batch) == 0 {
		return nil
	}
	return batch
}

// probeFailed puts the payload back, unless a newer batch took its place
// meanwhile (then it is dropped), and records the error.
func (b *breaker[T]) probeFailed(batch []T, err error) {
	s := b.s
	s.mu.Lock()
	if b.held == nil {
		b.held = batch
	} else {
		s.pending.Add(-int64(len(batch)))
		s.drop(len(batch))
	}
	s.failedLocked(err)
	s.mu.Unlock()
	s.diag.ExportFailed(s.target, err)
}

// recovered counts the probe's n items exported, marks the sink ok and ends
// the prober. A batch held while the probe ran is sent at once (the caller's
// path has resumed, so nobody else would send it).
func (b *breaker[T]) recovered(n int) {
	s := b.s
	s.pending.Add(-int64(n))
	s.exported.Add(uint64(n))
	s.totals.exported.Add(uint64(n))
	s.mu.Lock()
	s.recoveredLocked()
	b.probing = false
	left := b.held
	b.held = nil
	s.mu.Unlock()
	s.diag.ExportSucceeded(s.target)
	if len(left) > 0 {
		s.pending.Add(-int64(len(left)))
		err := b.sendNow(b.ctx, left)
		s.endExport(len(left), err)
		if err != nil {
			b.open()
		}
	}
}

// stopped ends the prober at shutdown.
func (b *breaker[T]) stopped() {
	b.s.mu.Lock()
	b.probing = false
	b.s.mu.Unlock()
}

// close stops the prober, waits for it and drops (counted) the payload it
// held. Later exports are dropped. Calling it again does nothing more.
func (b *breaker[T]) close() {
	s := b.s
	s.mu.Lock()
	b.closed = true
	s.mu.Unlock()
	b.stop()
	b.wg.Wait()
	s.mu.Lock()
	n := len(b.held)
	b.held = nil
	s.mu.Unlock()
	if n > 0 {
		s.pending.Add(-int64(n))
		s.drop(n)
	}
}

// jittered is d scaled by a random factor in [1-probeJitter, 1+probeJitter].
func jittered(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (1 - probeJitter + 2*probeJitter*rand.Float64()))
}
