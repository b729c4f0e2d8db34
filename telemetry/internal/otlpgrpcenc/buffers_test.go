package otlpgrpcenc

import (
	"bytes"
	"testing"

	"github.com/sightline-dev/sightline/telemetry/internal/spare"
)

// TestBuffersLoans checks that a request lent to grpc-go is counted until
// grpc-go frees the last reference of every loan, so that it is reused
// only then, and that a small request is copied instead of lent (grpc-go
// would not say when it is done with it).
func TestBuffersLoans(t *testing.T) {
	var pool spare.Pool[buffers]
	b := getBuffers(&pool)
	b.raw = append(b.raw[:0], bytes.Repeat([]byte{7}, 4096)...)
	first, second := b.Lend(), b.Lend() // two attempts
	if n := b.refs.Load(); n != 3 {
		t.Fatalf("%d holders after two loans, want 3 (the export's and two)", n)
	}
	first.Ref() // the transport's reference while it writes
	b.release() // the export returns
	first.Free()
	second.Free()
	if n := b.refs.Load(); n != 1 {
		t.Fatalf("%d holders with the transport still writing, want 1", n)
	}
	if got := first.Materialize(); len(got) != 4096 || got[0] != 7 {
		t.Fatalf("the transport reads %d bytes, want the request's 4096", len(got))
	}
	first.Free() // written
	if n := b.refs.Load(); n != 0 {
		t.Fatalf("%d holders after every loan came back, want 0", n)
	}

	small := getBuffers(&pool)
	small.raw = append(small.raw[:0], "tiny"...)
	small.raw = small.raw[:4:4]
	lent := small.Lend()
	small.raw[0] = 'X' // the next export reuses the buffer at once
	if got := lent.Materialize(); string(got) != "tiny" {
		t.Errorf("a small request lent as %q after reuse, want a copy", got)
	}
	if n := small.refs.Load(); n != 1 {
		t.Errorf("%d holders after lending a small request, want only the export's", n)
	}
	lent.Free()
	small.release()
}
