package telemetry

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
)

// batchRecorder is a batchExporter that records the size of each batch
// and fails while err is set.
type batchRecorder struct {
	mu    sync.Mutex
	sizes []int
	err   error
}

func (*batchRecorder) NewSpanBatch() *otlpenc.SpanBatch { return new(otlpenc.SpanBatch) }

func (r *batchRecorder) ExportSpanBatch(_ context.Context, batch *otlpenc.SpanBatch) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sizes = append(r.sizes, batch.Len())
	return r.err
}

func (r *batchRecorder) batches() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.sizes...)
}

// testBatcher is a spanBatcher over a batch sink (testSink's, with the
// queue bound) and a batchRecorder, shut down at the end of the test.
func testBatcher(t *testing.T) (*spanBatcher, *sinkBase, *batchRecorder) {
	s := testSink(t)
	s.processor, s.queueCap = "batch", batchQueueSize
	rec := &batchRecorder{}
	q := newSpanBatcher(s, rec)
	t.Cleanup(func() { _ = q.shutdown(context.Background()) })
	return q, s, rec
}

// endSpans admits and queues n ended spans as the lean path's OnEnd
// does, and returns how many the sink admitted.
func endSpans(q *spanBatcher, s *sinkBase, n int) int {
	tr := leanspan.New(leanspan.Config{})
	admitted := 0
	for range n {
		_, sp := tr.Start(context.Background(), "s")
		sp.End()
		if s.admit(1) {
			q.add(sp.(*leanspan.Span))
			admitted++
		}
	}
	return admitted
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSpanBatcherBatches: full batches go at once, the rest batchDelay
// after the first of them arrived, and the counters add up.
func TestSpanBatcherBatches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q, s, rec := testBatcher(t)
		endSpans(q, s, 3)
		time.Sleep(batchDelay - time.Millisecond)
		synctest.Wait()
		if got := rec.batches(); len(got) != 0 {
			t.Fatalf("exported %v before the batch delay", got)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if got := rec.batches(); !sameInts(got, []int{3}) {
			t.Fatalf("after the delay: batches %v, want [3]", got)
		}
		endSpans(q, s, 2*batchSize+100)
		synctest.Wait()
		if got := rec.batches(); !sameInts(got, []int{3, batchSize, batchSize}) {
			t.Fatalf("full batches: %v, want two of %d at once", got, batchSize)
		}
		time.Sleep(batchDelay)
		synctest.Wait()
		if got := rec.batches(); !sameInts(got, []int{3, batchSize, batchSize, 100}) {
			t.Fatalf("the rest: %v, want 100 after the delay", got)
		}
		st := s.status(true)
		if st.Queued != 2*batchSize+103 || st.Exported != st.Queued || st.Pending != 0 || st.Dropped != 0 {
			t.Errorf("status %+v", st)
		}
	})
}

// TestSpanBatcherBound: with the exporter stuck, the queue holds at most
// batchQueueSize spans besides the batch in export and counts the rest
// dropped; ForceFlush exports
// what is held; after shutdown a span is dropped and counted.
func TestSpanBatcherBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q, s, rec := testBatcher(t)
		stuck := make(chan struct{})
		q.exp = &blockingExporter{inner: rec, release: stuck}
		admitted := endSpans(q, s, batchSize) // the first batch blocks in export
		synctest.Wait()
		admitted += endSpans(q, s, batchQueueSize+10)
		// The batch in export has left the queue: the bound holds the next
		// batchQueueSize.
		if want := batchSize + batchQueueSize; admitted != want {
			t.Errorf("admitted %d, want %d", admitted, want)
		}
		if st := s.status(true); st.Dropped != 10 || st.Pending != batchQueueSize {
			t.Errorf("while stuck: %+v", st)
		}
		close(stuck)
		if err := q.forceFlush(context.Background()); err != nil {
			t.Fatal(err)
		}
		st := s.status(true)
		if st.Exported != batchSize+batchQueueSize || st.Pending != 0 || st.Queued != st.Exported+st.Dropped {
			t.Errorf("after ForceFlush: %+v", st)
		}
		if err := q.shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		endSpans(q, s, 1)
		if st := s.status(true); st.Dropped != 11 || st.Pending != 0 {
			t.Errorf("after shutdown: %+v", st)
		}
	})
}

// TestSpanBatcherShutdownExports: shutdown exports what is queued without
// waiting for the batch delay; a failing export is counted failed.
func TestSpanBatcherShutdownExports(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q, s, rec := testBatcher(t)
		rec.err = errRefused
		endSpans(q, s, 7)
		if err := q.shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := rec.batches(); !sameInts(got, []int{7}) {
			t.Errorf("batches %v, want [7] at shutdown", got)
		}
		if st := s.status(true); st.Failed != 7 || st.State != "failing" || st.Pending != 0 {
			t.Errorf("status %+v", st)
		}
	})
}

// blockingExporter waits for release before each export.
type blockingExporter struct {
	inner   batchExporter
	release chan struct{}
}

func (b *blockingExporter) NewSpanBatch() *otlpenc.SpanBatch { return b.inner.NewSpanBatch() }

func (b *blockingExporter) ExportSpanBatch(ctx context.Context, batch *otlpenc.SpanBatch) error {
	<-b.release
	return b.inner.ExportSpanBatch(ctx, batch)
}
