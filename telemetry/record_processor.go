package telemetry

import (
	"context"
	"errors"
	"sync"

	sdklog "go.opentelemetry.io/otel/sdk/log"
)

// recordProcessor is the batch processor of a log sink: a batchLoop over
// a slice of record clones in front of the counted exporter. It replaces
// the SDK's BatchProcessor, whose ring of batchQueueSize records is made
// up front (1.5 MB per endpoint, two endpoints per component even with
// logging off, which every garbage collection scans, used or not); this
// slice grows with what is queued and is let go when a burst has passed.
// In the device-server round-trip benchmark, collections took 4.6-5.5 ms
// with the rings and 0.7-1 ms without (docs/performance.md).
type recordProcessor struct {
	batchLoop
	s   *sinkBase
	exp sdklog.Exporter // the counted exporter

	mu     sync.Mutex
	items  []sdklog.Record
	closed bool // after shutdown: what arrives is dropped (counted)

	batch []sdklog.Record // owned by the goroutine
}

func newRecordProcessor(s *sinkBase, exp sdklog.Exporter) *recordProcessor {
	p := &recordProcessor{batchLoop: newBatchLoop(), s: s, exp: exp}
	go p.run(func() { p.export(batchSize) }, func() { p.export(1) }, func() bool { return p.len() > 0 })
	return p
}

// Enabled is true, as the SDK's BatchProcessor's.
func (*recordProcessor) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }

// OnEmit queues a clone of r (the SDK reuses r), as the SDK's
// BatchProcessor does. The sink has admitted it. It never blocks.
func (p *recordProcessor) OnEmit(_ context.Context, r *sdklog.Record) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.s.refuse(1)
		return nil
	}
	p.items = append(p.items, r.Clone())
	n := len(p.items)
	p.mu.Unlock()
	if n == 1 || n == batchSize {
		signal(p.kick)
	}
	return nil
}

func (p *recordProcessor) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.items)
}

// export exports batches of up to batchSize records, oldest first, while
// at least least are queued: full batches (least batchSize) or everything
// (least 1).
func (p *recordProcessor) export(least int) {
	for p.take(least) {
		_ = p.exp.Export(context.Background(), p.batch)
		clear(p.batch) // let the records go
	}
}

// take moves up to batchSize records into p.batch when at least least are
// queued. A queue left empty lets a backing array larger than a batch go
// (a burst's).
func (p *recordProcessor) take(least int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.items) < least {
		return false
	}
	n := min(len(p.items), batchSize)
	p.batch = append(p.batch[:0], p.items[:n]...)
	rest := copy(p.items, p.items[n:])
	clear(p.items[rest:])
	p.items = p.items[:rest]
	if rest == 0 && cap(p.items) > batchSize {
		p.items = nil
	}
	return true
}

// ForceFlush exports what is queued, then flushes the exporter.
func (p *recordProcessor) ForceFlush(ctx context.Context) error {
	if err := p.forceFlush(ctx); err != nil {
		return err
	}
	return p.exp.ForceFlush(ctx)
}

// Shutdown exports what is queued, stops the goroutine and shuts the
// exporter down; records that arrive later are dropped (counted).
func (p *recordProcessor) Shutdown(ctx context.Context) error {
	err := p.shutdown(ctx, func() {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
	})
	return errors.Join(err, p.exp.Shutdown(ctx))
}
