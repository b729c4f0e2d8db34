package telemetry

import (
	"context"
	"sync"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
)

// batchExporter is what sightline's OTLP span exporters (otlphttpenc,
// otlpgrpcenc, and otlpjson's file and HTTP ones) offer besides the SDK's
// interface: the export of a batch of sightline's own spans, encoded as
// they ended into a batch of the exporter's kind (protobuf or OTLP-JSON).
type batchExporter interface {
	NewSpanBatch() *otlpenc.SpanBatch
	ExportSpanBatch(ctx context.Context, batch *otlpenc.SpanBatch) error
}

// encodeEvery is how many ended spans wait before the batcher's goroutine
// is woken to encode them: few enough that little is kept alive, enough
// that the goroutine wakes rarely (about 600 times a second at 40,000
// spans a second).
const encodeEvery = 64

// spanBatcher is the batch processor of a span sink for lean spans (the
// lean path, lean.go). Ended spans wait in a short list until its
// goroutine encodes them (every encodeEvery spans, off the goroutine that
// ended them) into the batch being filled, which it exports when full or
// batchDelay after its first span: what waits for export is bytes, which
// the garbage collector does not scan, and a span is free to go soon after
// it ends. The SDK's batch processor keeps every span of a batch alive
// until its export (up to 512 spans of about 1 KB each), which makes each
// collection longer and, in a small heap, more frequent. The sink's
// queue bound caps what is held, encoded or not, at batchQueueSize spans.
type spanBatcher struct {
	batchLoop
	s   *sinkBase
	exp batchExporter

	mu     sync.Mutex
	ended  []*leanspan.Span // not yet encoded
	closed bool             // after shutdown: what arrives is dropped (counted)

	// Owned by the goroutine.
	batch *otlpenc.SpanBatch
	spare []*leanspan.Span
}

func newSpanBatcher(s *sinkBase, exp batchExporter) *spanBatcher {
	b := &spanBatcher{batchLoop: newBatchLoop(), s: s, exp: exp, batch: exp.NewSpanBatch()}
	go b.run(func() { b.encode(false) }, func() { b.encode(true) }, b.waiting)
	return b
}

// add queues an ended span the sink has admitted. It never blocks.
func (b *spanBatcher) add(sp *leanspan.Span) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		b.s.refuse(1)
		return
	}
	b.ended = append(b.ended, sp)
	n := len(b.ended)
	b.mu.Unlock()
	if n%encodeEvery == 0 || n == 1 && !b.armed.Load() {
		signal(b.kick)
	}
}

// waiting reports whether spans wait, encoded or not.
func (b *spanBatcher) waiting() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.ended) > 0 || b.batch.Len() > 0
}

// encode encodes the spans ended so far into the batch, exporting it each
// time it is full, and with all the rest too. One pass: spans that end
// meanwhile kick again (or wait for the timer), so a steady stream cannot
// keep the goroutine from a flush or a shutdown.
func (b *spanBatcher) encode(all bool) {
	b.mu.Lock()
	ended := b.ended
	b.ended = b.spare[:0]
	b.mu.Unlock()
	for i, sp := range ended {
		b.batch.Add(sp)
		ended[i] = nil
		if b.batch.Len() >= batchSize {
			b.send()
		}
	}
	b.spare = ended[:0]
	if all && b.batch.Len() > 0 {
		b.send()
	}
}

// send exports the batch, counted as countingSpanExporter counts an SDK
// batch, and empties it.
func (b *spanBatcher) send() {
	if n := b.batch.Len(); b.s.beginExport(n) {
		ctx, done := b.s.exportContext(context.Background())
		err := b.exp.ExportSpanBatch(ctx, b.batch)
		done()
		b.s.endExport(n, err)
	}
	b.batch.Reset()
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
