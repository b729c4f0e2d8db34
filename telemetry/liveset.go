package telemetry

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// The live set's bounds: liveShards buffers of at most liveShardCap spans
// each, so at most 65,536 registrations wait for the sweeper. A buffer
// that reaches liveShardEarly wakes the sweeper early, so that under a
// high span rate the ended spans the buffers keep alive stay few (about
// liveShards × liveShardEarly, 512: ~0.5 MB that every garbage collection
// would scan) rather than a tick's worth.
const (
	liveShards     = 16 // a power of two
	liveShardCap   = 4096
	liveShardEarly = 32
)

// liveSet is where the span hot path registers the spans a generation's
// announcer watches: OnStart appends the span to one of liveShards
// buffers (chosen by its span id, so concurrent starts rarely share one)
// under that buffer's mutex, and nothing happens at OnEnd. The sweeper
// takes each buffer whole at every sweep and drops the spans that have
// ended since (most of them), so a short span costs one append and is
// referenced here until the next sweep at most (liveShardCap per buffer
// bounds that memory).
type liveSet struct {
	shards [liveShards]liveShard
	// wake gets a token when a buffer receives its first span since the
	// sweeper took it: an idle sweeper waits for it. full gets one when a
	// buffer reaches liveShardEarly: the sweeper sweeps at once. Both have room for
	// one token; a send that finds it taken costs a load.
	wake, full chan struct{}
	// overflow counts the spans not registered because their buffer was
	// full: they are exported when they end but never announced.
	overflow *atomic.Uint64
}

// liveShard is one buffer, padded to its own cache line.
type liveShard struct {
	mu  sync.Mutex
	buf []liveSpan
	_   [64 - 32]byte
}

func newLiveSet(overflow *atomic.Uint64) *liveSet {
	return &liveSet{wake: make(chan struct{}, 1), full: make(chan struct{}, 1), overflow: overflow}
}

// add registers s when it is sampled (a span that is recorded but not
// sampled is never exported, so never announced). It never blocks on the
// sweeper.
func (l *liveSet) add(s liveSpan) {
	sc := s.SpanContext()
	if !sc.IsSampled() {
		return
	}
	id := sc.SpanID()
	sh := &l.shards[id[7]&(liveShards-1)]
	sh.mu.Lock()
	n := len(sh.buf)
	if n < liveShardCap {
		sh.buf = append(sh.buf, s)
	}
	sh.mu.Unlock()
	switch n {
	case 0:
		signal(l.wake)
	case liveShardEarly:
		signal(l.full)
	case liveShardCap:
		l.overflow.Add(1)
		signal(l.full)
	}
}

// liveSpan is what the sweeper reads of a live span: an SDK span
// (sdktrace.ReadWriteSpan) or a lean one (*leanspan.Span). An announcement
// reads the rest through readOnly.
type liveSpan interface {
	SpanContext() trace.SpanContext
	StartTime() time.Time
	EndTime() time.Time
}

// readOnly is the span an announcement encodes: the SDK span itself, or a
// lean span's snapshot (announcements are rare: a heartbeat per long span
// and interval).
func readOnly(s liveSpan) sdktrace.ReadOnlySpan {
	if ls, ok := s.(*leanspan.Span); ok {
		return ls.Snapshot()
	}
	ro, _ := s.(sdktrace.ReadOnlySpan)
	return ro
}

// signal leaves a token in ch unless one is there already.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// take swaps shard i's buffer for spare (emptied) and returns what it held.
func (l *liveSet) take(i int, spare []liveSpan) []liveSpan {
	sh := &l.shards[i]
	sh.mu.Lock()
	buf := sh.buf
	sh.buf = spare[:0]
	sh.mu.Unlock()
	return buf
}

// empty reports whether no span waits in any buffer, after clearing the
// wake token: a span added after the check leaves a new one, so a sweeper
// that then waits for wake misses nothing.
func (l *liveSet) empty() bool {
	select {
	case <-l.wake:
	default:
	}
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n := len(sh.buf)
		sh.mu.Unlock()
		if n > 0 {
			return false
		}
	}
	return true
}
