package server_test

import (
	"context"
	"fmt"
	"net"

	"github.com/sightline-dev/sightline/remote"
	"github.com/sightline-dev/sightline/remote/server"
	"github.com/sightline-dev/sightline/telemetry/admin"
)

// A device server with one device, called through a proxy; the device's
// telemetry is controlled with the admin client, by the device's name.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	off := server.WithEnv(func(string) (string, bool) { return "", false }) // telemetry off: a quiet example

	d := server.NewDevice("lab/calc/1", "Calc")
	server.Command(d, "Add", func(_ context.Context, s struct{ A, B float64 }) (float64, error) { return s.A + s.B, nil })
	server.Attribute(d, "gain", func(context.Context) (float64, remote.Quality, error) { return 1.5, "", nil }, nil,
		server.WithUnit("x"))
	srv, err := server.New(ctx, "CalcServer/example", off)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown(context.Background())
	if err := srv.Add(ctx, d); err != nil {
		fmt.Println(err)
		return
	}
	ready := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { ready <- a }) }()
	addr := (<-ready).String()

	p, err := remote.Dial(addr)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Shutdown(context.Background())
	var sum float64
	err = p.Device("lab/calc/1").Command(ctx, "Add", map[string]float64{"A": 2, "B": 3}, &sum)
	fmt.Println(sum, err)
	av, err := p.Device("lab/calc/1").ReadAttribute(ctx, "gain")
	fmt.Println(string(av.Value), av.Quality, err)

	// The token the server published for its port lets a client of the
	// same user on this host change a device's telemetry.
	ac, err := admin.NewClient(addr, admin.WithRuntimeToken(""))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ac.CloseIdleConnections()
	calc := ac.Component("lab/calc/1") // the device's telemetry
	err = calc.SetTopics(ctx, []string{"user", "kernel"})
	topics, _ := calc.Topics(ctx)
	fmt.Println(topics, err)

	cancel()
	<-served
	// Output:
	// 5 <nil>
	// 1.5 VALID <nil>
	// [user kernel] <nil>
}

// A device that calls another device from a command: the proxy it uses
// needs no tracing options, as the command's context makes its calls
// CLIENT spans of the calling device's own component.
func ExampleCommand_callingAnotherDevice() {
	var toCalc *remote.Proxy // dialled once, e.g. remote.Dial("127.0.0.1:8770")
	relay := server.NewDevice("lab/relay/1", "Relay")
	server.Command(relay, "Forward", func(ctx context.Context, s struct{ A, B float64 }) (float64, error) {
		var sum float64
		// Traced as lab/relay/1 (service.name Relay), under its SERVER span.
		err := toCalc.Device("lab/calc/1").Command(ctx, "Add", s, &sum)
		return sum, err
	})
	fmt.Println(relay.Name(), relay.Class())
	// Output:
	// lab/relay/1 Relay
}
