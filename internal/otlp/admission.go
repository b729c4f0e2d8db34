package otlp

import (
	"context"
	"runtime"
	"sync/atomic"
)

// admission is the receiver's backpressure: it bounds the items admitted and
// not yet stored, and the HTTP bodies being read at once. Together with
// MaxRequestBytes this bounds the memory that requests hold:
// MaxInFlightItems decoded items, plus readSlots bodies of at most
// MaxRequestBytes each (raw and decompressed).
type admission struct {
	max      int64
	items    atomic.Int64
	readSlot chan struct{}
}

// defaultReadSlots is how many HTTP bodies may be read and decoded at once:
// enough to keep every CPU busy decoding while others wait on the network.
func defaultReadSlots() int { return 2*runtime.GOMAXPROCS(0) + 2 }

func newAdmission(maxItems, readSlots int) *admission {
	return &admission{max: int64(maxItems), readSlot: make(chan struct{}, readSlots)}
}

// admit reserves n items and reports whether it could: false, reserving
// nothing, when that would take the count over the maximum. It never waits:
// a refusal is answered at once so that the client backs off.
func (a *admission) admit(n int) bool {
	want := int64(n)
	for {
		cur := a.items.Load()
		if cur+want > a.max {
			return false
		}
		if a.items.CompareAndSwap(cur, cur+want) {
			return true
		}
	}
}

// release returns n items reserved by a successful admit.
func (a *admission) release(n int) { a.items.Add(-int64(n)) }

// full reports whether no item can be admitted now.
func (a *admission) full() bool { return a.items.Load() >= a.max }

// inFlight returns how many items are admitted now.
func (a *admission) inFlight() int64 { return a.items.Load() }

// acquireRead waits for a read slot until ctx ends; on success the caller
// must call releaseRead.
func (a *admission) acquireRead(ctx context.Context) error {
	select {
	case a.readSlot <- struct{}{}:
		return nil
	default:
	}
	select {
	case a.readSlot <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (a *admission) releaseRead() { <-a.readSlot }
