package remote_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/device/sim"
	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/remote"
	"github.com/sightline-dev/sightline/remote/internal/remotetest"
	"github.com/sightline-dev/sightline/remote/server"
	"github.com/sightline-dev/sightline/telemetry"
)

func TestClientAndServerSpans(t *testing.T) {
	mem, spans := newMem(t)
	env := memEnv(mem, "SIGHTLINE_TELEMETRY_TOPICS", "user,kernel", telemetry.ClientServiceNameEnv, "scan-client")
	_, addr := startServer(t, "CalcServer/spans", env, []server.Option{server.WithNamespace("beamline-7")}, calc("lab/calc/1"))
	p := dial(t, addr, env)
	d := p.Device("lab/calc/1")
	var got float64
	if err := d.Command(context.Background(), "Add", sum{A: 1, B: 2}, &got); err != nil {
		t.Fatal(err)
	}
	_ = d.Command(context.Background(), "Nope", nil, nil)
	poll.Until(t, 10*time.Second, "12 spans", func() bool { return len(spans()) >= 12 })
	want := `lab/calc/1.Add client scan-client
  remote.encode internal scan-client
  remote.transport internal scan-client
  Calc.Add server Calc
    remote.decode internal Calc
    remote.encode internal Calc
  remote.decode internal scan-client
lab/calc/1.Nope client scan-client
  remote.encode internal scan-client
  remote.transport internal scan-client
  Calc.Nope server Calc
  remote.decode internal scan-client
`
	if got := tree(spans()); got != want {
		t.Fatalf("span tree:\n%s\nwant:\n%s", got, want)
	}
	all := spans()
	client, serverSpan := findSpan(t, all, "lab/calc/1.Add"), findSpan(t, all, "Calc.Add")
	if client.SpanContext.TraceID() != serverSpan.SpanContext.TraceID() {
		t.Fatal("client and server spans are in different traces")
	}
	if fn, _ := spanAttr(client, "code.function.name"); !strings.Contains(fn.AsString(), "TestClientAndServerSpans") {
		t.Errorf("client span code.function.name = %q, want the test function", fn.AsString())
	}
	for key, want := range map[string]string{"device.name": "lab/calc/1", "device.class": "Calc", "rpc.method": "Add",
		"sightline.client.program": "remote.test", "client.address": "127.0.0.1"} {
		if v, _ := spanAttr(serverSpan, key); v.String() != want {
			t.Errorf("server span %s = %q, want %q", key, v.String(), want)
		}
	}
	for _, key := range []string{"thread.id", "sightline.client.pid", "sightline.client.host"} {
		if _, ok := spanAttr(serverSpan, key); !ok {
			t.Errorf("server span lacks %s", key)
		}
	}
	for key, want := range map[string]string{"service.name": "Calc", "service.instance.id": "lab/calc/1", "service.namespace": "beamline-7"} {
		if v, _ := remotetest.ResourceAttr(serverSpan, key); v != want {
			t.Errorf("server resource %s = %q, want %q", key, v, want)
		}
	}
	if v, _ := remotetest.ResourceAttr(client, "service.name"); v != "scan-client" {
		t.Errorf("client service.name = %q", v)
	}
	nope := findSpan(t, all, "Calc.Nope")
	if c, _ := spanAttr(nope, "remote.error.code"); c.AsString() != "unknown_command" || nope.Status.Code == codes.Error {
		t.Errorf("unknown command server span: code %q status %v (a 4xx is the caller's error, not the server's)", c.AsString(), nope.Status)
	}
	if c := findSpan(t, all, "lab/calc/1.Nope"); c.Status.Code != codes.Error {
		t.Errorf("client span of a refused call has status %v, want Error", c.Status)
	}
}

// TestChainPropagatesThroughDeviceWithTelemetryOff: A (the test) calls B,
// whose telemetry is all off; B's command calls C. C's spans are in A's
// trace, children of what B passed on: A's own client span.
func TestChainPropagatesThroughDeviceWithTelemetryOff(t *testing.T) {
	mem, spans := newMem(t)
	on := memEnv(mem)
	_, addrC := startServer(t, "CServer/chain", on, nil, calc("lab/calc/c"))
	proxyC := dial(t, addrC, offEnv) // B's own client: off too
	b := server.NewDevice("lab/relay/b", "Relay")
	server.Command(b, "Forward", func(ctx context.Context, s sum) (float64, error) {
		var got float64
		err := proxyC.Device("lab/calc/c").Command(ctx, "Add", s, &got)
		return got, err
	})
	_, addrB := startServer(t, "BServer/chain", offEnv, nil, b)
	a := dial(t, addrB, on)
	var got float64
	if err := a.Device("lab/relay/b").Command(context.Background(), "Forward", sum{A: 2, B: 2}, &got); err != nil || got != 4 {
		t.Fatalf("Forward = %v, %v", got, err)
	}
	poll.Until(t, 10*time.Second, "2 spans", func() bool { return len(spans()) >= 2 })
	want := "lab/relay/b.Forward client sightline.client\n  Calc.Add server Calc\n"
	if got := tree(spans()); got != want {
		t.Fatalf("span tree:\n%s\nwant:\n%s", got, want)
	}
}

