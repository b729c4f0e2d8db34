package store

import (
	"context"
	"sync"
)

// decodeBudget bounds the memory that decoding announcements' bodies takes
// at once, over every AppendLogs call: the receivers account for the
// requests they decode (internal/otlp), not for the spans that log
// records carry in their bodies. A body reserves what pdata will allocate
// to decode it (estimated from above before decoding, otlp.TracesDataCost)
// until its span is encoded; a body that would take more than the whole
// budget is rejected, and one that does not fit now waits, honouring its
// context.
type decodeBudget struct {
	max int64

	mu    sync.Mutex
	used  int64
	freed chan struct{} // closed, and replaced, at each release
}

// announceDecodeBytes is the budget of a Store: 32 MiB, so a body of
// ordinary spans (a few times its size decoded) of up to Options.
// MaxAnnouncementBytes always fits, with room for several at once.
const announceDecodeBytes = 32 << 20

func newDecodeBudget(max int64) *decodeBudget {
	return &decodeBudget{max: max, freed: make(chan struct{})}
}

// acquire reserves n bytes, waiting until they fit; n must not exceed
// b.max. A nil budget reserves nothing.
func (b *decodeBudget) acquire(ctx context.Context, n int64) error {
	if b == nil {
		return nil
	}
	for {
		b.mu.Lock()
		if b.used+n <= b.max {
			b.used += n
			b.mu.Unlock()
			return nil
		}
		freed := b.freed
		b.mu.Unlock()
		select {
		case <-freed:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// release returns n bytes reserved by acquire.
func (b *decodeBudget) release(n int64) {
	if b == nil || n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	close(b.freed)
	b.freed = make(chan struct{})
	b.mu.Unlock()
}
