package otlphttpenc

import (
	"bytes"
	"compress/gzip"
	"io"
	"slices"
	"sync/atomic"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/spare"
)

const (
	// maxPooled is the largest buffer kept for the next export, in bytes: a
	// rare huge batch is sent as is but its memory is not kept.
	maxPooled = 4 << 20
	// maxResponse bounds how much of a response body is read, in bytes
	// (success bodies for partial success, error bodies for the message).
	maxResponse = 64 << 10
	// maxErrorMessage bounds how much of an error body an error quotes.
	maxErrorMessage = 4 << 10
)

// buffers is what one export needs and the next reuses: the encoder's
// tables, the encoded request, its compressed form and the gzip writer,
// and room for the response.
//
// net/http may still read a request body after Do returns (it writes the
// body on its own goroutine, and an early answer ends the call before the
// write does), so buffers counts its holders: the export, and every
// request body made from it that the transport has not closed yet (the
// transport always closes them). The last to let go puts it back in the
// pool, so an export at a steady rate reuses the same memory instead of
// growing a new request buffer each time.
type buffers struct {
	enc    otlpenc.Encoder
	logEnc otlpenc.LogEncoder
	raw    []byte
	zip    bytes.Buffer
	zw     *gzip.Writer
	resp   []byte
	refs   atomic.Int32
	home   *spare.Pool[buffers]
}

// getBuffers takes buffers from the exporter's pool, held by the export.
// The pool keeps one across garbage collections (package spare), so a
// process that collects more often than it exports still reuses them.
func getBuffers(p *spare.Pool[buffers]) *buffers {
	b := p.Get()
	b.home = p
	b.refs.Store(1)
	return b
}

// release drops one holder; the last returns b to its pool unless its
// buffers grew past maxPooled.
func (b *buffers) release() {
	if b.refs.Add(-1) != 0 || cap(b.raw) > maxPooled || b.zip.Cap() > maxPooled {
		return
	}
	b.home.Put(b)
}

// compress returns p gzipped at gzip's best speed, as internal/otlphttp
// does (level 1 costs less than half the CPU of the default level for
// 18% instead of 15% of the size); the SDK uses the default level.
func (b *buffers) compress(p []byte) ([]byte, error) {
	b.zip.Reset()
	if b.zw == nil {
		zw, err := gzip.NewWriterLevel(&b.zip, gzip.BestSpeed)
		if err != nil {
			return nil, err
		}
		b.zw = zw
	} else {
		b.zw.Reset(&b.zip)
	}
	if _, err := b.zw.Write(p); err != nil {
		return nil, err
	}
	if err := b.zw.Close(); err != nil {
		return nil, err
	}
	return b.zip.Bytes(), nil
}

// body is a request body over a buffers' bytes, one of their holders until
// the transport closes it.
type body struct {
	bytes.Reader
	owner  *buffers
	closed atomic.Bool
}

func newBody(owner *buffers, p []byte) *body {
	owner.refs.Add(1)
	b := &body{owner: owner}
	b.Reset(p)
	return b
}

// Close gives the body's hold on its buffers back; reading it after is
// not allowed (net/http does not).
func (b *body) Close() error {
	if b.closed.CompareAndSwap(false, true) {
		b.owner.release()
	}
	return nil
}

// readBounded reads r into dst[:0], up to limit bytes (drain reads what
// is left).
func readBounded(dst []byte, r io.Reader, limit int) ([]byte, error) {
	dst = dst[:0]
	for len(dst) < limit {
		if len(dst) == cap(dst) {
			dst = slices.Grow(dst, min(max(512, cap(dst)), limit-len(dst)))
		}
		n, err := r.Read(dst[len(dst):min(cap(dst), limit)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// drain reads what is left of a response body, up to maxResponse bytes,
// into scratch, so that its connection can be reused.
func drain(r io.Reader, scratch []byte) {
	scratch = scratch[:cap(scratch)]
	if len(scratch) == 0 {
		scratch = make([]byte, 512)
	}
	for left := maxResponse; left > 0; {
		n, err := r.Read(scratch[:min(len(scratch), left)])
		left -= n
		if err != nil {
			return
		}
	}
}
