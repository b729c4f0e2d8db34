package sightlinetest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// TestMemoryExporterRegistered: importing sightlinetest registers "memory"
// with the core's exporter registry, with a name for URL.
func TestMemoryExporterRegistered(t *testing.T) {
	tests := []struct {
		url, want, errText string
	}{
		{"", "default", ""},
		{" run-1.a_b ", "run-1.a_b", ""},
		{"a b", "", "not a name (allowed: a name of letters, digits, '.', '_', '-')"},
		{"a/b", "", "not a name"},
	}
	for _, tt := range tests {
		for _, sig := range []telemetry.Signal{telemetry.SignalTraces, telemetry.SignalLogs} {
			ep, err := telemetry.ParseEndpoint(sig, "Memory", tt.url)
			switch {
			case tt.errText != "" && (err == nil || !strings.Contains(err.Error(), tt.errText)):
				t.Errorf("ParseEndpoint(%s, memory, %q) error %v, want %q", sig, tt.url, err, tt.errText)
			case tt.errText == "" && (err != nil || ep != telemetry.Endpoint{Exporter: "memory", URL: tt.want}):
				t.Errorf("ParseEndpoint(%s, memory, %q) = %v, %v; want memory %s", sig, tt.url, ep, err, tt.want)
			}
		}
	}
	err := telemetry.RegisterExporter(telemetry.ExporterMemory,
		func(context.Context, telemetry.Endpoint) (sdktrace.SpanExporter, error) {
			return nil, errors.New("unused")
		}, nil)
	if !errors.Is(err, telemetry.ErrExporterRegistered) {
		t.Errorf("registering memory again: %v, want ErrExporterRegistered", err)
	}
}

// TestMemoryKeepsDataAfterShutdown: a test reads a Memory after the
// component is gone, and Reset empties it.
func TestMemoryKeepsDataAfterShutdown(t *testing.T) {
	rec := sightlinetest.NewRecorder(t)
	comp, err := telemetry.Setup(context.Background(), rec.Options()...)
	if err != nil {
		t.Fatal(err)
	}
	_, span := comp.Tracer("t").Start(context.Background(), "kept")
	span.End()
	comp.Logger().Info("kept too")
	if err := comp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	mem := sightlinetest.MemoryEndpoint(rec.Endpoint().URL)
	if n, m := len(mem.Spans()), len(mem.Logs()); n != 1 || m != 1 {
		t.Fatalf("after Shutdown: %d spans, %d logs; want 1, 1", n, m)
	}
	mem.Reset()
	if n, m := len(rec.Spans()), len(rec.Logs()); n != 0 || m != 0 {
		t.Errorf("after Reset: %d spans, %d logs", n, m)
	}
}
