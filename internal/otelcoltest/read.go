package otelcoltest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Traces are the trace requests the collector was given, in the order it
// exported them, one per line of its file (over all its runs). Do not
// change them.
func (c *Collector) Traces() []ptrace.Traces {
	c.t.Helper()
	return read(c.t, c.traces)
}

// Logs are the log requests the collector was given, as Traces. Do not
// change them.
func (c *Collector) Logs() []plog.Logs {
	c.t.Helper()
	return read(c.t, c.logs)
}

// SpanIDs counts the spans the collector was given by span id: a count
// above 1 is a span given more than once.
func (c *Collector) SpanIDs() map[[8]byte]int {
	c.t.Helper()
	ids := make(map[[8]byte]int)
	for _, td := range c.Traces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					ids[[8]byte(sp.SpanID())]++
				}
			}
		}
	}
	return ids
}

// LogRecords are the log records the collector was given, in order. Do
// not change them.
func (c *Collector) LogRecords() []plog.LogRecord {
	c.t.Helper()
	var out []plog.LogRecord
	for _, ld := range c.Logs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					out = append(out, lr)
				}
			}
		}
	}
	return out
}

func read[T any](t interface {
	Helper()
	Fatalf(string, ...any)
}, l *jsonLines[T]) []T {
	t.Helper()
	items, err := l.read()
	if err != nil {
		t.Fatalf("otelcoltest: %v", err)
	}
	return items
}

func unmarshalTraces(b []byte) (ptrace.Traces, error) {
	var u ptrace.JSONUnmarshaler
	return u.UnmarshalTraces(b)
}

func unmarshalLogs(b []byte) (plog.Logs, error) {
	var u plog.JSONUnmarshaler
	return u.UnmarshalLogs(b)
}

// jsonLines reads a file of JSON lines that another process appends to,
// decoding each whole line once.
type jsonLines[T any] struct {
	path   string
	decode func([]byte) (T, error)

	mu    sync.Mutex
	off   int64 // the bytes of whole lines read so far
	items []T
}

func newJSONLines[T any](path string, decode func([]byte) (T, error)) *jsonLines[T] {
	return &jsonLines[T]{path: path, decode: decode}
}

// read decodes the whole lines appended since the last read and returns
// all the items so far. A last line without its newline is being written:
// it is left for a later read. A missing file has no lines.
func (l *jsonLines[T]) read() ([]T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f, err := os.Open(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return slices.Clip(l.items), nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.NewSectionReader(f, l.off, 1<<62))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", l.path, err)
	}
	end := bytes.LastIndexByte(b, '\n')
	if end < 0 {
		return slices.Clip(l.items), nil
	}
	var items []T
	for n, line := range bytes.Split(b[:end], []byte{'\n'}) {
		item, err := l.decode(line)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d after byte %d: %w", l.path, n+1, l.off, err)
		}
		items = append(items, item)
	}
	l.items = append(l.items, items...)
	l.off += int64(end) + 1
	return slices.Clip(l.items), nil
}
