// Command quickstart measures one (pretend) sample and records what it did
// as a small trace and a few log records. It is configured only by the
// environment, as every sightline program can be:
//
//	SIGHTLINE_TELEMETRY_ENABLE=on \
//	SIGHTLINE_TELEMETRY_TRACING_EXPORTERS=console \
//	SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS=console \
//	go run ./examples/quickstart
//
// prints every span and log record as JSON on stdout. docs/configuration.md
// lists the other variables (send to a collector with http or grpc, write
// files, sample, ...).
//
// With -admin ADDR it keeps measuring and serves the telemetry admin API, so
// its telemetry can be turned off, retargeted and on again from outside
// (ctl's start and stop are PyTango's names for Control.Enable and
// Control.Disable):
//
//	go run ./examples/quickstart -admin 127.0.0.1:8761 &
//	go run ./cmd/sightline ctl quickstart stop
//	go run ./cmd/sightline ctl quickstart tracing endpoints set console stderr
//	go run ./cmd/sightline ctl quickstart start
//
// Changes need the admin token: the quickstart generates one and writes it
// to a 0600 file in your runtime directory, where sightline ctl, run as the
// same user, finds it (or set SIGHTLINE_ADMIN_TOKEN for both).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/admin"
	"github.com/sightline-dev/sightline/telemetry/properties"
)

// flags are the quickstart's options; without -admin it measures once and
// exits.
type flags struct {
	admin    string        // serve the admin API here and keep measuring until interrupted
	props    string        // properties file read at start (and written by ctl --persist)
	interval time.Duration // time between samples with -admin
}

func main() {
	var f flags
	flag.StringVar(&f.admin, "admin", "", "serve the telemetry admin API on `ADDR` (e.g. 127.0.0.1:8761) and keep measuring until interrupted")
	flag.StringVar(&f.props, "props", "", "read the component's stored properties from `FILE` at start")
	flag.DurationVar(&f.interval, "interval", 500*time.Millisecond, "time between samples with -admin")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stderr, f); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run sets telemetry up from the environment (and stored properties), measures
// a sample (or, with -admin, one every interval until ctx ends) and shuts
// telemetry down, flushing what is left. Messages for the user go to stderr.
func run(ctx context.Context, stderr io.Writer, f flags) error {
	// WithGlobal: the quickstart is the program's only component, so it is
	// also the OpenTelemetry global (providers, propagator, error handler)
	// for any library that uses the globals.
	opts := []telemetry.Option{telemetry.WithServiceName("quickstart"), telemetry.WithGlobal()}
	var store *properties.Store
	if f.props != "" {
		var err error
		if store, err = properties.Open(ctx, f.props); err != nil {
			return err
		}
		defer store.Close()
		props, err := store.Get(ctx, "quickstart")
		if err != nil {
			return err
		}
		opts = append(opts, telemetry.WithProperties(props))
	}
	comp, err := telemetry.Setup(ctx, opts...)
	if err != nil {
		return err // no usable component (the resource could not be built)
	}
	// Bad settings do not stop Setup: each was reported once on stderr,
	// kept its default, and is listed in comp.Control().Status().Problems
	// (sightline ctl quickstart status shows them). Keep going.
	if !comp.Control().Enabled() {
		fmt.Fprintln(stderr, "telemetry is off: set SIGHTLINE_TELEMETRY_ENABLE=on to see spans and logs")
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := comp.Shutdown(sctx); err != nil {
			fmt.Fprintln(stderr, "quickstart:", err)
		}
	}()

	in := newInstrument(comp)
	if f.admin == "" {
		in.measureSample(ctx)
		return nil
	}
	return serveAndMeasure(ctx, stderr, comp, store, in, f)
}

// serveAndMeasure serves the admin API and measures a sample every interval
// until ctx ends, so `sightline ctl` can be tried on it. It says where the
// API is only once it answers: an address it refuses (one other hosts can
// reach, without SIGHTLINE_ADMIN_TOKEN) or cannot bind is reported alone.
func serveAndMeasure(ctx context.Context, stderr io.Writer, comp *telemetry.Component, store *properties.Store, in *instrument, f flags) error {
	ready := make(chan struct{})
	hopts := []admin.Option{admin.WithComponents(comp), admin.WithReady(func(addr net.Addr) {
		fmt.Fprintf(stderr, "admin API on %s (component %s): try sightline ctl --addr %s %s status\n",
			addr, comp.Name(), addr, comp.Name())
		close(ready)
	})}
	if store != nil {
		hopts = append(hopts, admin.WithPersister(store))
	}
	h, err := admin.NewHandler(hopts...)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- h.ListenAndServe(ctx, f.admin) }()
	select {
	case <-ready:
	case err := <-served: // refused, or ctx ended first
		return err
	}
	tick := time.NewTicker(f.interval)
	defer tick.Stop()
	for n := 1; ; n++ {
		in.measureSample(ctx)
		fmt.Fprintf(stderr, "sample %d measured (telemetry %s)\n", n, onOff(comp.Control().Enabled()))
		select {
		case <-ctx.Done():
			return <-served
		case err := <-served:
			return err
		case <-tick.C:
		}
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// instrument is the traced work: a parent span with three steps.
type instrument struct {
	tracer trace.Tracer
	log    *slog.Logger
}

func newInstrument(comp *telemetry.Component) *instrument {
	return &instrument{tracer: comp.Tracer("github.com/sightline-dev/sightline/examples/quickstart"), log: comp.Logger()}
}

func (in *instrument) measureSample(ctx context.Context) {
	ctx, span := in.tracer.Start(ctx, "measure sample", trace.WithAttributes(
		attribute.String("sample.id", "S-042"),
		attribute.Float64("sample.temperature_k", 293.15),
		attribute.StringSlice("detectors", []string{"pilatus", "eiger"}),
	))
	defer span.End()
	// Records logged with a context inside a span carry its trace and span ids.
	in.log.InfoContext(ctx, "measuring sample", "sample", "S-042")

	in.moveStage(ctx)
	in.expose(ctx)
	if err := in.readDetector(ctx); err != nil {
		in.log.ErrorContext(ctx, "sample not measured", "error", err)
	}
}

func (in *instrument) moveStage(ctx context.Context) {
	_, span := in.tracer.Start(ctx, "move stage", trace.WithAttributes(
		attribute.String("stage", "x"),
		attribute.Float64("position_mm", 12.5),
	))
	defer span.End()
}

func (in *instrument) expose(ctx context.Context) {
	ctx, span := in.tracer.Start(ctx, "expose detector", trace.WithAttributes(
		attribute.Int("frames", 10),
		attribute.Bool("dark_frame", false),
	))
	defer span.End()
	// An event marks a moment inside a span.
	span.AddEvent("shutter opened", trace.WithAttributes(attribute.Float64("exposure_s", 0.01)))
	time.Sleep(10 * time.Millisecond) // the exposure
	in.log.InfoContext(ctx, "frames taken", "frames", 10)
}

func (in *instrument) readDetector(ctx context.Context) error {
	_, span := in.tracer.Start(ctx, "read detector", trace.WithAttributes(attribute.String("detector", "pilatus")))
	defer span.End()
	err := errors.New("detector timeout: no frame after 2 s")
	// A failed step records the error (an "exception" event) and sets the status.
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
	return err
}