func TestRemoteMoveStatusEndsWhenServerMoveEnds(t *testing.T) {
	mem, spans := newMem(t)
	env := memEnv(mem)
	motor := sim.NewMotor("m1", sim.WithVelocity(50), sim.WithUnit("mm"))
	defer motor.Shutdown(context.Background())
	_, addr := startServer(t, "SimServer/move", env, nil, server.Expose("sim/motor/1", motor))
	p := dial(t, addr, env)
	dev, err := p.Device("sim/motor/1").AsDevice(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m, ok := dev.(device.Movable)
	if !ok {
		t.Fatalf("AsDevice of a motor is a %T, not a device.Movable", dev)
	}
	if _, ok := dev.(device.Triggerable); ok {
		t.Fatal("a motor's proxy claims to be Triggerable")
	}
	st := m.Set(context.Background(), 5.0)
	if err := st.Wait(context.Background()); err != nil {
		t.Fatalf("remote move: %v", err)
	}
	if pos := motor.Position(); pos != 5 {
		t.Fatalf("motor at %v after the remote move, want 5", pos)
	}
	if fp := st.FinishPos(); fp != 5.0 {
		t.Errorf("client Status finish pos %v, want 5", fp)
	}
	poll.Until(t, 10*time.Second, "the move's spans", func() bool { return len(spans()) >= 7 })
	all := spans()
	want := `sim/motor/1.info client sightline.client
  SimMotor.info server SimMotor
MoveStatus sim/motor/1 internal sightline.client
  sim/motor/1.Set client sightline.client
    SimMotor.Set server SimMotor
      MoveStatus m1 internal SimMotor
wait MoveStatus sim/motor/1 internal sightline.client
`
	if got := tree(all); got != want {
		t.Fatalf("span tree:\n%s\nwant:\n%s", got, want)
	}
	clientSt, serverSt := findSpan(t, all, "MoveStatus sim/motor/1"), findSpan(t, all, "MoveStatus m1")
	if clientSt.EndTime.Before(serverSt.EndTime) {
		t.Errorf("client Status ended at %v, before the server's move ended at %v", clientSt.EndTime, serverSt.EndTime)
	}
	if v, _ := spanAttr(clientSt, "unit"); v.AsString() != "mm" {
		t.Errorf("client Status unit %q, want mm", v.AsString())
	}

	// Cancelling the client's Status cancels the remote move.
	st = m.Set(context.Background(), 1000.0)
	poll.Until(t, 10*time.Second, "the motor to move", motor.Moving)
	st.Cancel("operator changed their mind")
	poll.Until(t, 10*time.Second, "the remote move to stop", func() bool { return !motor.Moving() })
	if err := st.Err(); !errors.Is(err, device.ErrCancelled) {
		t.Fatalf("cancelled Status err = %v", err)
	}
	// A move the server refuses fails the client's Status with the reason.
	limited := sim.NewMotor("m2", sim.WithLimits(-1, 1))
	defer limited.Shutdown(context.Background())
	_, addr2 := startServer(t, "SimServer/limits", offEnv, nil, server.Expose("sim/motor/2", limited))
	dev2, err := dial(t, addr2, offEnv).Device("sim/motor/2").AsDevice(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = dev2.(device.Movable).Set(context.Background(), 7.0).Wait(context.Background())
	if !errors.Is(err, remote.ErrFailed) || !strings.Contains(err.Error(), "limits") {
		t.Fatalf("out-of-limits remote move: %v", err)
	}
}

// TestRemoteMoveFailsWhenServerCloses: the server closing mid-move ends
// the client's Status with the reason, never a hang.
func TestRemoteMoveFailsWhenServerCloses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	motor := sim.NewMotor("slow", sim.WithVelocity(0.5))
	defer motor.Shutdown(context.Background())
	srv, err := server.New(ctx, "SimServer/closing", server.WithEnv(envOf(offEnv)))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Add(ctx, server.Expose("sim/motor/slow", motor)); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	dev, err := dial(t, ln.Addr().String(), offEnv).Device("sim/motor/slow").AsDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := dev.(device.Movable).Set(ctx, 100.0)
	poll.Until(t, 10*time.Second, "the motor to move", motor.Moving)
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := st.Wait(wctx); err == nil || !strings.Contains(err.Error(), "server closing") {
		t.Fatalf("remote move after the server closed: %v", err)
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
}
