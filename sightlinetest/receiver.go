package sightlinetest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/grpc"

	"github.com/sightline-dev/sightline/internal/otlp"
)

// Transport names recorded in [Span.Transport] and [LogRecord.Transport].
const (
	TransportGRPC = "grpc"
	TransportHTTP = "http"
)

// maxBodyBytes caps a request: an HTTP body as sent and after
// decompression, and a gRPC message.
const maxBodyBytes = 64 << 20

// retryDelay is what a refusal in failing mode asks clients to wait, as
// Retry-After over HTTP and RetryInfo over gRPC.
const retryDelay = time.Second

// stopTimeout bounds how long a graceful stop may wait for clients that keep
// their connections open before the servers are closed forcibly.
const stopTimeout = 5 * time.Second

// Receiver is an OTLP receiver (gRPC and HTTP) for tests: sightline's own
// receiver (the one `sightline serve` runs) with an in-memory sink that
// records every span and log record it receives. Create one with
// [NewReceiver]; it is stopped when the test that created it ends.
//
// All methods are safe for concurrent use.
type Receiver struct {
	t        testing.TB
	rcv      *otlp.Receiver
	grpcAddr string
	httpAddr string
	sink     memorySink
}

// NewReceiver starts an OTLP/gRPC server and an OTLP/HTTP server, each on a
// free port of 127.0.0.1, and registers their graceful stop with t.Cleanup.
// It fails the test if a port cannot be opened.
func NewReceiver(t testing.TB) *Receiver {
	t.Helper()
	r := &Receiver{t: t}
	r.sink.init()
	cfg := otlp.DefaultConfig()
	cfg.GRPCAddr, cfg.HTTPAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.MaxRequestBytes = maxBodyBytes
	cfg.RetryAfter = retryDelay
	rcv, err := otlp.New(cfg, &r.sink)
	if err != nil {
		t.Fatalf("sightlinetest: new receiver: %v", err)
		return r
	}
	if err := rcv.Start(context.Background()); err != nil {
		t.Fatalf("sightlinetest: %v", err)
		return r
	}
	r.rcv = rcv
	r.grpcAddr, r.httpAddr = rcv.Addrs()
	t.Cleanup(r.stop)
	return r
}

// stop stops both servers gracefully, closing them forcibly if clients keep
// connections open for longer than stopTimeout; no goroutine is left.
func (r *Receiver) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
	defer cancel()
	if err := r.rcv.Shutdown(ctx); err != nil {
		r.t.Logf("sightlinetest: receiver: %v", err)
	}
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
// every export request that reaches its sink from now on, as a collector
// whose store is down does: HTTP 503 with Retry-After: 1, or gRPC
// UNAVAILABLE with a one-second RetryInfo; the data is not recorded. (An
// empty request never reaches the sink and is still a success.)
func (r *Receiver) SetFailing(failing bool) { r.sink.failing.Store(failing) }

// Requests returns how many export requests of traces and logs were
// answered with success (ok) and how many with an error (failed): refused by
// [Receiver.SetFailing], malformed, too large, or with a Content-Type or
// Content-Encoding the receiver does not take. Requests to other paths or
// with another method than POST, and metrics exports, are not counted. A
// request is counted once it is answered.
func (r *Receiver) Requests() (ok, failed int) {
	st := r.rcv.Stats()
	all := st.Traces.Requests.GRPC + st.Traces.Requests.HTTP + st.Logs.Requests.GRPC + st.Logs.Requests.HTTP
	refused := st.Traces.RefusedRequests.Sum() + st.Logs.RefusedRequests.Sum()
	return int(all - refused), int(refused)
}

// Reset forgets every span and log record received so far. The request
// counters and the failing mode are kept.
func (r *Receiver) Reset() { r.sink.reset() }

// errFailing is the message of a refusal in failing mode.
var errFailing = errors.New("sightlinetest: receiver set to fail (SetFailing(true))")

// memorySink is the receiver's sink: it records what it is given, or fails
// in failing mode.
type memorySink struct {
	store
	failing atomic.Bool
}

func (s *memorySink) AppendTraces(ctx context.Context, td ptrace.Traces) (int, string, error) {
	if s.failing.Load() {
		return 0, "", errFailing
	}
	s.addTraces(td, transportOf(ctx))
	return 0, "", nil
}

func (s *memorySink) AppendLogs(ctx context.Context, ld plog.Logs) (int, string, error) {
	if s.failing.Load() {
		return 0, "", errFailing
	}
	s.addLogs(ld, transportOf(ctx))
	return 0, "", nil
}

// transportOf tells a gRPC export (its context carries the RPC's method)
// from an HTTP one.
func transportOf(ctx context.Context) string {
	if _, ok := grpc.Method(ctx); ok {
		return TransportGRPC
	}
	return TransportHTTP
}
