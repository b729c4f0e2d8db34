package spare_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/sightline-dev/sightline/telemetry/internal/spare"
)

// TestKeptAcrossCollections: the item given back is the one taken next,
// even after garbage collections (which empty a sync.Pool).
func TestKeptAcrossCollections(t *testing.T) {
	var p spare.Pool[[]byte]
	b := p.Get()
	*b = make([]byte, 0, 1<<20)
	p.Put(b)
	runtime.GC()
	runtime.GC()
	runtime.GC()
	if got := p.Get(); got != b || cap(*got) != 1<<20 {
		t.Fatalf("after collections Get returned %p (cap %d), want the kept %p", got, cap(*got), b)
	}
}

// TestConcurrentUse: items are never handed to two users at once.
func TestConcurrentUse(t *testing.T) {
	var p spare.Pool[int]
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				x := p.Get()
				*x = g*1000 + i
				runtime.Gosched()
				if *x != g*1000+i {
					t.Errorf("item changed while held: %d, want %d", *x, g*1000+i)
				}
				p.Put(x)
			}
		})
	}
	wg.Wait()
}

func TestZeroPoolGivesNew(t *testing.T) {
	var p spare.Pool[int]
	if a, b := p.Get(), p.Get(); a == nil || b == nil || a == b {
		t.Fatalf("Get on an empty pool: %p %p, want two new items", a, b)
	}
	p.Put(nil) // ignored
}
