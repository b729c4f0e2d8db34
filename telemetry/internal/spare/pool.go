package spare

import (
	"sync"
	"sync/atomic"
)

// Pool holds reusable *T. The zero Pool is ready to use; Get returns a
// new(T) when it holds nothing. A Pool is safe for concurrent use and must
// not be copied after first use.
type Pool[T any] struct {
	slot atomic.Pointer[T] // kept across garbage collections
	more sync.Pool         // *T, for concurrent users
}

// Get takes an item: the kept one, else one from the sync.Pool, else a new
// one.
func (p *Pool[T]) Get() *T {
	if x := p.slot.Swap(nil); x != nil {
		return x
	}
	if x, ok := p.more.Get().(*T); ok {
		return x
	}
	return new(T)
}

// Put gives x back: into the kept slot when it is empty, else to the
// sync.Pool. x must not be used after.
func (p *Pool[T]) Put(x *T) {
	if x == nil || p.slot.CompareAndSwap(nil, x) {
		return
	}
	p.more.Put(x)
}
