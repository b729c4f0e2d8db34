package netlimit

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// accept serves l in the background, handing each accepted connection to
// the returned channel, until l is closed.
func accept(t *testing.T, l net.Listener) <-chan net.Conn {
	t.Helper()
	got := make(chan net.Conn, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			got <- c
		}
	}()
	t.Cleanup(func() { _ = l.Close(); <-done })
	return got
}

func dial(t *testing.T, l net.Listener) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func next(t *testing.T, got <-chan net.Conn) net.Conn {
	t.Helper()
	select {
	case c := <-got:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no connection accepted")
		return nil
	}
}

// TestLimit: two listeners share a limit of 2; the third connection is
// closed at once and counted; closing an accepted one (twice) gives one
// place back.
func TestLimit(t *testing.T) {
	lim := New(2)
	var ls []net.Listener
	for range 2 {
		raw, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, lim.Listen(raw))
	}
	gotA, gotB := accept(t, ls[0]), accept(t, ls[1])
	dial(t, ls[0])
	a := next(t, gotA)
	dial(t, ls[1])
	next(t, gotB)
	if lim.Open() != 2 || lim.Max() != 2 {
		t.Fatalf("open %d max %d, want 2 and 2", lim.Open(), lim.Max())
	}

	extra := dial(t, ls[0])
	_ = extra.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := extra.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("the third connection: read %v, want it closed", err)
	}
	if lim.Refused() != 1 || lim.Open() != 2 {
		t.Errorf("refused %d open %d, want 1 and 2", lim.Refused(), lim.Open())
	}

	_ = a.Close()
	_ = a.Close()
	if lim.Open() != 1 {
		t.Fatalf("open %d after closing one twice, want 1", lim.Open())
	}
	dial(t, ls[0])
	next(t, gotA)
	if lim.Open() != 2 || lim.Refused() != 1 {
		t.Errorf("open %d refused %d, want 2 and 1", lim.Open(), lim.Refused())
	}
}

func TestNewAtLeastOne(t *testing.T) {
	for _, n := range []int{-5, 0, 1} {
		if got := New(n).Max(); got != 1 {
			t.Errorf("New(%d).Max() = %d, want 1", n, got)
		}
	}
}
