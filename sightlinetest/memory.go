package sightlinetest

import (
	"context"
	"errors"
	"regexp"
	"sync"
	"testing"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sightline-dev/sightline/telemetry"
)

// The memory exporter: importing this package registers it with
// telemetry.RegisterExporter under telemetry.ExporterMemory ("memory"), so
// that a component can be configured, like any other, with
//
//	SIGHTLINE_TELEMETRY_TRACING_EXPORTERS=memory
//	SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS=NAME
//
// (or the same in properties, the admin API or Control) and a test reads
// what it exported with MemoryEndpoint(NAME). An endpoint without a URL is
// named "default". Memory endpoints use a simple processor unless
// SIGHTLINE_TELEMETRY_SPAN_PROCESSOR says otherwise: a span is there as
// soon as End returns.

// memoryNameRule is what a memory endpoint's URL may be.
var memoryNameRule = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// registerErr is why the memory exporter could not be registered (another
// package took the name first); NewRecorder reports it.
var registerErr error

func init() {
	registerErr = telemetry.RegisterExporter(telemetry.ExporterMemory,
		func(_ context.Context, ep telemetry.Endpoint) (sdktrace.SpanExporter, error) {
			return memorySpans{MemoryEndpoint(ep.URL)}, nil
		},
		func(_ context.Context, ep telemetry.Endpoint) (sdklog.Exporter, error) {
			return memoryLogs{MemoryEndpoint(ep.URL)}, nil
		},
		telemetry.WithSimpleProcessor(),
		telemetry.WithDefaultURL("default"),
		telemetry.WithURLCheck("a name of letters, digits, '.', '_', '-'", func(url string) (string, error) {
			if !memoryNameRule.MatchString(url) {
				return "", errors.New("not a name")
			}
			return url, nil
		}))
}

// checkRegistered fails t when the memory exporter is not registered.
func checkRegistered(t testing.TB) {
	t.Helper()
	if registerErr != nil {
		t.Fatalf("sightlinetest: memory exporter: %v", registerErr)
	}
}

// Memory holds what the memory endpoints of one name received. Every
// component in the process that exports to "memory NAME" appends to the
// Memory of that name; it keeps everything until Reset, also after the
// components shut down. A [Recorder] wraps one with assertions. A Memory is
// safe for concurrent use.
type Memory struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
	logs  []sdklog.Record
}

var memories sync.Map // name -> *Memory

// MemoryEndpoint returns the Memory behind memory endpoints named name,
// creating it on first use. Names are process-wide: tests that run in
// parallel use names of their own (NewRecorder does).
func MemoryEndpoint(name string) *Memory {
	m, _ := memories.LoadOrStore(name, &Memory{})
	return m.(*Memory)
}

// Spans returns copies of the spans received so far, in export order (for a
// simple processor, the order they ended).
func (m *Memory) Spans() tracetest.SpanStubs {
	m.mu.Lock()
	defer m.mu.Unlock()
	return tracetest.SpanStubsFromReadOnlySpans(m.spans)
}

// Logs returns copies of the log records received so far, in export order.
func (m *Memory) Logs() []sdklog.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]sdklog.Record, len(m.logs))
	for i, r := range m.logs {
		out[i] = r.Clone()
	}
	return out
}

// Reset forgets everything received.
func (m *Memory) Reset() {
	m.mu.Lock()
	m.spans, m.logs = nil, nil
	m.mu.Unlock()
}

// memorySpans is the span exporter of memory endpoints.
type memorySpans struct{ m *Memory }

func (e memorySpans) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.m.mu.Lock()
	e.m.spans = append(e.m.spans, spans...)
	e.m.mu.Unlock()
	return nil
}

// Shutdown keeps the data: tests read it after the component is shut down.
func (memorySpans) Shutdown(context.Context) error { return nil }

// memoryLogs is the log exporter of memory endpoints.
type memoryLogs struct{ m *Memory }

func (e memoryLogs) Export(_ context.Context, recs []sdklog.Record) error {
	e.m.mu.Lock()
	for _, r := range recs {
		e.m.logs = append(e.m.logs, r.Clone())
	}
	e.m.mu.Unlock()
	return nil
}

func (memoryLogs) Shutdown(context.Context) error   { return nil }
func (memoryLogs) ForceFlush(context.Context) error { return nil }
