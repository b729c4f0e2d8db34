package forward_test

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/poll"
)

// caFile writes the certificate of a TLS test server as a PEM file.
func caFile(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTLS forwards over https and grpcs trusting CAFile, and keeps
// retrying (nothing dropped) an upstream whose certificate is not trusted.
func TestTLS(t *testing.T) {
	var got atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	t.Cleanup(srv.Close)
	ca := caFile(t, srv)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer(grpc.Creds(credentials.NewServerTLSFromCert(&srv.TLS.Certificates[0])))
	u := &grpcUpstream{answer: func(int) (int64, error) { return 0, nil }}
	ptraceotlp.RegisterGRPCServer(gs, u)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = gs.Serve(l)
	}()
	t.Cleanup(func() {
		gs.Stop()
		<-served
	})

	for _, url := range []string{srv.URL, "grpcs://" + l.Addr().String()} {
		cfg := testConfig(t, url)
		cfg.CAFile = ca
		f := newForwarder(t, cfg)
		_ = f.AppendTraces(traceRequest(1, 2))
		start(t, f)
		if st := waitForwarded(t, f); st.ForwardedRecords != 1 {
			t.Errorf("%s: %+v", url, st)
		}

		untrusted := newForwarder(t, testConfig(t, url))
		_ = untrusted.AppendTraces(traceRequest(1, 2))
		start(t, untrusted)
		poll.Until(t, 10*time.Second, "retries of an untrusted upstream", func() bool { return untrusted.Stats().Retries >= 2 })
		if st := untrusted.Stats(); st.QueueRecords != 1 || !strings.Contains(st.LastError, "certificate") {
			t.Errorf("%s, untrusted: %+v", url, st)
		}
	}
	if got.Load() != 1 || len(u.get()) != 1 {
		t.Errorf("%d HTTPS requests, %d gRPC calls", got.Load(), len(u.get()))
	}
}

// countingListener counts the bytes its connections read.
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	return countingConn{c, l.n}, err
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// TestGRPCCompression gzips requests with "gzip", and not with "none":
// the bytes on the wire tell.
func TestGRPCCompression(t *testing.T) {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for i := range 2000 {
		sp := spans.AppendEmpty()
		sp.SetName(strings.Repeat("compressible ", 20))
		sp.SetTraceID([16]byte{1})
		sp.SetSpanID([8]byte{byte(i), byte(i >> 8), 1})
	}
	body, _ := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	for _, tc := range []struct {
		compression string
		ok          func(wire int64) bool
	}{
		{"gzip", func(wire int64) bool { return wire < int64(len(body))/10 }},
		{"none", func(wire int64) bool { return wire > int64(len(body)) }},
	} {
		t.Run(tc.compression, func(t *testing.T) {
			var wire atomic.Int64
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			gs := grpc.NewServer()
			u := &grpcUpstream{answer: func(int) (int64, error) { return 0, nil }}
			ptraceotlp.RegisterGRPCServer(gs, u)
			served := make(chan struct{})
			go func() {
				defer close(served)
				_ = gs.Serve(countingListener{l, &wire})
			}()
			t.Cleanup(func() {
				gs.Stop()
				<-served
			})
			cfg := testConfig(t, "grpc://"+l.Addr().String())
			cfg.Compression = tc.compression
			f := newForwarder(t, cfg)
			if err := f.Append(forward.Traces, body); err != nil {
				t.Fatal(err)
			}
			start(t, f)
			waitForwarded(t, f)
			if calls := u.get(); len(calls) != 1 || calls[0].spans != 2000 || !tc.ok(wire.Load()) {
				t.Errorf("%d calls; %d bytes on the wire for a request of %d", len(calls), wire.Load(), len(body))
			}
		})
	}
}

// TestShutdownAbandonsSend gives a send in flight until Shutdown's
// deadline, then abandons it: the request stays queued and is sent after
// a restart.
func TestShutdownAbandonsSend(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then the server notices the client leave
		requests.Add(1)
		<-r.Context().Done() // never answers
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig(t, srv.URL)
	f, err := forward.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_ = f.AppendTraces(traceRequest(1, 2))
	start(t, f)
	poll.Until(t, 5*time.Second, "the request upstream", func() bool { return requests.Load() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	began := time.Now()
	err = f.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "abandoned") || time.Since(began) > 3*time.Second {
		t.Errorf("Shutdown after %v: %v", time.Since(began), err)
	}
	if err2 := f.Shutdown(context.Background()); err2 != err {
		t.Errorf("second Shutdown: %v", err2)
	}
	again := newForwarder(t, cfg)
	if st := again.Stats(); st.QueueRecords != 1 {
		t.Errorf("after restart: %d records queued, want the abandoned one", st.QueueRecords)
	}
}
