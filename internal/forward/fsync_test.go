package forward

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// TestQueueConcurrentFsync appends from several goroutines with fsync
// (appenders share fsyncs) across segment rollovers, while the records are
// read and acknowledged: every record is read once, each goroutine's in
// its order.
func TestQueueConcurrentFsync(t *testing.T) {
	o := testOptions(t.TempDir())
	o.fsync = true
	q := openTestQueue(t, o)
	const writers, each = 8, 60
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := q.append(Logs, payloadOf(w*1000+i, 2000), time.Now()); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	var got []int
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		case <-q.notify:
		}
		for {
			b, err := q.next(1)
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				break
			}
			got = append(got, numberOf(t, b.payload))
			q.ack(b)
		}
	}
	if len(got) != writers*each {
		t.Fatalf("read %d records, want %d", len(got), writers*each)
	}
	for w := range writers {
		var mine []int
		for _, n := range got {
			if n/1000 == w {
				mine = append(mine, n%1000)
			}
		}
		if len(mine) != each || !slices.IsSorted(mine) {
			t.Errorf("writer %d: records %v", w, mine)
		}
	}
	if q.synced != uint64(writers*each) {
		t.Errorf("%d appends synced of %d", q.synced, writers*each)
	}
}
