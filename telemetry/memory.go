package telemetry

import (
	"context"
	"sync"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Memory holds what memory endpoints of one name received, for tests. Every
// component in the process that exports to `memory NAME` appends here.
// Package sightlinetest wraps it with assertions.
type Memory struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
	logs  []sdklog.Record
}

var memories sync.Map // name -> *Memory

// MemoryEndpoint returns the store behind memory endpoints named name,
// creating it on first use.
func MemoryEndpoint(name string) *Memory {
	m, _ := memories.LoadOrStore(name, &Memory{})
	return m.(*Memory)
}

// Spans returns copies of the spans received so far, in export order.
func (m *Memory) Spans() tracetest.SpanStubs {
	m.mu.Lock()
	defer m.mu.Unlock()
	return tracetest.SpanStubsFromReadOnlySpans(m.spans)
}

// Logs returns copies of the log records received so far.
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

func (m *Memory) spanExporter() sdktrace.SpanExporter { return memorySpans{m} }
func (m *Memory) logExporter() sdklog.Exporter        { return memoryLogs{m} }

type memorySpans struct{ m *Memory }

func (e memorySpans) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.m.mu.Lock()
	e.m.spans = append(e.m.spans, spans...)
	e.m.mu.Unlock()
	return nil
}

// Shutdown keeps the data: tests read it after the component is shut down.
func (memorySpans) Shutdown(context.Context) error { return nil }

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
