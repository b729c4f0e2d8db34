package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/store"
	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// TestServeGracefulStop: on stop, a request held in the store is still
// stored and acknowledged, new requests are refused, and serve returns
// nil with the store closed (its data readable by a new Store).
func TestServeGracefulStop(t *testing.T) {
	noLeaks(t)
	cfg := testServeConfig(t)
	sink := &slowSink{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	ts := startServe(t, cfg, func(h *serveHooks) {
		h.wrapSink = func(next otlp.Sink) otlp.Sink { sink.Sink = next; return sink }
	})
	body, err := spansRequest(600, 10, 5).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	post := func() (*http.Response, error) {
		return testClient.Post("http://"+ts.addrs.http+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
	}
	held := make(chan int, 1)
	go func() {
		resp, err := post()
		if err != nil {
			held <- 0
			return
		}
		resp.Body.Close()
		held <- resp.StatusCode
	}()
	<-sink.entered

	stopped := make(chan error, 1)
	go func() { stopped <- ts.stop() }()
	// Probe with a bare connection, not a request: a request that slipped
	// in before the listener closed would itself be held by the sink.
	poll.Until(t, 10*time.Second, "the receivers to stop accepting", func() bool {
		c, err := net.DialTimeout("tcp", ts.addrs.http, time.Second)
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
	if !strings.Contains(ts.out.String(), "sightline serve: stopping\n") || !strings.HasSuffix(ts.out.String(), "sightline serve: stopped\n") {
		t.Errorf("output:\n%s", ts.out.String())
	}
	// The last stats line reports what the stop let through.
	if lines := linesOf(ts.out, "sightline serve: last "); len(lines) != 1 || !strings.Contains(lines[0], "600 stored") {
		t.Errorf("stats lines %q", lines)
	}

	st, err := store.Open(context.Background(), cfg.dataDir, store.Options{})
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
		ts := startServe(t, testServeConfig(t), func(h *serveHooks) { h.telemetry = append(h.telemetry, opts...) })
		body, err := spansRequest(3, 1, 6).MarshalProto()
		if err != nil {
			t.Fatal(err)
		}
		resp, err := testClient.Post("http://"+ts.addrs.http+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if kernel {
			poll.Until(t, 10*time.Second, "the receiver's span", func() bool { return slices.Contains(rec.SpanNames(), "otlp.export traces") })
		}
		if err := ts.stop(); err != nil {
			t.Fatal(err)
		}
		if !kernel && len(rec.Spans()) != 0 {
			t.Errorf("kernel topic off, yet spans %q", rec.SpanNames())
		}
	}
}
