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
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry"
)

func main() {
	if err := run(context.Background(), os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run sets telemetry up from the environment, measures a sample and shuts
// telemetry down, flushing what is left. Messages for the user go to stderr.
func run(ctx context.Context, stderr io.Writer) error {
	comp, err := telemetry.Setup(ctx, telemetry.WithServiceName("quickstart"))
	if comp == nil {
		return err // only with telemetry.WithStrict, or when the resource cannot be built
	}
	if err != nil {
		// Bad settings are reported, then fall back to their defaults: keep going.
		fmt.Fprintln(stderr, "telemetry configuration:", err)
	}
	if !comp.Control().IsEnabled() {
		fmt.Fprintln(stderr, "telemetry is off: set SIGHTLINE_TELEMETRY_ENABLE=on to see spans and logs")
	}

	newInstrument(comp).measureSample(ctx)

	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return comp.Shutdown(ctx)
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
	span.AddEvent("shutter opened", trace.WithAttributes(attribute.Float64("exposure_s", 0.1)))
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
