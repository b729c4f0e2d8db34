package sightlinetest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"

	// Registers the gzip compressor so that gRPC exporters configured with
	// gzip compression can talk to the receiver.
	_ "google.golang.org/grpc/encoding/gzip"
)

// Transport names recorded in [Span.Transport] and [LogRecord.Transport].
const (
	TransportGRPC = "grpc"
	TransportHTTP = "http"
)

// maxBodyBytes caps a request body, both as sent and after decompression,
// and a gRPC message.
const maxBodyBytes = 64 << 20

// stopTimeout bounds how long a graceful stop may wait for clients that keep
// their connections open before the servers are closed forcibly.
const stopTimeout = 5 * time.Second

// Receiver is an OTLP receiver (gRPC and HTTP) for tests. It records every
// span and log record it receives. Create one with [NewReceiver]; it is
// stopped when the test that created it ends.
//
// All methods are safe for concurrent use.
type Receiver struct {
	t testing.TB

	grpcAddr string
	httpAddr string

	grpcServer *grpc.Server
	httpServer *http.Server
	serving    sync.WaitGroup

	failing  atomic.Bool
	okReqs   atomic.Int64
	failReqs atomic.Int64

	store store
}

// NewReceiver starts an OTLP/gRPC server and an OTLP/HTTP server, each on a
// free port of 127.0.0.1, and registers their graceful stop with t.Cleanup.
// It fails the test if a port cannot be opened.
func NewReceiver(t testing.TB) *Receiver {
	t.Helper()
	r := &Receiver{t: t}
	r.store.init()

	grpcLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("sightlinetest: listen for OTLP/gRPC: %v", err)
		return r
	}
	httpLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = grpcLis.Close()
		t.Fatalf("sightlinetest: listen for OTLP/HTTP: %v", err)
		return r
	}
	r.grpcAddr = grpcLis.Addr().String()
	r.httpAddr = httpLis.Addr().String()

	r.grpcServer = grpc.NewServer(grpc.MaxRecvMsgSize(maxBodyBytes))
	ptraceotlp.RegisterGRPCServer(r.grpcServer, &grpcTraces{r: r})
	plogotlp.RegisterGRPCServer(r.grpcServer, &grpcLogs{r: r})

	r.httpServer = &http.Server{
		Handler:           r.httpHandler(),
		ReadHeaderTimeout: 10 * time.Second,
	}

	r.serving.Add(2)
	go func() {
		defer r.serving.Done()
		// Serve returns nil after Stop or GracefulStop; any other error
		// means the listener broke, which the test will notice as failed
		// exports.
		_ = r.grpcServer.Serve(grpcLis)
	}()
	go func() {
		defer r.serving.Done()
		if err := r.httpServer.Serve(httpLis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Logf("sightlinetest: OTLP/HTTP server: %v", err)
		}
	}()
	t.Cleanup(r.stop)
	return r
}

// stop stops both servers gracefully, closing them forcibly if clients keep
// connections open for longer than stopTimeout, and waits for the serving
// goroutines to return.
func (r *Receiver) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()

	grpcDone := make(chan struct{})
	go func() {
		defer close(grpcDone)
		r.grpcServer.GracefulStop()
	}()
	if err := r.httpServer.Shutdown(ctx); err != nil {
		_ = r.httpServer.Close()
	}
	select {
	case <-grpcDone:
	case <-ctx.Done():
		r.grpcServer.Stop()
		<-grpcDone
	}
	r.serving.Wait()
}

// GRPCEndpoint returns the OTLP/gRPC endpoint as "grpc://127.0.0.1:PORT",
// for the Go gRPC exporters' WithEndpointURL options, which read any scheme
// but https as plaintext. The Go SDK's OTEL_EXPORTER_OTLP_ENDPOINT parsing
// differs: it needs the http:// scheme for plaintext gRPC.
func (r *Receiver) GRPCEndpoint() string { return "grpc://" + r.grpcAddr }

// HTTPEndpoint returns the OTLP/HTTP base URL as "http://127.0.0.1:PORT",
// without a path: the signal paths are /v1/traces and /v1/logs.
func (r *Receiver) HTTPEndpoint() string { return "http://" + r.httpAddr }

// SetFailing makes the receiver refuse (failing true) or accept (false)
// every export request from now on. A refused request gets HTTP 503 with
// Retry-After: 1, or gRPC UNAVAILABLE with a one-second RetryInfo, and its
// data is not recorded.
func (r *Receiver) SetFailing(failing bool) { r.failing.Store(failing) }

// Requests returns how many export requests were accepted (ok) and how many
// were answered with an error (failed): refused by [Receiver.SetFailing] or
// malformed. HTTP requests turned away before their body is read (unknown
// path, wrong method or Content-Type) are not counted.
func (r *Receiver) Requests() (ok, failed int) {
	return int(r.okReqs.Load()), int(r.failReqs.Load())
}

// Reset forgets every span and log record received so far. The request
// counters and the failing mode are kept.
func (r *Receiver) Reset() { r.store.reset() }

// errFailing is the message of a refusal in failing mode.
var errFailing = errors.New("sightlinetest: receiver set to fail (SetFailing(true))")
