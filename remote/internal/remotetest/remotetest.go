// Package remotetest holds what the tests of remote and remote/server
// share: a test device class, a server on a free loopback port, proxies
// traced by a client component, and telemetry environments with memory
// endpoints. Only tests import it.
package remotetest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sightline-dev/sightline/remote"
	"github.com/sightline-dev/sightline/remote/server"
	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// EnvOf is a telemetry environment made of m only.
func EnvOf(m map[string]string) telemetry.Getenv {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// MemEnv turns telemetry on with memory endpoints named mem; extra are
// more variables, name then value.
func MemEnv(mem string, extra ...string) map[string]string {
	m := map[string]string{
		"SIGHTLINE_TELEMETRY_ENABLE":            "on",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": telemetry.ExporterMemory,
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": mem,
		"SIGHTLINE_TELEMETRY_TYPES":             "tracing",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

// OffEnv turns telemetry off.
var OffEnv = map[string]string{"SIGHTLINE_TELEMETRY_ENABLE": "off"}

var memN atomic.Int64

// NewMem returns a fresh memory endpoint name and what it holds.
func NewMem(t testing.TB) (string, func() tracetest.SpanStubs) {
	name := fmt.Sprintf("remote-test-%d", memN.Add(1))
	m := sightlinetest.MemoryEndpoint(name)
	m.Reset()
	t.Cleanup(m.Reset)
	return name, m.Spans
}

// StartServer serves devs on a free loopback port until the test ends,
// with the telemetry environment env; it returns once the server answers
// (and its admin token file is published).
func StartServer(t testing.TB, name string, env map[string]string, opts []server.Option, devs ...*server.Device) (*server.Server, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, name, append([]server.Option{server.WithEnv(EnvOf(env))}, opts...)...)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	for _, d := range devs {
		if err := srv.Add(ctx, d); err != nil {
			cancel()
			t.Fatal(err)
		}
	}
	ready := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { ready <- a }) }()
	var addr net.Addr
	select {
	case addr = <-ready:
	case err := <-served:
		cancel()
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return srv, addr.String()
}

// Client sets up a client program's own telemetry component from env, as
// PyTango's client telemetry is: service.name from
// SIGHTLINE_TELEMETRY_CLIENT_SERVICE_NAME (telemetry.ClientServiceName),
// default sightline.client. It is shut down when the test ends.
func Client(t testing.TB, env map[string]string) *telemetry.Component {
	t.Helper()
	getenv := EnvOf(env)
	name := telemetry.ClientServiceName(getenv)
	comp, err := telemetry.Setup(context.Background(), telemetry.WithComponent(name),
		telemetry.WithServiceName(name), telemetry.WithEnv(getenv))
	if comp == nil {
		t.Fatalf("client telemetry: %v", err)
	}
	t.Cleanup(func() { _ = comp.Shutdown(context.Background()) })
	return comp
}

// Dial makes a proxy traced by a client component of env (Client), closed
// when the test ends.
func Dial(t testing.TB, addr string, env map[string]string, opts ...remote.DialOption) *remote.Proxy {
	t.Helper()
	return DialWith(t, addr, Client(t, env), opts...)
}

// DialWith makes a proxy traced by comp, closed when the test ends.
func DialWith(t testing.TB, addr string, comp *telemetry.Component, opts ...remote.DialOption) *remote.Proxy {
	t.Helper()
	all := append([]remote.DialOption{remote.WithTracerProvider(comp.TracerProvider()), remote.WithPropagator(comp.Propagator())}, opts...)
	p, err := remote.Dial(addr, all...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown(context.Background()) })
	return p
}

// Sum is the argument of Calc's Add.
type Sum struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

// Calc is a test device class: commands Add, Fail, Sleep, Echo; attributes
// gain (read/write, quality WARNING above 10, unit x) and label
// (read-only).
func Calc(name string) *server.Device {
	d := server.NewDevice(name, "Calc")
	var mu sync.Mutex
	gain := 1.0
	server.Command(d, "Add", func(_ context.Context, s Sum) (float64, error) {
		mu.Lock()
		defer mu.Unlock()
		return (s.A + s.B) * gain, nil
	})
	server.Command(d, "Fail", func(context.Context, server.Void) (server.Void, error) {
		return server.Void{}, errors.New("the sample holder is jammed")
	})
	server.Command(d, "Sleep", func(ctx context.Context, ms int) (server.Void, error) {
		t := time.NewTimer(time.Duration(ms) * time.Millisecond)
		defer t.Stop()
		select {
		case <-t.C:
			return server.Void{}, nil
		case <-ctx.Done():
			return server.Void{}, ctx.Err()
		}
	})
	server.Command(d, "Echo", func(_ context.Context, s string) (string, error) { return s, nil })
	server.Attribute(d, "gain", func(context.Context) (float64, remote.Quality, error) {
		mu.Lock()
		defer mu.Unlock()
		if gain > 10 {
			return gain, remote.QualityWarning, nil
		}
		return gain, "", nil
	}, func(_ context.Context, v float64) error {
		if v <= 0 {
			return errors.New("gain must be positive")
		}
		mu.Lock()
		defer mu.Unlock()
		gain = v
		return nil
	}, server.WithUnit("x"))
	server.Attribute(d, "label", func(context.Context) (string, remote.Quality, error) { return name, "", nil }, nil)
	return d
}

// ResetMem forgets what the memory endpoint mem holds.
func ResetMem(mem string) { sightlinetest.MemoryEndpoint(mem).Reset() }
