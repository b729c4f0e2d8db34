package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	// Registers the memory exporter the test components export to.
	_ "github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// lookup is a getenv over m.
func lookup(m map[string]string) telemetry.Getenv {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// noEnv is an empty environment, so no test reads SIGHTLINE_ADMIN_TOKEN
// from the real one.
var noEnv = WithEnv(lookup(nil))

var memSeq atomic.Int64

// memName returns a fresh memory endpoint name.
func memName() string { return fmt.Sprintf("admin-test-%d", memSeq.Add(1)) }

// testComponent sets up a running component named name whose spans and
// logs go to fresh memory endpoints (returned), with extra variables.
func testComponent(t testing.TB, name string, extra map[string]string) (*telemetry.Component, string) {
	t.Helper()
	mem := memName()
	env := map[string]string{
		"SIGHTLINE_TELEMETRY_ENABLE":            "on",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "memory",
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": mem,
		"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS": "memory",
		"SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS": mem,
	}
	for k, v := range extra {
		env[k] = v
	}
	comp, err := telemetry.Setup(context.Background(), telemetry.WithComponent(name), telemetry.WithEnv(lookup(env)))
	if err != nil {
		t.Fatalf("Setup(%s): %v", name, err)
	}
	t.Cleanup(func() { _ = comp.Shutdown(context.Background()) })
	return comp, mem
}

// fixture is a handler served on a real loopback socket with a client.
type fixture struct {
	h      *Handler
	comp   *telemetry.Component // the first component, named "motor"
	mem    string               // its memory endpoint
	base   string               // http://127.0.0.1:PORT
	hc     *http.Client
	client *Client
}

// serve starts a handler for a component "motor" (plus opts) on
// 127.0.0.1:0; the test's cleanup stops it and checks Serve returned nil.
func serve(t *testing.T, opts ...Option) *fixture {
	t.Helper()
	comp, mem := testComponent(t, "motor", nil)
	h, err := NewHandler(append([]Option{noEnv, WithComponents(comp)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{h: h, comp: comp, mem: mem}
	f.base = serveHandler(t, h)
	f.hc = &http.Client{Transport: &http.Transport{}}
	t.Cleanup(f.hc.CloseIdleConnections)
	f.client = f.newClient(t, WithClientToken(h.Token()))
	return f
}

// serveHandler serves h on 127.0.0.1:0 until the test ends (its token
// file goes to the runtime directory TestMain made).
func serveHandler(t *testing.T, h *Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- h.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func (f *fixture) newClient(t *testing.T, opts ...ClientOption) *Client {
	t.Helper()
	c, err := NewClient(f.base, append([]ClientOption{WithHTTPClient(f.hc)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// response is a raw response: status, headers and body.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a raw request; hdr holds extra headers ("Content-Type" is
// application/json for a non-empty body, and "Authorization" the
// handler's token, unless hdr sets them, "" to omit).
func (f *fixture) do(t *testing.T, method, path, body string, hdr map[string]string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+f.h.Token())
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := f.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// jsonEqual checks that got holds the same JSON value as want.
func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("response %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body = %s, want %s", got, want)
	}
}

// errorBody decodes a JSON error body.
func errorBody(t *testing.T, r response) Error {
	t.Helper()
	var e Error
	dec := json.NewDecoder(strings.NewReader(string(r.body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	if e.Message == "" {
		t.Errorf("error body %q has no message", r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type = %q", ct)
	}
	return e
}

// snapshot is a component's configuration and sources, to check that a
// refused request changed nothing.
type snapshot struct {
	cfg telemetry.Config
	src telemetry.Sources
}

func snap(c *telemetry.Component) snapshot {
	cfg, src := c.Control().Config()
	return snapshot{cfg, src}
}

func (s snapshot) unchanged(t *testing.T, c *telemetry.Component) {
	t.Helper()
	if now := snap(c); !reflect.DeepEqual(now, s) {
		t.Errorf("configuration changed by a refused request:\n got %+v\nwant %+v", now, s)
	}
}

// asError returns err as an *Error or fails.
func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	return e
}

// checkError compares an error's status, field, value, allowed and
// message (want.Message is a substring; nil Allowed is not checked, an
// empty one must be empty).
func checkError(t *testing.T, status int, got Error, want Error) {
	t.Helper()
	if status != want.StatusCode {
		t.Errorf("status = %d, want %d (%s)", status, want.StatusCode, got.Message)
	}
	if !strings.Contains(got.Message, want.Message) {
		t.Errorf("message = %q, want it to contain %q", got.Message, want.Message)
	}
	if got.Field != want.Field {
		t.Errorf("field = %q, want %q", got.Field, want.Field)
	}
	if got.Value != want.Value {
		t.Errorf("value = %q, want %q", got.Value, want.Value)
	}
	if want.Allowed != nil && !slices.Equal(got.Allowed, want.Allowed) {
		t.Errorf("allowed = %q, want %q", got.Allowed, want.Allowed)
	}
}
