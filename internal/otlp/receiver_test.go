package otlp

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/sightline-dev/sightline/internal/poll"
)

// TestShutdownForced: requests blocked in the sink on both transports;
// Shutdown returns once its context ends, the sink sees its context
// canceled, and (goleak, in TestMain) no goroutine is left.
func TestShutdownForced(t *testing.T) {
	sink := newFakeSink()
	sink.set(sinkBehavior{gate: make(chan struct{})}) // never opened
	r, err := New(testConfig(), sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	conn := dial(t, r)
	_, httpAddr := r.Addrs()

	httpDone := make(chan error, 1)
	body := tracesProto(t, 5)
	go func() {
		res, err := httpClientPost("http://"+httpAddr+pathTraces, body)
		if err == nil && res.status != 200 {
			err = errors.New(string(res.body))
		}
		httpDone <- err
	}()
	grpcDone := make(chan error, 1)
	go func() {
		_, err := plogotlp.NewGRPCClient(conn).Export(context.Background(), plogotlp.NewExportRequestFromLogs(sampleLogs(2)))
		grpcDone <- err
	}()
	sink.waitEntered(t)
	sink.waitEntered(t)

	ctx, cancel := context.WithCancel(context.Background())
	shutdownDone := make(chan error, 1)
	go func() { shutdownDone <- r.Shutdown(ctx) }()
	poll.Until(t, testTimeout, "Shutdown to begin", r.stopping)
	select {
	case err := <-shutdownDone:
		t.Fatalf("Shutdown returned %v while requests were in the sink and its context alive", err)
	default:
	}
	cancel()
	err = <-shutdownDone
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown = %v, want an error wrapping context.Canceled", err)
	}
	if got := len(sink.canceledCalls()); got != 2 {
		t.Errorf("%d sink calls saw their context canceled, want 2", got)
	}
	for _, c := range sink.canceledCalls() {
		if !errors.Is(c, errForced) && !errors.Is(c, context.Canceled) {
			t.Errorf("sink context cause %v, want %v or context.Canceled", c, errForced)
		}
	}
	if err := <-httpDone; err == nil {
		t.Errorf("HTTP request succeeded across a forced shutdown")
	}
	if err := <-grpcDone; err == nil {
		t.Errorf("gRPC request succeeded across a forced shutdown")
	}
	if again := r.Shutdown(context.Background()); again != err {
		t.Errorf("second Shutdown = %v, want the first result %v", again, err)
	}
	if r.Stats().InFlightItems != 0 {
		t.Errorf("items still in flight after shutdown: %d", r.Stats().InFlightItems)
	}
	checkBalance(t, r.Stats().Traces)
	checkBalance(t, r.Stats().Logs)
}

// TestShutdownGraceful: a request in the sink finishes during Shutdown,
// which then returns nil; the receiver cannot start again.
func TestShutdownGraceful(t *testing.T) {
	sink := newFakeSink()
	gate := make(chan struct{})
	sink.set(sinkBehavior{gate: gate})
	r, err := New(testConfig(), sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	conn := dial(t, r)
	grpcDone := make(chan error, 1)
	go func() {
		_, err := ptraceotlp.NewGRPCClient(conn).Export(context.Background(), ptraceotlp.NewExportRequestFromTraces(sampleTraces(2)))
		grpcDone <- err
	}()
	sink.waitEntered(t)
	shutdownDone := make(chan error, 1)
	go func() { shutdownDone <- r.Shutdown(context.Background()) }()
	poll.Until(t, testTimeout, "Shutdown to begin", r.stopping)
	close(gate)
	if err := <-grpcDone; err != nil {
		t.Errorf("request in progress during Shutdown: %v", err)
	}
	if err := <-shutdownDone; err != nil {
		t.Errorf("Shutdown = %v, want nil", err)
	}
	if got := len(sink.gotSpans()); got != 2 {
		t.Errorf("stored %d spans, want 2", got)
	}
	if err := r.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "shut down") {
		t.Errorf("Start after Shutdown = %v, want an error", err)
	}
}

func TestLifecycle(t *testing.T) {
	t.Run("shutdown without start", func(t *testing.T) {
		r, err := New(testConfig(), newFakeSink())
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown = %v", err)
		}
		if g, h := r.Addrs(); g != "" || h != "" {
			t.Errorf("Addrs = %q %q, want empty", g, h)
		}
	})
	t.Run("start twice", func(t *testing.T) {
		r := startReceiver(t, testConfig(), newFakeSink())
		if err := r.Start(context.Background()); err == nil {
			t.Error("second Start succeeded")
		}
	})
	t.Run("address in use", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = l.Close() }()
		cfg := testConfig()
		cfg.HTTPAddr = l.Addr().String()
		r, err := New(cfg, newFakeSink())
		if err != nil {
			t.Fatal(err)
		}
		err = r.Start(context.Background())
		if err == nil || !strings.Contains(err.Error(), "OTLP/HTTP on "+cfg.HTTPAddr) {
			t.Errorf("Start = %v, want an error naming %s", err, cfg.HTTPAddr)
		}
		if err := r.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown after a failed Start = %v", err)
		}
	})
	t.Run("one transport", func(t *testing.T) {
		cfg := testConfig()
		cfg.GRPCAddr = ""
		r := startReceiver(t, cfg, newFakeSink())
		if g, h := r.Addrs(); g != "" || !strings.HasPrefix(h, "127.0.0.1:") {
			t.Errorf("Addrs = %q %q, want only HTTP on loopback", g, h)
		}
	})
	t.Run("nil sink", func(t *testing.T) {
		if _, err := New(testConfig(), nil); err == nil {
			t.Error("New with a nil sink succeeded")
		}
	})
}
