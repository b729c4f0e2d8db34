package telemetry

import (
	"context"
	"sync"
	"time"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
)

// leanExporter is what sightline's OTLP span exporters (otlphttpenc,
// otlpgrpcenc) offer besides the SDK's interface: the export of
// sightline's own ended spans, encoded through their getters with no
// snapshot.
type leanExporter interface {
	ExportLeanSpans(ctx context.Context, spans []*leanspan.Span) error
}

// leanQueue is a span sink's batch processor for sightline's own spans
// (the lean span path, lean.go), beside the SDK's batch processor that
// takes SDK spans for the same endpoint. It batches as the SDK's does with
// sightline's settings: a span waits at most batchDelay, batchSize spans
// go out at once, and the sink's queue bound (admit) caps what it holds
// at batchQueueSize; exports run one at a time on its goroutine, counted
// and bounded by the sink's export timeout as the SDK path's are.
type leanQueue struct {
	s   *sinkBase
	exp leanExporter

	mu     sync.Mutex
	spans  []*leanspan.Span
	closed bool // after shutdown: what arrives is dropped (counted)

	kick  chan struct{}      // a first span to time, or a full batch
	flush chan chan struct{} // ForceFlush: export everything, then reply
	stop  chan struct{}      // closed by shutdown
	done  chan struct{}      // closed when run returns
	once  sync.Once
}

func newLeanQueue(s *sinkBase, exp leanExporter) *leanQueue {
	q := &leanQueue{s: s, exp: exp, kick: make(chan struct{}, 1), flush: make(chan chan struct{}),
		stop: make(chan struct{}), done: make(chan struct{})}
	go q.run()
	return q
}

// add queues an ended span the sink has admitted. It never blocks.
func (q *leanQueue) add(sp *leanspan.Span) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		q.s.pending.Add(-1)
		q.s.drop(1)
		return
	}
	q.spans = append(q.spans, sp)
	n := len(q.spans)
	q.mu.Unlock()
	if n == 1 || n == batchSize {
		signal(q.kick)
	}
}

// run is the queue's goroutine: it exports full batches at once and the
// rest batchDelay after the first of them arrived, until shutdown, when it
// exports what is left.
func (q *leanQueue) run() {
	defer close(q.done)
	timer := time.NewTimer(batchDelay)
	timer.Stop()
	armed := false
	var batch []*leanspan.Span
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

func (q *leanQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.spans)
}

// take moves up to batchSize spans, oldest first, into batch, when at
// least least are queued.
func (q *leanQueue) take(batch []*leanspan.Span, least int) []*leanspan.Span {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.spans) < least || len(q.spans) == 0 {
		return batch[:0]
	}
	n := min(len(q.spans), batchSize)
	batch = append(batch[:0], q.spans[:n]...)
	rest := copy(q.spans, q.spans[n:])
	clear(q.spans[rest:])
	q.spans = q.spans[:rest]
	return batch
}

// exportFull exports full batches while there are any.
func (q *leanQueue) exportFull(batch []*leanspan.Span) []*leanspan.Span {
	for {
		if batch = q.take(batch, batchSize); len(batch) == 0 {
			return batch
		}
		q.send(batch)
	}
}

// exportAll exports everything queued, in batches.
func (q *leanQueue) exportAll(batch []*leanspan.Span) []*leanspan.Span {
	for {
		if batch = q.take(batch, 1); len(batch) == 0 {
			return batch
		}
		q.send(batch)
	}
}

// send exports one batch as countingSpanExporter does an SDK batch, then
// lets its spans go.
func (q *leanQueue) send(batch []*leanspan.Span) {
	n := len(batch)
	if q.s.beginExport(n) {
		ctx, done := q.s.exportContext(context.Background())
		err := q.exp.ExportLeanSpans(ctx, batch)
		done()
		q.s.endExport(n, err)
	}
	clear(batch)
}

// forceFlush exports everything queued and returns when it has been
// exported, or ctx's error when ctx ends first.
func (q *leanQueue) forceFlush(ctx context.Context) error {
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
func (q *leanQueue) shutdown(ctx context.Context) error {
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
