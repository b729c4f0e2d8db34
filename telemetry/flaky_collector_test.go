package telemetry_test

import (
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sightline-dev/sightline/sightlinetest"
)

// collectorMode is how a flakyCollector treats connections.
type collectorMode int

const (
	// forward relays every connection to the real OTLP receiver behind.
	forward collectorMode = iota
	// hang accepts connections, reads what arrives and never answers: a
	// collector that is stuck, not gone.
	hang
	// reset accepts connections and closes them at once: a collector that
	// is not ready yet. Unlike a closed port, the test sees each attempt.
	reset
)

// flakyCollector stands on a fixed loopback port in front of a real OTLP
// receiver (sightlinetest), so a test can make the collector hang, go down
// (the port refuses connections) and come back on the same port, with real
// sockets throughout. Its goroutines end with the test.
type flakyCollector struct {
	t      *testing.T
	addr   string // 127.0.0.1:port, fixed for the collector's life
	target string // the receiver's host:port

	accepted atomic.Int64 // connections accepted, in any mode

	mu    sync.Mutex
	mode  collectorMode
	ln    net.Listener // nil while down
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// newFlakyCollector starts a collector in mode in front of target (a
// receiver endpoint URL such as grpc://127.0.0.1:4317).
// flakyReceiver is a real receiver behind a flaky collector for exporter
// ("http" or "grpc"), starting in mode.
func flakyReceiver(t *testing.T, exporter string, mode collectorMode) (*sightlinetest.Receiver, *flakyCollector) {
	t.Helper()
	rcv := sightlinetest.NewReceiver(t)
	target := rcv.HTTPEndpoint()
	if exporter == "grpc" {
		target = rcv.GRPCEndpoint()
	}
	return rcv, newFlakyCollector(t, target, mode)
}

func newFlakyCollector(t *testing.T, target string, mode collectorMode) *flakyCollector {
	t.Helper()
	_, hostPort, _ := strings.Cut(target, "://")
	f := &flakyCollector{t: t, target: hostPort, mode: mode, conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = ln.Addr().String()
	f.serve(ln)
	t.Cleanup(func() {
		f.down()
		f.wg.Wait()
	})
	return f
}

func (f *flakyCollector) serve(ln net.Listener) {
	f.ln = ln
	f.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			if f.ln != ln { // went down meanwhile
				f.mu.Unlock()
				_ = c.Close()
				return
			}
			f.conns[c] = struct{}{}
			mode := f.mode
			f.mu.Unlock()
			f.accepted.Add(1)
			f.wg.Go(func() { f.handle(c, mode) })
		}
	})
}

func (f *flakyCollector) handle(c net.Conn, mode collectorMode) {
	defer f.forget(c)
	if mode == reset {
		return
	}
	if mode == hang {
		_, _ = io.Copy(io.Discard, c)
		return
	}
	up, err := net.Dial("tcp", f.target)
	if err != nil {
		return
	}
	if !f.track(up) {
		_ = up.Close()
		return
	}
	defer f.forget(up)
	f.wg.Go(func() {
		_, _ = io.Copy(up, c)
		_ = up.Close()
	})
	_, _ = io.Copy(c, up)
}

// track records a connection to close on a change; false when the
// collector went down meanwhile.
func (f *flakyCollector) track(c net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ln == nil {
		return false
	}
	f.conns[c] = struct{}{}
	return true
}

func (f *flakyCollector) forget(c net.Conn) {
	_ = c.Close()
	f.mu.Lock()
	delete(f.conns, c)
	f.mu.Unlock()
}

// closeConnsLocked closes every connection. f.mu held.
func (f *flakyCollector) closeConnsLocked() {
	for c := range f.conns {
		_ = c.Close()
	}
}

// setMode changes how new connections are treated and closes the current
// ones, as a collector restarted in place would.
func (f *flakyCollector) setMode(m collectorMode) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mode = m
	f.closeConnsLocked()
}

// down closes the port and every connection: connections are refused until
// up.
func (f *flakyCollector) down() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ln != nil {
		_ = f.ln.Close()
		f.ln = nil
	}
	f.closeConnsLocked()
}

// up listens on the same port again, in mode m.
func (f *flakyCollector) up(m collectorMode) {
	f.t.Helper()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		f.t.Fatalf("listen again on %s: %v", f.addr, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mode = m
	f.serve(ln)
}

// url is the collector's endpoint URL for exporter ("http" or "grpc").
func (f *flakyCollector) url(exporter string) string {
	if exporter == "grpc" {
		return "grpc://" + f.addr
	}
	return "http://" + f.addr
}
