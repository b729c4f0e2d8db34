// Command scan runs a one-dimensional scan of a simulated detector against
// a simulated motor through sightline's plan engine, printing the live table
// of readings. Telemetry is configured only by the environment:
//
//	SIGHTLINE_TELEMETRY_ENABLE=on \
//	SIGHTLINE_TELEMETRY_TRACING_EXPORTERS=console \
//	SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS=stderr \
//	go run ./examples/scan
//
// prints the table on stdout and every span (trace > run > set > MoveStatus,
// trigger, read, wait ...) on stderr, in OpenTelemetry Python's console
// JSON shape.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/device/sim"
	"github.com/sightline-dev/sightline/plan"
	"github.com/sightline-dev/sightline/telemetry"
)

type flags struct {
	start, stop float64
	points      int
	speedup     float64
}

func main() {
	var f flags
	flag.Float64Var(&f.start, "start", -3, "first motor position (mm)")
	flag.Float64Var(&f.stop, "stop", 3, "last motor position (mm)")
	flag.IntVar(&f.points, "points", 13, "number of points")
	flag.Float64Var(&f.speedup, "speedup", 10, "run the simulated hardware this many times faster than real time")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, f); err != nil {
		fmt.Fprintln(os.Stderr, "scan:", err)
		os.Exit(1)
	}
}

// run sets telemetry up from the environment, scans, and shuts telemetry
// down. Ctrl-C aborts the scan (the run ends with exit_status abort).
func run(ctx context.Context, out io.Writer, f flags) error {
	comp, err := telemetry.Setup(ctx, telemetry.WithServiceName("scan"))
	if err != nil {
		return err
	}
	// Shut down last: the hardware (its Status spans), then telemetry.
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = comp.Shutdown(sctx)
	}()
	tracer := comp.Tracer("github.com/sightline-dev/sightline/examples/scan")

	motor := sim.NewMotor("motor1", sim.WithVelocity(2), sim.WithAcceleration(10), sim.WithLimits(-10, 10),
		sim.WithSpeedup(f.speedup), sim.WithTracer(tracer))
	defer motor.Shutdown(context.WithoutCancel(ctx))
	det := sim.NewDetector("det1", motor, sim.WithSigma(1), sim.WithExposure(50*time.Millisecond),
		sim.WithSpeedup(f.speedup), sim.WithTracer(tracer))
	defer det.Shutdown(context.WithoutCancel(ctx))

	re := plan.NewRunEngine(plan.WithTracerProvider(comp.TracerProvider()))
	defer re.Subscribe(plan.NewTablePrinter(out, "motor1", "det1").Handle)()

	scan := plan.Scan([]device.Readable{det}, motor, f.start, f.stop, f.points)
	_, err = re.Run(ctx, plan.Trace(tracer, "scan motor1", scan))
	return err
}
