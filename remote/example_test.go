package remote_test

import (
	"context"
	"fmt"
	"net"

	"github.com/sightline-dev/sightline/remote"
)

// A device server with one device, and a proxy calling it.
func Example() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	off := remote.WithEnv(func(string) (string, bool) { return "", false }) // telemetry off: quiet example

	d := remote.NewDevice("lab/calc/1", "Calc")
	remote.Command(d, "Add", func(_ context.Context, s struct{ A, B float64 }) (float64, error) { return s.A + s.B, nil })
	srv, err := remote.NewServer(ctx, "CalcServer/example", off)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close(context.Background())
	if err := srv.Add(ctx, d); err != nil {
		fmt.Println(err)
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	p, err := remote.Dial(ln.Addr().String(), remote.WithClientEnv(func(string) (string, bool) { return "", false }))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close(context.Background())
	var sum float64
	err = p.Device("lab/calc/1").Command(ctx, "Add", map[string]float64{"A": 2, "B": 3}, &sum)
	fmt.Println(sum, err)
	err = p.Device("lab/calc/1").Command(ctx, "Divide", nil, nil)
	fmt.Println(err)

	cancel()
	<-served
	// Output:
	// 5 <nil>
	// remote: unknown_command: device lab/calc/1 (class Calc) has no command "Divide"; it has: Add
}
