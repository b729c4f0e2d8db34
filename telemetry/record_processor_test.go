package telemetry

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
)

// recordRecorder is an sdklog.Exporter that keeps the bodies of each batch.
type recordRecorder struct {
	mu       sync.Mutex
	batches  [][]string
	shutdown bool
}

func (r *recordRecorder) Export(_ context.Context, recs []sdklog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var bodies []string
	for _, rec := range recs {
		bodies = append(bodies, rec.Body().AsString())
	}
	r.batches = append(r.batches, bodies)
	return nil
}

func (r *recordRecorder) Shutdown(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.shutdown = true
	return nil
}

func (*recordRecorder) ForceFlush(context.Context) error { return nil }

func (r *recordRecorder) sizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n []int
	for _, b := range r.batches {
		n = append(n, len(b))
	}
	return n
}

// TestRecordProcessor: log records are batched as spans are (full
// batches at once, the rest after batchDelay) and exported at shutdown, which shuts the exporter down; the counters add
// up.
func TestRecordProcessor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := testSink(t)
		s.processor, s.queueCap = "batch", batchQueueSize
		rec := &recordRecorder{}
		p := newRecordProcessor(s, &countingLogExporter{s: s, inner: rec})
		emit := func(n int, body string) {
			for range n {
				var r sdklog.Record
				r.SetBody(attribute.StringValue(body))
				if s.admit(1) {
					if err := p.OnEmit(context.Background(), &r); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		emit(batchSize+3, "scan started")
		synctest.Wait()
		if got := rec.sizes(); !sameInts(got, []int{batchSize}) {
			t.Fatalf("batches %v, want one full batch at once", got)
		}
		time.Sleep(batchDelay)
		synctest.Wait()
		if got := rec.sizes(); !sameInts(got, []int{batchSize, 3}) {
			t.Fatalf("batches %v, want the 3 left after the delay", got)
		}
		emit(2, "scan done")
		if err := p.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := rec.sizes(); !sameInts(got, []int{batchSize, 3, 2}) || !rec.shutdown {
			t.Fatalf("after shutdown: batches %v, exporter shut down %v", got, rec.shutdown)
		}
		if st := s.status(true); st.Exported != batchSize+5 || st.Pending != 0 || st.Queued != st.Exported {
			t.Errorf("status %+v", st)
		}
	})
}
