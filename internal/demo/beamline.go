package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/device/sim"
	"github.com/sightline-dev/sightline/remote/server"
)

// The devices' names on the demo's device server, and the server's name.
const (
	ServerName = "BeamlineServer/bl12"
	Motor1     = "bl12/motor/1"
	Motor2     = "bl12/motor/2"
	Motor3     = "bl12/motor/3"
	Detector   = "bl12/det/1"
)

// DevicesConfig configures the demo's device server.
type DevicesConfig struct {
	// Addr is where it listens; "" means 127.0.0.1:0 (a free port).
	Addr string
	// OTLPEndpoint is the collector's OTLP/HTTP base URL.
	OTLPEndpoint string
	// Speedup runs the simulated hardware this many times faster than real
	// time; 0 means 20.
	Speedup float64
}

// ServeDevices runs the beamline's simulated hardware (three motors, motor3
// faulting beyond 4.5, and a detector that sees a peak along motor1) on a
// device server until ctx ends; each device traces with its own component
// (service.name = its class), sending OTLP/HTTP to the collector. ready, if
// not nil, gets the address once the server listens.
func ServeDevices(ctx context.Context, cfg DevicesConfig, ready func(net.Addr)) error {
	if cfg.Speedup <= 0 {
		cfg.Speedup = 20
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	env := telemetryEnv(cfg.OTLPEndpoint)
	srv, err := server.New(ctx, ServerName, server.WithNamespace("bl12"),
		server.WithEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	if err != nil {
		return fmt.Errorf("demo device server: %w", err)
	}
	hw := newHardware(cfg.Speedup)
	// shutdown stops the server, then the hardware it drove.
	shutdown := func() error {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return errors.Join(srv.Shutdown(sctx), hw.shutdown(sctx))
	}
	for _, d := range []struct {
		name string
		dev  device.Device
	}{{Motor1, hw.motor1}, {Motor2, hw.motor2}, {Motor3, hw.motor3}, {Detector, hw.det}} {
		if err := srv.Add(ctx, server.Expose(d.name, d.dev)); err != nil {
			return errors.Join(fmt.Errorf("demo device server: %w", err), shutdown())
		}
	}
	serveErr := srv.ListenAndServe(ctx, cfg.Addr, ready)
	return errors.Join(serveErr, shutdown())
}

// hardware is the simulated beamline.
type hardware struct {
	motor1, motor2, motor3 *sim.Motor
	det                    *sim.Detector
}

func newHardware(speedup float64) *hardware {
	common := []sim.MotorOption{sim.WithVelocity(2), sim.WithAcceleration(8), sim.WithLimits(-10, 10),
		sim.WithSettleTime(20 * time.Millisecond), sim.WithSpeedup(speedup), sim.WithUnit("mm")}
	hw := &hardware{}
	hw.motor1 = sim.NewMotor("motor1", common...)
	hw.motor2 = sim.NewMotor("motor2", common...)
	hw.motor3 = sim.NewMotor("motor3", append(common, sim.WithFault(func(target float64) error {
		if target > 4.5 {
			return ErrFault
		}
		return nil
	}))...)
	hw.det = sim.NewDetector("det1", hw.motor1, sim.WithCenter(0.5), sim.WithSigma(1.2), sim.WithAmplitude(1000),
		sim.WithExposure(100*time.Millisecond), sim.WithSpeedup(speedup))
	return hw
}

func (hw *hardware) shutdown(ctx context.Context) error {
	return errors.Join(hw.det.Shutdown(ctx), hw.motor1.Shutdown(ctx), hw.motor2.Shutdown(ctx), hw.motor3.Shutdown(ctx))
}

// telemetryEnv is the telemetry environment of every demo process: on,
// traces and logs over OTLP/HTTP to the collector.
func telemetryEnv(otlp string) map[string]string {
	return map[string]string{
		"SIGHTLINE_TELEMETRY_ENABLE":            "on",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "http",
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": otlp,
		"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS": "http",
		"SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS": otlp,
	}
}
