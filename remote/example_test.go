package remote_test

import (
	"context"
	"fmt"
	"net"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/device/sim"
	"github.com/sightline-dev/sightline/remote"
	"github.com/sightline-dev/sightline/remote/server"
)

// A proxy calling a device. The device server (package remote/server) runs
// in the same program only to make the example self-contained.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, stop, err := serveLab(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()

	// No options: the calls are traced with the OpenTelemetry globals.
	p, err := remote.Dial(addr)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Shutdown(context.Background())
	var sum float64
	err = p.Device("lab/calc/1").Command(ctx, "Add", map[string]float64{"A": 2, "B": 3}, &sum)
	fmt.Println(sum, err)
	err = p.Device("lab/calc/1").Command(ctx, "Divide", nil, nil)
	fmt.Println(err)
	// Output:
	// 5 <nil>
	// remote: unknown_command: device lab/calc/1 (class Calc) has no command "Divide"; it has: Add
}

// A remote motor driven like a local one: AsDevice returns a device.Movable
// whose Set completes when the remote move does.
func ExampleDeviceProxy_AsDevice() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, stop, err := serveLab(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	p, err := remote.Dial(addr)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Shutdown(context.Background())
	dev, err := p.Device("sim/motor/1").AsDevice(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := dev.(device.Movable)
	err = m.Set(ctx, 2.0).Wait(ctx)
	r, rerr := m.Read(ctx)
	fmt.Println(device.TypeOf(dev), err, r["m1"].Value, rerr)
	// Output:
	// SimMotor <nil> 2 <nil>
}

// serveLab serves lab/calc/1 (command Add) and sim/motor/1 (a simulated
// motor) on a free loopback port, telemetry off, until stop is called.
func serveLab(ctx context.Context) (addr string, stop func(), err error) {
	off := server.WithEnv(func(string) (string, bool) { return "", false })
	srv, err := server.New(ctx, "LabServer/example", off)
	if err != nil {
		return "", nil, err
	}
	motor := sim.NewMotor("m1", sim.WithVelocity(100))
	calc := server.NewDevice("lab/calc/1", "Calc")
	server.Command(calc, "Add", func(_ context.Context, s struct{ A, B float64 }) (float64, error) { return s.A + s.B, nil })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	for _, d := range []*server.Device{calc, server.Expose("sim/motor/1", motor)} {
		if err == nil {
			err = srv.Add(ctx, d)
		}
	}
	if err != nil {
		if ln != nil {
			_ = ln.Close()
		}
		_ = srv.Shutdown(context.Background())
		_ = motor.Shutdown(context.Background())
		return "", nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln) }()
	return ln.Addr().String(), func() {
		cancel()
		<-served
		_ = srv.Shutdown(context.Background())
		_ = motor.Shutdown(context.Background())
	}, nil
}
