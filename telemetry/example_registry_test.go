package telemetry_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/telemetry"
)

// printExporter writes the name of every span exported to one endpoint.
type printExporter struct {
	name string
	out  io.Writer
}

func (e printExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	for _, s := range spans {
		fmt.Fprintf(e.out, "%s got %s\n", e.name, s.Name())
	}
	return nil
}

func (printExporter) Shutdown(context.Context) error { return nil }

// An exporter of the program's own, registered once (typically in an init
// function) and then named by endpoints like a built-in one: here in the
// environment, as "example-stdout NAME".
func ExampleRegisterExporter() {
	var out strings.Builder
	err := telemetry.RegisterExporter("example-stdout",
		func(_ context.Context, ep telemetry.Endpoint) (sdktrace.SpanExporter, error) {
			return printExporter{name: ep.URL, out: &out}, nil
		},
		nil, // carries no logs: log endpoints of it are refused
		telemetry.WithSimpleProcessor(), telemetry.WithDefaultURL("unnamed"))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	comp, err := telemetry.Setup(ctx, telemetry.WithEnv(func(name string) (string, bool) {
		v, ok := map[string]string{
			"SIGHTLINE_TELEMETRY_ENABLE":            "on",
			"SIGHTLINE_TELEMETRY_TYPES":             "tracing",
			"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "example-stdout",
			"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": "bench-a",
		}[name]
		return v, ok
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, span := comp.Tracer("example").Start(ctx, "move motor1")
	span.End()
	_ = comp.Shutdown(ctx)
	fmt.Print(out.String())

	_, err = telemetry.ParseEndpoint(telemetry.SignalLogs, "example-stdout", "")
	reason, _, _ := strings.Cut(err.Error(), " (allowed:")
	fmt.Println(reason)
	// Output:
	// bench-a got move motor1
	// exporter "example-stdout" carries no logs
}
