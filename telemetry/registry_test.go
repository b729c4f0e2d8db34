package telemetry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func spansOnly(context.Context, Endpoint) (sdktrace.SpanExporter, error) {
	return fakeSpans{&fakeMemory{}}, nil
}

// spansOnlyErr registers, at init like a real exporter package and so
// before any test reads the list, an exporter that carries only spans and
// asks for the default (batch) processor.
var spansOnlyErr = RegisterExporter("spansonly.test", spansOnly, nil)

func TestRegisterExporterRefusals(t *testing.T) {
	var reg exporterRegistry
	if err := reg.register("custom", spansOnly, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, exporter string
		spans          SpanExporterFactory
		want           string
		taken          bool
	}{
		{"built in", "console", spansOnly, `"console": exporter name already taken (built in)`, true},
		{"none", "none", spansOnly, "built in", true},
		{"otlp", "otlp", spansOnly, "built in", true},
		{"twice", "custom", spansOnly, "registered before", true},
		{"upper case", "Custom2", spansOnly, "want a lower-case name", false},
		{"empty", "", spansOnly, "want a lower-case name", false},
		{"comma", "a,b", spansOnly, "want a lower-case name", false},
		{"no factory", "custom3", nil, "no span and no log factory", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := reg.register(tt.exporter, tt.spans, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, ErrExporterRegistered) != tt.taken {
				t.Errorf("register(%q) = %v, want %q (taken %v)", tt.exporter, err, tt.want, tt.taken)
			}
		})
	}
	if got := reg.names(); !slices.Equal(got, []string{"console", "file", "http", "grpc", "custom", "none"}) {
		t.Errorf("names = %v", got)
	}
}

// TestRegisterExporterConcurrently: registration is safe for concurrent
// use, and each name is taken exactly once.
func TestRegisterExporterConcurrently(t *testing.T) {
	var reg exporterRegistry
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := map[string]int{}
	for i := range 40 {
		wg.Go(func() {
			name := fmt.Sprintf("x%d", i%10)
			err := reg.register(name, spansOnly, nil)
			_ = reg.names()
			_ = reg.lookup(name)
			if err == nil {
				mu.Lock()
				wins[name]++
				mu.Unlock()
			} else if !errors.Is(err, ErrExporterRegistered) {
				t.Errorf("register(%s): %v", name, err)
			}
		})
	}
	wg.Wait()
	for i := range 10 {
		if n := wins[fmt.Sprintf("x%d", i)]; n != 1 {
			t.Errorf("x%d registered %d times", i, n)
		}
	}
}

// TestRegisteredExporterEndpoints: the process registry feeds ParseEndpoint,
// FromEnv's messages and the processor choice.
func TestRegisteredExporterEndpoints(t *testing.T) {
	if spansOnlyErr != nil {
		t.Fatal(spansOnlyErr)
	}
	if !slices.Contains(Exporters(), "spansonly.test") || !slices.Contains(Exporters(), testMem) {
		t.Errorf("Exporters() = %v", Exporters())
	}
	if ep, err := ParseEndpoint(SignalTraces, "SpansOnly.Test", " anything goes "); err != nil || ep != (Endpoint{"spansonly.test", "anything goes"}) {
		t.Errorf("ParseEndpoint = %v, %v", ep, err)
	}
	_, err := ParseEndpoint(SignalLogs, "spansonly.test", "x")
	if err == nil || !strings.Contains(err.Error(), `exporter "spansonly.test" carries no logs`) ||
		strings.Contains(err.Error(), "spansonly.test,") {
		t.Errorf("a log endpoint of a spans-only exporter: %v", err)
	}
	cfg := DefaultConfig()
	if k := processorFor(cfg, Endpoint{"spansonly.test", "x"}); k != "batch" {
		t.Errorf("processor of a registered exporter without WithSimpleProcessor = %s, want batch", k)
	}
	if k := processorFor(cfg, Endpoint{testMem, "x"}); k != "simple" {
		t.Errorf("processor of testmem = %s, want simple", k)
	}
	cfg.SpanProcessor = "batch"
	if k := processorFor(cfg, Endpoint{testMem, "x"}); k != "batch" {
		t.Errorf("SIGHTLINE_TELEMETRY_SPAN_PROCESSOR=batch: testmem uses %s", k)
	}
}
