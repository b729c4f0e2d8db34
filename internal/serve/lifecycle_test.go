package serve_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/serve"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/internal/store"
	"github.com/sightline-dev/sightline/internal/syncbuf"
	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// TestServeGracefulStop: on stop, a request held in the store is still
// stored and acknowledged, new requests are refused, and serve returns
// nil with the store closed (its data readable by a new Store).
func TestServeGracefulStop(t *testing.T) {
	noLeaks(t)
	cfg := servetest.Config(t)
	ts, sink, _, held := startHeld(t, cfg, 5)

	stopped := make(chan error, 1)
	go func() { stopped <- ts.Stop() }()
	// Probe with a bare connection, not a request: a request that slipped
	// in before the listener closed would itself be held by the sink.
	poll.Until(t, 10*time.Second, "the receivers to stop accepting", func() bool {
		c, err := net.DialTimeout("tcp", ts.HTTP, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	close(sink.gate)
	if code := <-held; code != http.StatusOK {
		t.Errorf("request held during the stop: %d", code)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if !strings.Contains(ts.Out.String(), "sightline serve: stopping\n") || !strings.HasSuffix(ts.Out.String(), "sightline serve: stopped\n") {
		t.Errorf("output:\n%s", ts.Out.String())
	}
	// The last stats line reports what the stop let through.
	if lines := servetest.Lines(ts.Out, "sightline serve: last "); len(lines) != 1 || !strings.Contains(lines[0], "600 stored") {
		t.Errorf("stats lines %q", lines)
	}

	st, err := store.Open(context.Background(), cfg.DataDir, store.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer st.Close(context.Background())
	if s, err := st.Stats(context.Background()); err != nil || s.Spans != 600 {
		t.Errorf("after the stop: %+v, %v", s, err)
	}
}

// TestServeSelfTracing: the receiver's spans (kernel topic) go to serve's
// own telemetry when its topics include kernel, and only then.
func TestServeSelfTracing(t *testing.T) {
	noLeaks(t)
	for _, kernel := range []bool{true, false} {
		rec := sightlinetest.NewRecorder(t)
		opts := append(rec.Options(), telemetry.WithConfig(func(c *telemetry.Config) { c.Topics.Kernel = kernel }))
		ts := servetest.Start(t, servetest.Config(t), serve.WithTelemetry(opts...))
		body, err := spansRequest(3, 1, 6).MarshalProto()
		if err != nil {
			t.Fatal(err)
		}
		resp, err := servetest.Client.Post("http://"+ts.HTTP+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if kernel {
			poll.Until(t, 10*time.Second, "the receiver's span", func() bool { return slices.Contains(rec.SpanNames(), "otlp.export traces") })
		}
		if err := ts.Stop(); err != nil {
			t.Fatal(err)
		}
		if !kernel && len(rec.Spans()) != 0 {
			t.Errorf("kernel topic off, yet spans %q", rec.SpanNames())
		}
	}
}

// TestServeDataDirInUse: a second serve on a held directory, or on an
// address in use, fails to start, saying why, and leaves nothing running.
func TestServeDataDirInUse(t *testing.T) {
	noLeaks(t)
	cfg := servetest.Config(t)
	first := servetest.Start(t, cfg)
	var out syncbuf.Buffer
	run := func(cfg serve.Config) error {
		srv, err := serve.New(cfg, servetest.NoEnv(), serve.WithOutput(&out))
		if err != nil {
			t.Fatal(err)
		}
		return srv.Run(t.Context())
	}
	if err := run(cfg); err == nil || !strings.Contains(err.Error(), "is in use by another sightline process") {
		t.Errorf("second serve: %v", err)
	}
	cfg2 := servetest.Config(t)
	cfg2.UIAddr = strings.TrimPrefix(first.UI, "http://")
	if err := run(cfg2); err == nil || !strings.Contains(err.Error(), "--ui "+cfg2.UIAddr) || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("ui address in use: %v", err)
	}
	if out.String() != "" {
		t.Errorf("output of serves that did not start:\n%s", out.String())
	}
}

// TestServerLifecycle: Start once, Shutdown idempotent, Shutdown before
// Start stops it for good; Run returns nil when its context ends.
func TestServerLifecycle(t *testing.T) {
	noLeaks(t)
	var out syncbuf.Buffer
	srv, err := serve.New(servetest.Config(t), servetest.NoEnv(), serve.WithOutput(&out))
	if err != nil {
		t.Fatal(err)
	}
	if a := srv.Addrs(); a != (serve.Addrs{}) {
		t.Errorf("addresses before Start: %+v", a)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "already started") {
		t.Errorf("second Start: %v", err)
	}
	a := srv.Addrs()
	if a.GRPC == "" || a.HTTP == "" || !strings.HasPrefix(a.UI, "http://127.0.0.1:") || a.DataFile == "" {
		t.Errorf("addresses %+v", a)
	}
	for i := range 2 {
		if err := srv.Shutdown(t.Context()); err != nil {
			t.Errorf("Shutdown %d: %v", i, err)
		}
	}
	if err := srv.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "shut down") {
		t.Errorf("Start after Shutdown: %v", err)
	}
	if lines := servetest.Lines(&out, serve.LinePrefix+"stopped"); len(lines) != 1 {
		t.Errorf("stopped lines %q in:\n%s", lines, out.String())
	}

	never, err := serve.New(servetest.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := never.Shutdown(t.Context()); err != nil {
		t.Errorf("Shutdown before Start: %v", err)
	}
	if err := never.Start(t.Context()); err == nil {
		t.Error("Start after Shutdown started")
	}

	ran, err := serve.New(servetest.Config(t), servetest.NoEnv())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- ran.Run(ctx) }()
	poll.Until(t, 30*time.Second, "Run to listen", func() bool { return ran.Addrs().UI != "" })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}
