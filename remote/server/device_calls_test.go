package server_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/device/sim"
	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/remote/internal/remotetest"
	"github.com/sightline-dev/sightline/remote/server"
)

// TestDeviceCallsAreTracedAsTheDevice: a command of device A that calls
// device B makes its CLIENT span in A's component (service.name = A's
// class, service.instance.id = A's name) under A's SERVER span, with B's
// SERVER span under it; also through a proxy that has a client component
// of its own, and for a remote move A starts and follows.
func TestDeviceCallsAreTracedAsTheDevice(t *testing.T) {
	mem, spans := newMem(t)
	env := memEnv(mem)
	motor := sim.NewMotor("m1", sim.WithVelocity(100))
	defer motor.Shutdown(context.Background())
	_, addrB := startServer(t, "BServer/calls", env, nil, calc("lab/calc/b"), server.Expose("sim/motor/b", motor))
	// A's proxy to B traces, outside A's commands, as the client program
	// (service sightline.client).
	toB := dial(t, addrB, env)
	a := server.NewDevice("lab/relay/a", "Relay")
	server.Command(a, "Forward", func(ctx context.Context, s sum) (float64, error) {
		var got float64
		err := toB.Device("lab/calc/b").Command(ctx, "Add", s, &got)
		return got, err
	})
	server.AsyncCommand(a, "MoveB", func(ctx context.Context, target float64) *device.Status {
		st := device.NewStatus(ctx, device.WithType(device.TypeStatus))
		dev, err := toB.Device("sim/motor/b").AsDevice(ctx)
		if err != nil {
			st.Finish(err)
			return st
		}
		dev.(device.Movable).Set(ctx, target).AddCallback(func(m *device.Status) { st.Finish(m.Err()) })
		return st
	})
	_, addrA := startServer(t, "AServer/calls", env, nil, a)
	p := dial(t, addrA, env)
	ctx := context.Background()

	var got float64
	if err := p.Device("lab/relay/a").Command(ctx, "Forward", sum{A: 2, B: 3}, &got); err != nil || got != 5 {
		t.Fatalf("Forward = %v, %v", got, err)
	}
	poll.Until(t, 10*time.Second, "4 spans", func() bool { return len(spans()) >= 4 })
	want := `lab/relay/a.Forward client sightline.client
  Relay.Forward server Relay
    lab/calc/b.Add client Relay
      Calc.Add server Calc
`
	if got := tree(spans()); got != want {
		t.Fatalf("span tree:\n%s\nwant:\n%s", got, want)
	}
	all := spans()
	relayServer, relayClient := findSpan(t, all, "Relay.Forward"), findSpan(t, all, "lab/calc/b.Add")
	if relayClient.SpanKind != trace.SpanKindClient || relayClient.Parent.SpanID() != relayServer.SpanContext.SpanID() {
		t.Errorf("A's call to B: kind %v, parent %v; want a CLIENT span under A's SERVER span %v",
			relayClient.SpanKind, relayClient.Parent.SpanID(), relayServer.SpanContext.SpanID())
	}
	for key, want := range map[string]string{"service.name": "Relay", "service.instance.id": "lab/relay/a"} {
		if v, _ := remotetest.ResourceAttr(relayClient, key); v != want {
			t.Errorf("A's CLIENT span: resource %s = %q, want %q", key, v, want)
		}
	}

	// A remote move A starts: the info and Set calls, the client Status and
	// its polls' parent are A's.
	remotetest.ResetMem(mem)
	if err := p.Device("lab/relay/a").Command(ctx, "MoveB", 2.0, nil); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 10*time.Second, "B's motor at 2", func() bool { return motor.Position() == 2 })
	poll.Until(t, 10*time.Second, "the move's spans", func() bool { return len(spans()) >= 9 })
	want = `lab/relay/a.MoveB client sightline.client
  Relay.MoveB server Relay
    Status internal Relay
    sim/motor/b.info client Relay
      SimMotor.info server SimMotor
    MoveStatus sim/motor/b internal Relay
      sim/motor/b.Set client Relay
        SimMotor.Set server SimMotor
          MoveStatus m1 internal SimMotor
`
	if got := tree(spans()); got != want {
		t.Fatalf("span tree of a move A started:\n%s\nwant:\n%s", got, want)
	}
}
