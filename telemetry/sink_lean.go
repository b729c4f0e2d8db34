package telemetry

import (
	"context"
	"sync"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
)

// batchExporter is what sightline's OTLP span exporters (otlphttpenc,
// otlpgrpcenc) offer besides the SDK's interface: the export of a batch
// of sightline's own spans, encoded as they ended.
type batchExporter interface {
	ExportSpanBatch(ctx context.Context, batch *otlpenc.SpanBatch) error
}

// maxFreeBatches is how many exported batches a spanBatcher keeps for
// reuse: one filling and one exporting in the steady state.
const maxFreeBatches = 2

// spanBatcher is the batch processor of a span sink for lean spans (the
// lean path, lean.go). A span is encoded into the batch being filled on
// the goroutine that ends it, so what waits for export is bytes, which
// the garbage collector does not scan, and the span is free to go at
// once: the SDK's batch processor keeps every span of a batch alive until
// its export, about a megabyte for a busy device server, which made each
// collection longer and, in a small heap, more frequent. Full batches wait
// in order for the batchLoop's goroutine; the sink's queue bound caps what
// they hold at batchQueueSize spans.
type spanBatcher struct {
	batchLoop
	s   *sinkBase
	exp batchExporter

	mu     sync.Mutex
	cur    *otlpenc.SpanBatch   // being filled; nil when none
	full   []*otlpenc.SpanBatch // waiting for export, oldest first
	free   []*otlpenc.SpanBatch // exported, kept for reuse
	closed bool                 // after shutdown: what arrives is dropped (counted)
}

func newSpanBatcher(s *sinkBase, exp batchExporter) *spanBatcher {
	b := &spanBatcher{batchLoop: newBatchLoop(), s: s, exp: exp}
	go b.run(b.exportFull, b.exportAll, b.waiting)
	return b
}

// add encodes an ended span the sink has admitted into the batch being
// filled. It never blocks on an export.
func (b *spanBatcher) add(sp *leanspan.Span) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		b.s.pending.Add(-1)
		b.s.drop(1)
		return
	}
	if b.cur == nil {
		if n := len(b.free); n > 0 {
			b.cur, b.free = b.free[n-1], b.free[:n-1]
		} else {
			b.cur = new(otlpenc.SpanBatch)
		}
	}
	b.cur.Add(sp)
	n := b.cur.Len()
	if n >= batchSize {
		b.full = append(b.full, b.cur)
		b.cur = nil
	}
	b.mu.Unlock()
	if n == 1 || n >= batchSize {
		signal(b.kick)
	}
}

// waiting reports whether spans wait in the batch being filled.
func (b *spanBatcher) waiting() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cur != nil && b.cur.Len() > 0
}

// exportFull exports the full batches, oldest first.
func (b *spanBatcher) exportFull() {
	for {
		b.mu.Lock()
		if len(b.full) == 0 {
			b.mu.Unlock()
			return
		}
		next := b.full[0]
		copy(b.full, b.full[1:])
		b.full[len(b.full)-1] = nil
		b.full = b.full[:len(b.full)-1]
		b.mu.Unlock()
		b.send(next)
	}
}

// exportAll exports every span: the full batches, then the one being
// filled.
func (b *spanBatcher) exportAll() {
	b.mu.Lock()
	if b.cur != nil && b.cur.Len() > 0 {
		b.full = append(b.full, b.cur)
		b.cur = nil
	}
	b.mu.Unlock()
	b.exportFull()
}

// send exports one batch, counted as countingSpanExporter counts an SDK
// batch, then keeps it for reuse.
func (b *spanBatcher) send(batch *otlpenc.SpanBatch) {
	if n := batch.Len(); b.s.beginExport(n) {
		ctx, done := b.s.exportContext(context.Background())
		err := b.exp.ExportSpanBatch(ctx, batch)
		done()
		b.s.endExport(n, err)
	}
	batch.Reset()
	b.mu.Lock()
	if len(b.free) < maxFreeBatches {
		b.free = append(b.free, batch)
	}
	b.mu.Unlock()
}

// shutdown exports what is held and stops the goroutine; spans that end
// later are dropped (counted).
func (b *spanBatcher) shutdown(ctx context.Context) error {
	return b.batchLoop.shutdown(ctx, func() {
		b.mu.Lock()
		b.closed = true
		b.mu.Unlock()
	})
}
