package grpcraw_test

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"

	"github.com/sightline-dev/sightline/internal/grpcraw"
	"github.com/sightline-dev/sightline/internal/poll"
)

// echo serves every method by answering the request's bytes reversed,
// through the codec on the server side too, and records the content type
// of the calls.
func echo(t *testing.T, contentType *atomic.Value) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.ForceServerCodecV2(grpcraw.Codec{}),
		grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
			md, _ := metadata.FromIncomingContext(stream.Context())
			contentType.Store(md.Get("content-type"))
			var req grpcraw.Message
			if err := stream.RecvMsg(&req); err != nil {
				return err
			}
			resp := grpcraw.Message(bytes.Clone(req))
			for i, j := 0, len(resp)-1; i < j; i, j = i+1, j-1 {
				resp[i], resp[j] = resp[j], resp[i]
			}
			return stream.SendMsg(&resp)
		}))
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// lender counts its loans and their returns.
type lender struct {
	data           []byte
	lent, returned atomic.Int32
}

func (l *lender) Lend() mem.BufferSlice {
	l.lent.Add(1)
	return mem.BufferSlice{mem.NewBuffer(&l.data, l)}
}
func (l *lender) Get(n int) *[]byte { b := make([]byte, n); return &b }
func (l *lender) Put(*[]byte)       { l.returned.Add(1) }

// TestRoundTrip sends a Message and a Lender's bytes as they are and
// receives the answer's bytes; the Lender gets its one loan back.
func TestRoundTrip(t *testing.T) {
	var contentType atomic.Value
	conn := echo(t, &contentType)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	call := func(req any) []byte {
		t.Helper()
		var resp grpcraw.Message
		if err := conn.Invoke(ctx, "/any.Service/Method", req, &resp, grpc.ForceCodecV2(grpcraw.Codec{})); err != nil {
			t.Fatal(err)
		}
		return resp
	}
	msg := grpcraw.Message("\x0a\x03abc")
	if got := call(&msg); string(got) != "cba\x03\x0a" {
		t.Errorf("answer to a Message %q, want the request reversed", got)
	}
	if ct := contentType.Load().([]string); len(ct) != 1 || ct[0] != "application/grpc" {
		t.Errorf("content type %q, want application/grpc as grpc-go's proto codec sends", ct)
	}
	// Above grpc-go's pooling threshold (1 KiB), so the loan is counted.
	l := &lender{data: bytes.Repeat([]byte("xy"), 4096)}
	if got := call(l); len(got) != len(l.data) || got[0] != 'y' {
		t.Errorf("answer to a Lender: %d bytes starting %q, want %d reversed", len(got), got[:1], len(l.data))
	}
	poll.Until(t, 5*time.Second, "the loan to come back", func() bool { return l.returned.Load() == 1 })
	if n := l.lent.Load(); n != 1 {
		t.Errorf("%d loans for one call, want 1", n)
	}
	empty := grpcraw.Message(nil)
	if got := call(&empty); len(got) != 0 {
		t.Errorf("answer to an empty Message %q, want empty", got)
	}
}

// TestWrongTypes checks that the codec names what it cannot carry.
func TestWrongTypes(t *testing.T) {
	var c grpcraw.Codec
	if _, err := c.Marshal("text"); err == nil || !strings.Contains(err.Error(), "cannot marshal string") {
		t.Errorf("Marshal(string): %v, want an error naming the type", err)
	}
	var b []byte
	if err := c.Unmarshal(mem.BufferSlice{mem.SliceBuffer("x")}, &b); err == nil || !strings.Contains(err.Error(), "*[]uint8") {
		t.Errorf("Unmarshal(*[]byte): %v, want an error naming the type", err)
	}
}
