// Package demo is the simulated facility that `sightline demo` runs: a
// beamline with simulated motors and a detector on a device server
// (ServeDevices; `sightline demo` runs it as a separate process), driven by
// the plan engine through remote proxies in a traced count, a
// one-dimensional scan, a grid scan and a scan whose motor faults partway,
// so an error trace is there to find. Every scan's trace crosses from the
// plan engine's process into the device server's.
//
// Its telemetry is configured exactly as a user's program would be: a
// telemetry component per process (and per device) set up from
// environment-style settings that point OTLP/HTTP at the collector over
// loopback. Nothing takes an in-memory shortcut.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/plan"
	"github.com/sightline-dev/sightline/remote"
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
	// Devices is the address of the device server (ServeDevices) to drive;
	// "" starts one in this process, on a free loopback port.
	Devices string
	// NATS is the NATS server (with JetStream) whose workers run the peak
	// fits (sightline worker); "" runs them on a worker goroutine in this
	// process.
	NATS string
	// LongScan, when more than 0, runs first a count of det1 that lasts
	// about this long in real time (a point a second), so a newcomer can
	// watch its trace grow in the viewer while it runs (its spans are
	// announced while open). 0 runs no such scan.
	LongScan time.Duration
	// Started, when not nil, is called with each experiment as soon as its
	// scan has started, its trace id known, before it ends.
	Started func(Experiment)
}

// LongScanName is the experiment that LongScan runs.
const LongScanName = "long count det1 (watch it live)"

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
	env := telemetryEnv(cfg.OTLPEndpoint)
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
	if cfg.Devices == "" {
		addr, stop, err := serveDevicesHere(ctx, cfg)
		if err != nil {
			return nil, err
		}
		defer stop()
		cfg.Devices = addr
	}
	b, err := connect(ctx, comp, cfg.Devices)
	if err != nil {
		return nil, err
	}
	defer b.close()

	fit, closeTasks, err := peakFitter(ctx, comp, cfg.NATS)
	if err != nil {
		return nil, err
	}
	defer closeTasks()

	re := plan.NewRunEngine(plan.WithTracerProvider(comp.TracerProvider()))
	defer re.Subscribe(plan.NewTablePrinter(cfg.Out, "motor1", "motor2", "det1").Handle)()
	exps := experiments(cfg.LongScan)
	api, err := startAPI(ctx, comp, &scanAPI{b: b, re: re, fit: fit, exps: exps, log: comp.Logger()})
	if err != nil {
		return nil, err
	}
	defer api.close()
	op, err := newOperator(ctx, env, api.url)
	if err != nil {
		return nil, err
	}
	defer op.close()

	var out []Experiment
	for _, e := range exps {
		started := func(s Scan) {
			if cfg.Started != nil {
				cfg.Started(Experiment{Name: e.name, TraceID: s.TraceID, Failed: e.failed, Spans: e.spans})
			}
		}
		s, err := op.runScan(ctx, e.name, started)
		if err != nil {
			return out, fmt.Errorf("demo %s: %w", e.name, err)
		}
		if (s.State == "failed") != e.failed {
			return out, fmt.Errorf("demo %s: scan %s ended %s: %s", e.name, s.ID, s.State, s.Error)
		}
		if s.Peak != nil {
			fmt.Fprintf(cfg.Out, "peak of det1 along motor1 (fit_peak task): cen %.3f, fwhm %.3f, com %.3f, max %.0f at %.2f\n",
				s.Peak.Cen, s.Peak.FWHM, s.Peak.COM, s.Peak.MaxY, s.Peak.MaxX)
		}
		out = append(out, Experiment{Name: e.name, TraceID: s.TraceID, Failed: e.failed, Spans: e.spans})
	}
	api.wait()
	if err := comp.ForceFlush(ctx); err != nil {
		return out, fmt.Errorf("demo flush: %w", err)
	}
	return out, nil
}

// experiments are the scans the demo asks the API for: the long scan
// first, when long is more than 0.
func experiments(long time.Duration) []experiment {
	dets := func(b *beamline) []device.Readable { return []device.Readable{b.det} }
	var exps []experiment
	if points := int(long / time.Second); long > 0 {
		points = max(points, 2)
		exps = append(exps, experiment{name: LongScanName, plan: func(b *beamline) plan.Plan {
			return plan.Count(dets(b), points, long/time.Duration(points))
		}, spans: points})
	}
	return append(exps, []experiment{
		{name: "count det1", plan: func(b *beamline) plan.Plan { return plan.Count(dets(b), 5, 0) }, spans: 5},
		{name: "scan motor1 -3..3", plan: func(b *beamline) plan.Plan { return plan.Scan(dets(b), b.motor1, -3, 3, 31) },
			fit: true, spans: 31 * 4},
		{name: "grid_scan motor1 x motor2", plan: func(b *beamline) plan.Plan {
			return plan.GridScan(dets(b), b.motor1, -2, 2, 7, b.motor2, -1, 1, 5, true)
		}, spans: 35 * 4},
		{name: "scan motor3 0..6 (faults at 4.5)", plan: func(b *beamline) plan.Plan {
			return plan.Scan(dets(b), b.motor3, 0, 6, 13)
		}, failed: true, spans: 10},
	}...)
}

// beamline is the remote hardware as the plan engine sees it.
type beamline struct {
	tracer                 trace.Tracer
	proxy                  *remote.Proxy
	motor1, motor2, motor3 device.Movable
	det                    device.Readable
}

// connect makes proxies for the beamline's devices, traced with comp.
func connect(ctx context.Context, comp *telemetry.Component, addr string) (*beamline, error) {
	p, err := remote.Dial(addr, remote.WithTracerProvider(comp.TracerProvider()), remote.WithPropagator(comp.Propagator()))
	if err != nil {
		return nil, fmt.Errorf("demo: device server: %w", err)
	}
	b := &beamline{tracer: comp.Tracer("github.com/sightline-dev/sightline/internal/demo"), proxy: p}
	devs := map[string]device.Device{}
	for _, name := range []string{Motor1, Motor2, Motor3, Detector} {
		d, err := p.Device(name).AsDevice(ctx)
		if err != nil {
			b.close()
			return nil, fmt.Errorf("demo: device %s on %s: %w", name, addr, err)
		}
		devs[name] = d
	}
	var ok1, ok2, ok3, ok4 bool
	b.motor1, ok1 = devs[Motor1].(device.Movable)
	b.motor2, ok2 = devs[Motor2].(device.Movable)
	b.motor3, ok3 = devs[Motor3].(device.Movable)
	b.det, ok4 = devs[Detector].(device.Readable)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		b.close()
		return nil, fmt.Errorf("demo: the devices on %s are not three motors and a detector", addr)
	}
	return b, nil
}

func (b *beamline) close() { _ = b.proxy.Shutdown(context.Background()) }

// serveDevicesHere runs the device server in this process (still over a
// loopback socket) until stop is called.
func serveDevicesHere(ctx context.Context, cfg Config) (addr string, stop func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- ServeDevices(ctx, DevicesConfig{OTLPEndpoint: cfg.OTLPEndpoint, Speedup: cfg.Speedup},
			func(a net.Addr) { ready <- a.String() })
	}()
	select {
	case addr = <-ready:
		return addr, func() { cancel(); <-done }, nil
	case err = <-done:
		cancel()
		return "", nil, fmt.Errorf("demo device server: %w", err)
	}
}
