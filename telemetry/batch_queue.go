package telemetry

import (
	"context"
	"sync"
	"time"
)

// batchQueue is sightline's batch processor: of a span sink for
// sightline's own spans (the lean span path, lean.go; the SDK's batch
// span processor takes SDK spans for the same endpoint), and of every log
// sink with a batch processor (sink_log.go). It batches as the SDK's
// processors do with sightline's settings: an item waits at most
// batchDelay, batchSize items go out at once, and the sink's queue bound
// (admit) caps what it holds at batchQueueSize; exports run one at a time
// on its goroutine, through export, which counts them and bounds them by
// the sink's export timeout.
//
// Unlike the SDK's log batch processor, whose queue is a ring of
// batchQueueSize records made up front (1.5 MB per endpoint, which every
// garbage collection scans, used or not), it holds a slice that grows
// with what is queued and is let go when a burst has passed.
type batchQueue[T any] struct {
	s      *sinkBase
	export func(batch []T) // exports and counts one batch

	mu     sync.Mutex
	items  []T
	closed bool // after shutdown: what arrives is dropped (counted)

	kick  chan struct{}      // a first span to time, or a full batch
	flush chan chan struct{} // ForceFlush: export everything, then reply
	stop  chan struct{}      // closed by shutdown
	done  chan struct{}      // closed when run returns
	once  sync.Once
}

func newBatchQueue[T any](s *sinkBase, export func([]T)) *batchQueue[T] {
	q := &batchQueue[T]{s: s, export: export, kick: make(chan struct{}, 1), flush: make(chan chan struct{}),
		stop: make(chan struct{}), done: make(chan struct{})}
	go q.run()
	return q
}

// add queues an item the sink has admitted. It never blocks.
func (q *batchQueue[T]) add(item T) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		q.s.pending.Add(-1)
		q.s.drop(1)
		return
	}
	q.items = append(q.items, item)
	n := len(q.items)
	q.mu.Unlock()
	if n == 1 || n == batchSize {
		signal(q.kick)
	}
}

// run is the queue's goroutine: it exports full batches at once and the
// rest batchDelay after the first of them arrived, until shutdown, when it
// exports what is left.
func (q *batchQueue[T]) run() {
	defer close(q.done)
	timer := time.NewTimer(batchDelay)
	timer.Stop()
	armed := false
	var batch []T
	for {
		select {
		case <-q.kick:
			batch = q.exportFull(batch)
			if !armed && q.len() > 0 {
				timer.Reset(batchDelay)
				armed = true
			}
		case <-timer.C:
			armed = false
			batch = q.exportAll(batch)
		case reply := <-q.flush:
			batch = q.exportAll(batch)
			close(reply)
		case <-q.stop:
			q.exportAll(batch)
			return
		}
	}
}

func (q *batchQueue[T]) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// take moves up to batchSize items, oldest first, into batch, when at
// least least are queued. A queue left empty lets a backing array larger
// than a batch go (a burst's).
func (q *batchQueue[T]) take(batch []T, least int) []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) < least || len(q.items) == 0 {
		return batch[:0]
	}
	n := min(len(q.items), batchSize)
	batch = append(batch[:0], q.items[:n]...)
	rest := copy(q.items, q.items[n:])
	clear(q.items[rest:])
	q.items = q.items[:rest]
	if rest == 0 && cap(q.items) > batchSize {
		q.items = nil
	}
	return batch
}

// exportFull exports full batches while there are any.
func (q *batchQueue[T]) exportFull(batch []T) []T {
	for {
		if batch = q.take(batch, batchSize); len(batch) == 0 {
			return batch
		}
		q.send(batch)
	}
}

// exportAll exports everything queued, in batches.
func (q *batchQueue[T]) exportAll(batch []T) []T {
	for {
		if batch = q.take(batch, 1); len(batch) == 0 {
			return batch
		}
		q.send(batch)
	}
}

// send exports one batch, then lets its items go.
func (q *batchQueue[T]) send(batch []T) {
	q.export(batch)
	clear(batch)
}

// forceFlush exports everything queued and returns when it has been
// exported, or ctx's error when ctx ends first.
func (q *batchQueue[T]) forceFlush(ctx context.Context) error {
	reply := make(chan struct{})
	select {
	case q.flush <- reply:
	case <-q.done:
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

// shutdown exports what is queued and stops the goroutine; spans that
// arrive later are dropped (counted). It waits for the goroutine until
// ctx ends (the sink's abort bounds the exports).
func (q *batchQueue[T]) shutdown(ctx context.Context) error {
	q.once.Do(func() {
		q.mu.Lock()
		q.closed = true
		q.mu.Unlock()
		close(q.stop)
	})
	select {
	case <-q.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
