package remote_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/sightline-dev/sightline/device/sim"
	"github.com/sightline-dev/sightline/remote"
)

// serverModeEnv makes the test binary a device server process (for the
// tests that need two processes).
const serverModeEnv = "SIGHTLINE_REMOTE_TEST_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(serverModeEnv) == "1" {
		os.Exit(runServerProcess())
	}
	goleak.VerifyTestMain(m)
}

// runServerProcess serves lab/calc/1 and sim/motor/1 (telemetry from the
// environment), prints "ADDR host:port" and serves until stdin closes.
func runServerProcess() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := remote.NewServer(ctx, "CalcServer/proc")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	motor := sim.NewMotor("m1", sim.WithVelocity(100))
	defer motor.Close()
	for _, d := range []*remote.Device{calc("lab/calc/1"), remote.Expose("sim/motor/1", motor)} {
		if err := srv.Add(ctx, d); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("ADDR %s\n", ln.Addr())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	if err := srv.Serve(ctx, ln); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := srv.Close(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
