package otlpgrpcenc

import (
	"sync/atomic"

	"google.golang.org/grpc/mem"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/spare"
)

// maxPooled is the largest request buffer kept for the next export, in
// bytes: a rare huge batch is sent as is but its memory is not kept.
const maxPooled = 4 << 20

// buffers is what one export needs and the next reuses: the encoder's
// tables and the encoded request. It is a grpcraw.Lender: grpc-go borrows
// raw once per attempt, and may hold it after Invoke returns (its
// transport writes from its own goroutine, and the server's answer or a
// cancellation can end the call before the last write: grpc-go v1.85.0
// stream.go SendMsg, internal/transport http2_client.go write and
// controlbuf.go processData). So buffers counts its holders, the export
// and every loan not returned yet, and goes back to its pool only when
// the count falls to zero: when grpc-go frees the last reference of the
// last loan (mem.NewBuffer calls Put).
type buffers struct {
	spans otlpenc.Encoder
	logs  otlpenc.LogEncoder
	raw   []byte
	refs  atomic.Int32
	home  *spare.Pool[buffers]
}

// getBuffers takes buffers from the exporter's pool, which keeps one across
// garbage collections (package spare): a process that collects more often
// than it exports still reuses them.
func getBuffers(p *spare.Pool[buffers]) *buffers {
	b := p.Get()
	b.home = p
	b.refs.Store(1) // the export's
	return b
}

// release drops one holder; the last puts b back in its pool.
func (b *buffers) release() {
	if b.refs.Add(-1) == 0 && cap(b.raw) <= maxPooled {
		b.home.Put(b)
	}
}

// Lend gives grpc-go the request as a reference-counted buffer. Below
// grpc-go's pooling threshold (1 KiB) mem.NewBuffer would return a plain
// slice that tells no one when it is done, so a small request is copied
// instead and nothing is lent.
func (b *buffers) Lend() mem.BufferSlice {
	if mem.IsBelowBufferPoolingThreshold(cap(b.raw)) {
		return mem.BufferSlice{mem.SliceBuffer(append([]byte(nil), b.raw...))}
	}
	b.refs.Add(1)
	return mem.BufferSlice{mem.NewBuffer(&b.raw, b)}
}

// Get is part of mem.BufferPool; grpc-go does not call it on a buffer's
// own pool, but if it did it would get a new slice.
func (b *buffers) Get(n int) *[]byte {
	s := make([]byte, n)
	return &s
}

// Put is grpc-go returning a loan (mem.BufferPool).
func (b *buffers) Put(*[]byte) { b.release() }
