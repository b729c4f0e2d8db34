package remote_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/remote"
	"github.com/sightline-dev/sightline/telemetry"
)

// envOf is a telemetry environment made of m only.
func envOf(m map[string]string) telemetry.Getenv {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// memEnv turns telemetry on with memory endpoints named mem.
func memEnv(mem string, extra ...string) map[string]string {
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

var offEnv = map[string]string{"SIGHTLINE_TELEMETRY_ENABLE": "off"}

// startServer serves devs on a free loopback port until the test ends; it
// returns once the server answers.
func startServer(t testing.TB, name string, env map[string]string, opts []remote.ServerOption, devs ...*remote.Device) (*remote.Server, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := remote.NewServer(ctx, name, append([]remote.ServerOption{remote.WithEnv(envOf(env))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if err := srv.Add(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	ready := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { ready <- a }) }()
	var addr net.Addr
	select {
	case addr = <-ready: // listening, and the admin token file is published
	case err := <-served:
		cancel()
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := srv.Close(context.Background()); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return srv, addr.String()
}

// dial makes a proxy with the client environment env, closed at test end.
func dial(t testing.TB, addr string, env map[string]string, opts ...remote.DialOption) *remote.Proxy {
	t.Helper()
	p, err := remote.Dial(addr, append([]remote.DialOption{remote.WithClientEnv(envOf(env))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	return p
}

type sum struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

// calc is a test device class: commands Add, Fail, Sleep, Echo; attributes
// gain (read/write, quality WARNING above 10) and label (read-only).
func calc(name string) *remote.Device {
	d := remote.NewDevice(name, "Calc")
	var mu sync.Mutex
	gain := 1.0
	remote.Command(d, "Add", func(_ context.Context, s sum) (float64, error) {
		mu.Lock()
		defer mu.Unlock()
		return (s.A + s.B) * gain, nil
	})
	remote.Command(d, "Fail", func(context.Context, remote.Void) (remote.Void, error) {
		return remote.Void{}, errors.New("the sample holder is jammed")
	})
	remote.Command(d, "Sleep", func(ctx context.Context, ms int) (remote.Void, error) {
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
			return remote.Void{}, nil
		case <-ctx.Done():
			return remote.Void{}, ctx.Err()
		}
	})
	remote.Command(d, "Echo", func(_ context.Context, s string) (string, error) { return s, nil })
	remote.Attribute(d, "gain", func(context.Context) (float64, remote.Quality, error) {
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
	}, remote.Unit("x"))
	remote.Attribute(d, "label", func(context.Context) (string, remote.Quality, error) { return name, "", nil }, nil)
	return d
}
