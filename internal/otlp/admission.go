package otlp

import (
	"context"
	"runtime"
	"sync/atomic"

	"github.com/sightline-dev/sightline/internal/bytesize"
)

// admission is the receiver's backpressure. It bounds, process-wide and
// across both transports:
//
//   - the items (spans, log records) admitted and not yet stored:
//     MaxInFlightItems;
//   - the bytes of requests being read, decoded or stored: MaxInFlightBytes,
//     reserved before a body or message is read (its size, or
//     MaxRequestBytes when the size is not known yet), shrunk to the size
//     after decompression once read, and released when the sink returns;
//   - the HTTP bodies being decoded at once: the decode slots (bodies being
//     read hold bytes, not slots, so slow clients cannot starve others).
//
// Nothing waits for items or bytes: a request that does not fit is refused
// at once, so that its client backs off.
type admission struct {
	max        int64
	items      atomic.Int64
	maxBytes   int64
	bytes      atomic.Int64
	decodeSlot chan struct{}
}

// defaultDecodeSlots is how many HTTP bodies may be decoded at once: enough
// to keep every CPU busy, few enough that the decoded requests of a burst
// do not all live at once.
func defaultDecodeSlots() int { return 2*runtime.GOMAXPROCS(0) + 2 }

func newAdmission(maxItems int, maxBytes int64, decodeSlots int) *admission {
	return &admission{max: int64(maxItems), maxBytes: maxBytes, decodeSlot: make(chan struct{}, decodeSlots)}
}

// take adds want to *count unless that would take it over limit, and
// reports whether it did.
func take(count *atomic.Int64, want, limit int64) bool {
	for {
		cur := count.Load()
		if cur+want > limit {
			return false
		}
		if count.CompareAndSwap(cur, cur+want) {
			return true
		}
	}
}

// admit reserves n items and reports whether it could: false, reserving
// nothing, when that would take the count over the maximum.
func (a *admission) admit(n int) bool { return take(&a.items, int64(n), a.max) }

// release returns n items reserved by a successful admit.
func (a *admission) release(n int) { a.items.Add(-int64(n)) }

// full reports whether no item can be admitted now.
func (a *admission) full() bool { return a.items.Load() >= a.max }

// inFlight returns how many items are admitted now.
func (a *admission) inFlight() int64 { return a.items.Load() }

// reserve reserves n bytes of requests in flight. It returns nil, reserving
// nothing, when that would take the bytes over the maximum.
func (a *admission) reserve(n int64) *reservation {
	if !take(&a.bytes, n, a.maxBytes) {
		return nil
	}
	r := &reservation{a: a}
	r.n.Store(n)
	return r
}

// reserveBytes reserves n bytes for a request, or returns the refusal to
// answer (see refuseBytes).
func (r *Receiver) reserveBytes(n int64) (*reservation, *exportError) {
	if res := r.admission.reserve(n); res != nil {
		return res, nil
	}
	return nil, r.refuseBytes(n)
}

// refuseBytes is the answer to a request whose n bytes do not fit in
// MaxInFlightBytes: 429 / RESOURCE_EXHAUSTED with a retry delay, counted as
// memory.
func (r *Receiver) refuseBytes(n int64) *exportError {
	return refuseErr(failQueueFull, reasonMemory,
		"receiver is busy: %s of requests in flight, %s more would exceed the limit of %s; retry after %v",
		bytesize.Human(r.admission.inFlightBytes()), bytesize.Human(n), bytesize.Human(r.admission.maxBytes), r.cfg.RetryAfter)
}

// inFlightBytes returns how many bytes are reserved now.
func (a *admission) inFlightBytes() int64 { return a.bytes.Load() }

// reservation is bytes reserved for one request. Its methods are safe for
// concurrent use, and a nil reservation does nothing.
type reservation struct {
	a *admission
	n atomic.Int64 // bytes held; 0 once released
}

// shrink lowers the bytes held to n, once the request's size is known; it
// never raises them, and does nothing once released.
func (r *reservation) shrink(n int64) {
	if r == nil {
		return
	}
	for {
		cur := r.n.Load()
		if n >= cur {
			return
		}
		if r.n.CompareAndSwap(cur, n) {
			r.a.bytes.Add(n - cur)
			return
		}
	}
}

// release returns the bytes held; later calls do nothing.
func (r *reservation) release() {
	if r == nil {
		return
	}
	if n := r.n.Swap(0); n != 0 {
		r.a.bytes.Add(-n)
	}
}

// held returns the bytes held now.
func (r *reservation) held() int64 {
	if r == nil {
		return 0
	}
	return r.n.Load()
}

// acquireDecode waits for a decode slot until ctx ends; on success the
// caller must call releaseDecode.
func (a *admission) acquireDecode(ctx context.Context) error {
	select {
	case a.decodeSlot <- struct{}{}:
		return nil
	default:
	}
	select {
	case a.decodeSlot <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (a *admission) releaseDecode() { <-a.decodeSlot }
