package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/syncbuf"
	"github.com/sightline-dev/sightline/telemetry"
)

// testClient keeps no idle connections (nor their goroutines) between
// requests.
var testClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Minute}

// testServeConfig is serve's configuration for tests: free loopback
// ports, a fresh data directory, and quiet stats.
func testServeConfig(t *testing.T) serveConfig {
	cfg := defaultServeConfig()
	cfg.grpcAddr, cfg.httpAddr, cfg.uiAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.dataDir = t.TempDir()
	cfg.statsInterval = time.Hour
	cfg.shutdownTimeout = 20 * time.Second
	return cfg
}

// noTelemetryEnv keeps the machine's SIGHTLINE_*/OTEL_* variables out of
// serve's self-tracing in tests.
func noTelemetryEnv(h *serveHooks) {
	h.telemetry = append(h.telemetry, telemetry.WithEnv(func(string) (string, bool) { return "", false }))
}

// testServe is an in-process serve.
type testServe struct {
	addrs serveAddrs
	out   *syncbuf.Buffer
	stop  func() error // cancels serve and returns its error (once)
}

// startServe runs serve in the background until the test ends (or stop).
func startServe(t *testing.T, cfg serveConfig, hooks ...serveHook) *testServe {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan serveAddrs, 1)
	done := make(chan error, 1)
	out := &syncbuf.Buffer{}
	hooks = append([]serveHook{noTelemetryEnv}, hooks...)
	hooks = append(hooks, func(h *serveHooks) { h.ready = func(a serveAddrs) { ready <- a } })
	go func() { done <- serve(ctx, cfg, out, hooks...) }()
	ts := &testServe{out: out}
	var once sync.Once
	var stopErr error
	ts.stop = func() error {
		once.Do(func() { cancel(); stopErr = <-done })
		return stopErr
	}
	t.Cleanup(func() {
		if err := ts.stop(); err != nil {
			t.Errorf("serve: %v\noutput:\n%s", err, out.String())
		}
	})
	select {
	case ts.addrs = <-ready:
	case err := <-done:
		t.Fatalf("serve did not start: %v\noutput:\n%s", err, out.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start in 30s\noutput:\n%s", out.String())
	}
	return ts
}

// apiGet GETs path on the ui address and decodes the JSON answer into v,
// failing unless the status is want.
func apiGet(t *testing.T, ui, path string, want int, v any) {
	t.Helper()
	resp, err := testClient.Get(ui + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d: %s", path, resp.StatusCode, want, body)
	}
	if v == nil {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, body)
	}
}

// linesOf returns the lines of b that start with prefix.
func linesOf(b *syncbuf.Buffer, prefix string) []string {
	var out []string
	for line := range strings.Lines(b.String()) {
		if strings.HasPrefix(line, prefix) {
			out = append(out, strings.TrimSuffix(line, "\n"))
		}
	}
	return out
}
