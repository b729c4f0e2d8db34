package store

import "context"

// Queries stop when their context ends. SQL calls take the context (the
// driver interrupts a running statement), and the loops that decode what
// the statements return (rows, attributes, array elements) tick a
// stopper, which looks at the context every checkEvery items: a query
// for a client that has gone returns context.Cause soon, however wide
// the items it is decoding.

// checkEvery is how many items a query decodes between looks at its
// context.
const checkEvery = 256

// stopper counts one query's decoded items and stops it once its context
// has ended.
type stopper struct {
	ctx  context.Context
	hook func() // seams.onItem, for tests
	n    int
}

func (s *Store) stopper(ctx context.Context) *stopper {
	return &stopper{ctx: ctx, hook: s.seams.onItem}
}

// tick counts an item and, every checkEvery items, returns the context's
// cause if it has ended.
func (st *stopper) tick() error {
	if st.hook != nil {
		st.hook()
	}
	st.n++
	if st.n%checkEvery != 0 || st.ctx.Err() == nil {
		return nil
	}
	return context.Cause(st.ctx)
}

// err returns the context's cause if it has ended; nil for a nil stopper.
func (st *stopper) err() error {
	if st == nil || st.ctx.Err() == nil {
		return nil
	}
	return context.Cause(st.ctx)
}
