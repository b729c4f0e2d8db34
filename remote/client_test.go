package remote_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/remote"
)

// TestClientControlsItsOwnTelemetry: the client program's component, whose
// providers the proxy traces with, is controlled at runtime like a
// device's.
func TestClientControlsItsOwnTelemetry(t *testing.T) {
	mem, spans := newMem(t)
	_, addr := startServer(t, "CalcServer/client", offEnv, nil, calc("lab/calc/1"))
	comp := client(t, memEnv(mem))
	p := dialWith(t, addr, comp)
	d := p.Device("lab/calc/1")
	ctx := context.Background()
	if _, err := d.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 10*time.Second, "the ping's span", func() bool { return len(spans()) == 1 })
	if err := comp.Control().Disable(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if err := comp.ForceFlush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(spans()); n != 1 {
		t.Fatalf("%d spans after the client stopped its telemetry, want 1", n)
	}
}

// TestDialUsesTheGlobals: a proxy dialled without tracing options traces
// with the global TracerProvider and propagator. (It installs globals and
// leaves them: the OpenTelemetry globals delegate to the first provider set
// for good. No other test of this package reads them.)
func TestDialUsesTheGlobals(t *testing.T) {
	mem, spans := newMem(t)
	_, addr := startServer(t, "CalcServer/globals", memEnv(mem), nil, calc("lab/calc/1"))
	comp := client(t, memEnv(mem))
	otel.SetTracerProvider(comp.TracerProvider())
	otel.SetTextMapPropagator(propagation.TraceContext{})
	p, err := remote.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Shutdown(context.Background())
	if err := p.Device("lab/calc/1").Command(context.Background(), "Echo", "x", nil); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 10*time.Second, "2 spans", func() bool { return len(spans()) >= 2 })
	want := "lab/calc/1.Echo client sightline.client\n  Calc.Echo server Calc\n"
	if got := tree(spans()); got != want {
		t.Fatalf("span tree:\n%s\nwant:\n%s", got, want)
	}
}

// TestShutdownEndsCalls: after Shutdown every call fails with
// ErrUnreachable without reaching the server, and a second Shutdown is
// harmless.
func TestShutdownEndsCalls(t *testing.T) {
	_, addr := startServer(t, "CalcServer/shutdown", offEnv, nil, calc("lab/calc/1"))
	p, err := remote.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := p.Device("lab/calc/1").Ping(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := p.Shutdown(ctx); err != nil {
			t.Fatalf("shutdown %d: %v", i+1, err)
		}
	}
	if _, err := p.Device("lab/calc/1").Ping(ctx); !errors.Is(err, remote.ErrUnreachable) || !strings.Contains(err.Error(), "shut down") {
		t.Fatalf("ping after shutdown: %v", err)
	}
}
