package otlp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/poll"
)

// holdSlowBody opens a connection to addr that sends the headers of a POST
// with a body of n bytes, then nothing: a client that sends its body
// slowly. It is closed when the test ends.
func holdSlowBody(t *testing.T, addr string, n int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", pathTraces, addr, contentTypeProto, n)
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSlowBodiesDoNotStarve: clients that send their bodies slowly, more of
// them than there are decode slots, hold only the bytes they reserved:
// a request from another client is read, decoded and stored at once. (When
// a body held a slot while it was read, such clients held every slot for
// the whole read timeout, a minute, and HTTP intake stopped.)
func TestSlowBodiesDoNotStarve(t *testing.T) {
	sink := newFakeSink()
	r := startReceiver(t, testConfig(), sink)
	_, addr := r.Addrs()
	slow := cap(r.admission.decodeSlot) + 2
	for range slow {
		holdSlowBody(t, addr, 4096)
	}
	// Every slow client is being read: its bytes are reserved.
	poll.Until(t, testTimeout, "the slow bodies' bytes reserved", func() bool {
		return r.admission.inFlightBytes() == int64(slow)*4096
	})

	body := tracesProto(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+pathTraces, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentTypeProto)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("a request beside %d slow clients: %v", slow, err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(sink.gotSpans()) != 3 {
		t.Errorf("status %d, %d spans stored; want 200 and 3", resp.StatusCode, len(sink.gotSpans()))
	}
}

// TestRefusedBodyDiscardBounded: after refusing a request, the receiver
// reads what is left of its body only for a while: a client that trickles
// it has its connection closed, instead of holding the handler for as long
// as it likes.
func TestRefusedBodyDiscardBounded(t *testing.T) {
	r := startReceiverSetup(t, testConfig(), newFakeSink(), func(r *Receiver) { r.discardTimeout = 200 * time.Millisecond })
	_, addr := r.Addrs()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	// text/plain is refused (415) before the body is read.
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: text/plain\r\nContent-Length: 1000000\r\n\r\nx", pathTraces, addr)
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(testTimeout))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("read the answer: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("status %d, want 415", resp.StatusCode)
	}
	// The client sends nothing more: the server gives up reading and
	// closes the connection soon after discardTimeout.
	start := time.Now()
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("read after the answer: %v, want the connection closed", err)
	}
	if d := time.Since(start); d > testTimeout/2 {
		t.Errorf("the connection was closed after %v", d)
	}
}

// TestConnectionLimit: past MaxConnections, a new connection is closed at
// once and counted; once one closes, a new one is served again.
func TestConnectionLimit(t *testing.T) {
	cfg := testConfig()
	cfg.MaxConnections = 3
	r := startReceiver(t, cfg, newFakeSink())
	grpcAddr, httpAddr := r.Addrs()
	var held []net.Conn
	for i, addr := range []string{httpAddr, httpAddr, grpcAddr} { // both listeners share the limit
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = c.Close() }()
		held = append(held, c)
		poll.Until(t, testTimeout, fmt.Sprintf("connection %d accepted", i+1), func() bool { return r.Stats().OpenConnections == int64(i+1) })
	}

	extra, err := net.Dial("tcp", httpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = extra.Close() }()
	_ = extra.SetReadDeadline(time.Now().Add(testTimeout))
	if _, err := extra.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("the fourth connection: read %v, want it closed", err)
	}
	if st := r.Stats(); st.RefusedConnections != 1 || st.OpenConnections != 3 || st.MaxConnections != 3 {
		t.Errorf("refused %d open %d max %d, want 1, 3, 3", st.RefusedConnections, st.OpenConnections, st.MaxConnections)
	}

	_ = held[0].Close()
	poll.Until(t, testTimeout, "the closed connection's place given back", func() bool { return r.Stats().OpenConnections == 2 })
	if res := post(t, r, pathTraces, contentTypeProto, "", bytes.NewReader(tracesProto(t, 1))); res.status != http.StatusOK {
		t.Errorf("a request once a place is free: status %d", res.status)
	}
}

// isReset reports whether err is a connection reset by the peer (what a
// read sees when the server closed with unread data).
func isReset(err error) bool { return errors.Is(err, syscall.ECONNRESET) }
