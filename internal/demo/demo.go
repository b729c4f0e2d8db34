// Package demo is the simulated facility that `sightline demo` runs: a
// beamline with simulated motors and a detector, driven by the plan engine
// through a traced count, a one-dimensional scan, a grid scan and a scan
// whose motor faults partway, so an error trace is there to find.
//
// Its telemetry is configured exactly as a user's program would be: a
// telemetry component set up from environment-style settings that point
// OTLP/HTTP at the collector over loopback. Nothing takes an in-memory
// shortcut.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/device/sim"
	"github.com/sightline-dev/sightline/plan"
	"github.com/sightline-dev/sightline/telemetry"
)

// Config says where the demo sends its telemetry and how fast it runs.
type Config struct {
	// OTLPEndpoint is the collector's OTLP/HTTP base URL, e.g.
	// http://127.0.0.1:4318.
	OTLPEndpoint string
	// Speedup runs the simulated hardware this many times faster than real
	// time; 0 means 20.
	Speedup float64
	// Out receives the live tables; nil discards them.
	Out io.Writer
}

// Experiment is one traced plan the demo ran.
type Experiment struct {
	Name    string `json:"name"`
	TraceID string `json:"trace_id"`
	// Failed is true for the experiment that is meant to fail.
	Failed bool `json:"failed"`
	// Spans is the number of spans the trace must hold at least.
	Spans int `json:"spans"`
}

// ServiceName is the service.name of the demo's telemetry.
const ServiceName = "beamline-demo"

// ErrFault is the simulated motor fault of the failing scan.
var ErrFault = errors.New("simulated encoder fault")

// Run runs the experiments and returns them with their trace ids. The
// failing scan's error is expected and not returned.
func Run(ctx context.Context, cfg Config) ([]Experiment, error) {
	if cfg.Speedup <= 0 {
		cfg.Speedup = 20
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	env := map[string]string{
		"SIGHTLINE_TELEMETRY_ENABLE":            "on",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "http",
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": cfg.OTLPEndpoint,
		"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS": "http",
		"SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS": cfg.OTLPEndpoint,
	}
	comp, err := telemetry.Setup(ctx, telemetry.WithServiceName(ServiceName), telemetry.WithInstanceID("bl12-demo"),
		telemetry.WithEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }), telemetry.WithStrict())
	if err != nil {
		return nil, fmt.Errorf("demo telemetry: %w", err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = comp.Shutdown(sctx)
	}()
	b := newBeamline(comp, cfg.Speedup)
	defer b.close()

	re := plan.NewRunEngine(plan.WithTracerProvider(comp.TracerProvider()))
	defer re.Subscribe(plan.NewTablePrinter(cfg.Out, "motor1", "motor2", "det1").Handle)()

	dets := []device.Readable{b.det}
	runs := []struct {
		name   string
		plan   plan.Plan
		failed bool
		spans  int
	}{
		{"count det1", plan.Count(dets, 5, 0), false, 5},
		{"scan motor1 -3..3", plan.Scan(dets, b.motor1, -3, 3, 31), false, 31 * 4},
		{"grid_scan motor1 x motor2", plan.GridScan(dets, b.motor1, -2, 2, 7, b.motor2, -1, 1, 5, true), false, 35 * 4},
		{"scan motor3 0..6 (faults at 4.5)", plan.Scan(dets, b.motor3, 0, 6, 13), true, 10},
	}
	var out []Experiment
	for _, r := range runs {
		// A parent span of the demo's own gives the trace id to print.
		rctx, span := b.tracer.Start(ctx, "experiment", trace.WithNewRoot())
		_, runErr := re.Run(rctx, plan.Trace(b.tracer, r.name, r.plan))
		span.End()
		if runErr != nil && !r.failed {
			return out, fmt.Errorf("demo %s: %w", r.name, runErr)
		}
		if runErr != nil {
			comp.Logger().ErrorContext(rctx, "experiment failed", "experiment", r.name, "error", runErr)
		} else {
			comp.Logger().InfoContext(rctx, "experiment done", "experiment", r.name)
		}
		out = append(out, Experiment{Name: r.name, TraceID: span.SpanContext().TraceID().String(), Failed: r.failed, Spans: r.spans})
		if err := ctx.Err(); err != nil {
			return out, err
		}
	}
	if err := comp.ForceFlush(ctx); err != nil {
		return out, fmt.Errorf("demo flush: %w", err)
	}
	return out, nil
}

// beamline is the simulated hardware.
type beamline struct {
	tracer                 trace.Tracer
	motor1, motor2, motor3 *sim.Motor
	det                    *sim.Detector
}

func newBeamline(comp *telemetry.Component, speedup float64) *beamline {
	tr := comp.Tracer("github.com/sightline-dev/sightline/internal/demo")
	common := []sim.MotorOption{sim.WithVelocity(2), sim.WithAcceleration(8), sim.WithLimits(-10, 10),
		sim.WithSettleTime(20 * time.Millisecond), sim.WithSpeedup(speedup), sim.WithTracer(tr)}
	b := &beamline{tracer: tr}
	b.motor1 = sim.NewMotor("motor1", common...)
	b.motor2 = sim.NewMotor("motor2", common...)
	b.motor3 = sim.NewMotor("motor3", append(common, sim.WithFault(func(target float64) error {
		if target > 4.5 {
			return ErrFault
		}
		return nil
	}))...)
	b.det = sim.NewDetector("det1", b.motor1, sim.WithCenter(0.5), sim.WithSigma(1.2), sim.WithAmplitude(1000),
		sim.WithExposure(100*time.Millisecond), sim.WithSpeedup(speedup), sim.WithTracer(tr))
	return b
}

func (b *beamline) close() {
	_ = b.det.Close()
	_ = b.motor1.Close()
	_ = b.motor2.Close()
	_ = b.motor3.Close()
}
