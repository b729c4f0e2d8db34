// Package servetest runs an in-process [serve.Server] for tests (those of
// internal/serve and the end-to-end tests of cmd/sightline) and reads its
// query API: a server on free loopback ports and a fresh data directory,
// stopped when the test ends, its output kept for the test to read.
package servetest

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

	"github.com/sightline-dev/sightline/internal/serve"
	"github.com/sightline-dev/sightline/internal/syncbuf"
	"github.com/sightline-dev/sightline/telemetry"
)

// Client keeps no idle connections (nor their goroutines) between
// requests, so tests that check for leaked goroutines can use it.
var Client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Minute}

// Config is the server's configuration for tests: free loopback ports, a
// fresh data directory, quiet stats (an hour apart) and 20 s to stop.
func Config(t testing.TB) serve.Config {
	cfg := serve.DefaultConfig()
	cfg.GRPCAddr, cfg.HTTPAddr, cfg.UIAddr = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.StatsInterval = time.Hour
	cfg.ShutdownTimeout = 20 * time.Second
	return cfg
}

// NoEnv keeps the machine's SIGHTLINE_*/OTEL_* variables out of the
// server's own telemetry: Start adds it before the test's options.
func NoEnv() serve.Option {
	return serve.WithTelemetry(telemetry.WithEnv(func(string) (string, bool) { return "", false }))
}

// Server is a started in-process server.
type Server struct {
	// Addrs is what it listens on.
	serve.Addrs
	// Out holds what it wrote.
	Out *syncbuf.Buffer
	srv *serve.Server
	// timeout bounds Stop: the Config's ShutdownTimeout.
	timeout time.Duration

	once    sync.Once
	stopErr error
}

// Start starts a server for cfg with opts (after [NoEnv]) and shuts it
// down when the test ends, failing the test if that fails.
func Start(t testing.TB, cfg serve.Config, opts ...serve.Option) *Server {
	t.Helper()
	out := &syncbuf.Buffer{}
	srv, err := serve.New(cfg, append([]serve.Option{NoEnv(), serve.WithOutput(out)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("serve did not start: %v\noutput:\n%s", err, out.String())
	}
	s := &Server{Addrs: srv.Addrs(), Out: out, srv: srv, timeout: cfg.ShutdownTimeout}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("serve: %v\noutput:\n%s", err, out.String())
		}
	})
	return s
}

// Stop shuts the server down (within the Config's ShutdownTimeout) and
// returns what Shutdown returned; later calls return the same.
func (s *Server) Stop() error {
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		defer cancel()
		s.stopErr = s.srv.Shutdown(ctx)
	})
	return s.stopErr
}

// Get GETs url with an Accept header ("" sends none) and returns the
// answer, its body read and closed, failing t if there is none.
func Get(t testing.TB, url, accept string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// GetJSON GETs path on the UI address ui and decodes the JSON answer into
// v (numbers as json.Number), failing t unless the status is want. A nil
// v skips the decoding.
func GetJSON(t testing.TB, ui, path string, want int, v any) {
	t.Helper()
	resp, body := Get(t, ui+path, "")
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

// Lines returns the lines of out that start with prefix, without their
// newline.
func Lines(out interface{ String() string }, prefix string) []string {
	var lines []string
	for line := range strings.Lines(out.String()) {
		if strings.HasPrefix(line, prefix) {
			lines = append(lines, strings.TrimSuffix(line, "\n"))
		}
	}
	return lines
}
