package telemetry

import (
	"context"
	"errors"
	"regexp"
	"sync"
	"testing"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// The in-package tests cannot import sightlinetest (it imports this
// package), so they register a memory exporter of their own, "testmem",
// through the public registry: the same code as sightlinetest's memory
// exporter (append under a mutex, simple processor), so the benchmarks
// measure what they measured when memory was built in.

const testMem = "testmem"

var testMemName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// testMemErr is why testmem could not be registered; benchComponent and
// TestTestMemRegistered report it.
var testMemErr = RegisterExporter(testMem,
	func(_ context.Context, ep Endpoint) (sdktrace.SpanExporter, error) {
		return fakeSpans{fakeMemoryOf(ep.URL)}, nil
	},
	func(_ context.Context, ep Endpoint) (sdklog.Exporter, error) {
		return fakeLogs{fakeMemoryOf(ep.URL)}, nil
	},
	WithSimpleProcessor(), WithDefaultURL("default"),
	WithURLCheck("a name of letters, digits, '.', '_', '-'", func(u string) (string, error) {
		if !testMemName.MatchString(u) {
			return "", errors.New("not a name")
		}
		return u, nil
	}))

func TestTestMemRegistered(t *testing.T) {
	if testMemErr != nil {
		t.Fatal(testMemErr)
	}
}

// fakeMemory is what testmem endpoints of one name received.
type fakeMemory struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
	logs  []sdklog.Record
}

var fakeMemories sync.Map // name -> *fakeMemory

func fakeMemoryOf(name string) *fakeMemory {
	m, _ := fakeMemories.LoadOrStore(name, &fakeMemory{})
	return m.(*fakeMemory)
}

func (m *fakeMemory) Reset() {
	m.mu.Lock()
	m.spans, m.logs = nil, nil
	m.mu.Unlock()
}

type fakeSpans struct{ m *fakeMemory }

func (e fakeSpans) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.m.mu.Lock()
	e.m.spans = append(e.m.spans, spans...)
	e.m.mu.Unlock()
	return nil
}

func (fakeSpans) Shutdown(context.Context) error { return nil }

type fakeLogs struct{ m *fakeMemory }

func (e fakeLogs) Export(_ context.Context, recs []sdklog.Record) error {
	e.m.mu.Lock()
	for _, r := range recs {
		e.m.logs = append(e.m.logs, r.Clone())
	}
	e.m.mu.Unlock()
	return nil
}

func (fakeLogs) Shutdown(context.Context) error   { return nil }
func (fakeLogs) ForceFlush(context.Context) error { return nil }
