package server_test

import (
	"context"
	"fmt"
	"net"

	"go.opentelemetry.io/otel/attribute"

	"github.com/sightline-dev/sightline/remote"
	"github.com/sightline-dev/sightline/remote/server"
)

// A Tango user's habits: per-device extra resource attributes, a device's
// telemetry controlled from its proxy, and a group call to many devices.
func ExampleWithResourceAttributes() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	off := server.WithEnv(func(string) (string, bool) { return "", false }) // telemetry off: a quiet example
	srv, err := server.New(ctx, "CalcServer/tango", off)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown(context.Background())
	for _, name := range []string{"lab/calc/1", "lab/calc/2"} {
		// As PyTango's extra_resource_attributes: on this device's spans only.
		d := server.NewDevice(name, "Calc",
			server.WithResourceAttributes(attribute.String("deployment.environment", "production")))
		server.Command(d, "Echo", func(_ context.Context, s string) (string, error) { return s, nil })
		if err := srv.Add(ctx, d); err != nil {
			fmt.Println(err)
			return
		}
	}
	ready := make(chan net.Addr, 1)
	go func() { _ = srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { ready <- a }) }()
	p, err := remote.Dial((<-ready).String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Shutdown(context.Background())

	// The device's telemetry, from its proxy (the token is read from the
	// server's token file on loopback).
	tel := p.Device("lab/calc/1").Telemetry()
	fmt.Println(tel.SetTopics(ctx, []string{"user", "kernel"}))
	topics, err := tel.Topics(ctx)
	fmt.Println(topics, err)

	// A group: one call, a reply per device.
	g := remote.NewGroup("calcs")
	g.Add(p.Device("lab/calc/1"), p.Device("lab/calc/2"))
	for _, r := range g.Command(ctx, "Echo", "hi") {
		var s string
		fmt.Println(r.Device, r.Decode(&s), s)
	}
	// Output:
	// <nil>
	// [user kernel] <nil>
	// lab/calc/1 <nil> hi
	// lab/calc/2 <nil> hi
}
