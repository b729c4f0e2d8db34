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
	"github.com/sightline-dev/sightline/remote/server"
	"github.com/sightline-dev/sightline/telemetry/admin"
)

// serverModeEnv makes the test binary a device server process (for the
// tests that need two processes).
const serverModeEnv = "SIGHTLINE_REMOTE_TEST_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(serverModeEnv) == "1" {
		os.Exit(runServerProcess())
	}
	// Token files go to a directory of the test run, never the user's own
	// (server processes started by the tests inherit it).
	dir, err := os.MkdirTemp("", "sightline-remote-test-run")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.Setenv(admin.RuntimeDirEnv, dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		_ = os.RemoveAll(dir)
		os.Exit(code)
	}))
}

// runServerProcess serves lab/calc/1 and sim/motor/1 (telemetry from the
// environment), prints "ADDR host:port" and serves until stdin closes.
func runServerProcess() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := server.New(ctx, "CalcServer/proc")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	motor := sim.NewMotor("m1", sim.WithVelocity(100))
	defer motor.Shutdown(context.Background())
	for _, d := range []*server.Device{calc("lab/calc/1"), server.Expose("sim/motor/1", motor)} {
		if err := srv.Add(ctx, d); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	// ADDR is printed once the server answers (its token file published).
	if err := srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { fmt.Printf("ADDR %s\n", a) }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
