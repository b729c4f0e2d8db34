package telemetry

import (
	"context"
	"sync"
)

// batchQueue is the batch processor of log sinks (sink_log.go): a
// batchLoop over a slice of items.
//
// Unlike the SDK's log batch processor, whose queue is a ring of
// batchQueueSize records made up front (1.5 MB per endpoint, which every
// garbage collection scans, used or not), it holds a slice that grows
// with what is queued and is let go when a burst has passed.
type batchQueue[T any] struct {
	batchLoop
	s      *sinkBase
	export func(batch []T) // exports and counts one batch

	mu     sync.Mutex
	items  []T
	closed bool // after shutdown: what arrives is dropped (counted)
}

func newBatchQueue[T any](s *sinkBase, export func([]T)) *batchQueue[T] {
	q := &batchQueue[T]{batchLoop: newBatchLoop(), s: s, export: export}
	var batch []T
	go q.run(func() { batch = q.exportFull(batch) }, func() { batch = q.exportAll(batch) }, func() bool { return q.len() > 0 })
	return q
}

// add queues an item the sink has admitted. It never blocks.
func (q *batchQueue[T]) add(item T) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		q.s.refuse(1)
		return
	}
	q.items = append(q.items, item)
	n := len(q.items)
	q.mu.Unlock()
	if n == 1 || n == batchSize {
		signal(q.kick)
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

// shutdown exports what is queued and stops the goroutine; items that
// arrive later are dropped (counted).
func (q *batchQueue[T]) shutdown(ctx context.Context) error {
	return q.batchLoop.shutdown(ctx, func() {
		q.mu.Lock()
		q.closed = true
		q.mu.Unlock()
	})
}
