package console

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

var (
	_ sdktrace.SpanExporter = (*SpanExporter)(nil)
	_ sdklog.Exporter       = (*LogExporter)(nil)
)

// sink serialises the writes of one exporter and implements its shutdown.
type sink struct {
	w      io.Writer
	indent int
	cache  resourceCache

	mu      sync.Mutex  // held for each Write; guards the change of stopped
	stopped atomic.Bool // read without mu for the fast path, set under mu
}

func newSink(w io.Writer, opts []Option) sink {
	if w == nil {
		w = os.Stdout
	}
	return sink{w: w, indent: newConfig(opts).indent}
}

// write writes p with one Write call unless the exporter has been shut
// down, in which case it writes nothing and reports false.
func (s *sink) write(p []byte) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped.Load() {
		return false, nil
	}
	_, err := s.w.Write(p)
	return true, err
}

// shutdown stops further writes. It waits for a Write in progress, so no
// output follows its return.
func (s *sink) shutdown() {
	s.mu.Lock()
	s.stopped.Store(true)
	s.mu.Unlock()
}

// SpanExporter writes spans to an io.Writer as JSON in the shape of
// OpenTelemetry Python's ConsoleSpanExporter (see the package
// documentation for the format).
//
// It is safe for concurrent use. Each span is written with a single Write
// call holding the whole object and its terminating newline, and writes are
// serialised, so concurrent exports never interleave within a span.
type SpanExporter struct {
	s sink
}

// NewSpanExporter returns a SpanExporter writing to w, or to os.Stdout if w
// is nil (Python's default). The exporter does not buffer, flush or close
// w.
func NewSpanExporter(w io.Writer, opts ...Option) *SpanExporter {
	return &SpanExporter{s: newSink(w, opts)}
}

// ExportSpans writes each span as one JSON object followed by "\n".
//
// It stops at the first failing write and returns its error, wrapped. It
// returns the context's error, wrapped, if ctx is done before a span is
// written. After Shutdown it writes nothing and returns nil.
func (x *SpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if x.s.stopped.Load() || len(spans) == 0 {
		return nil
	}
	e := getEncoder(x.s.indent)
	defer putEncoder(e)
	for _, sp := range spans {
		if sp == nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("console: export spans: %w", err)
		}
		e.reset()
		e.span(sp, &x.s.cache)
		e.buf = append(e.buf, '\n')
		ok, err := x.s.write(e.buf)
		if err != nil {
			return fmt.Errorf("console: write spans: %w", err)
		}
		if !ok {
			return nil
		}
	}
	return nil
}

// Shutdown stops the exporter: later calls to ExportSpans write nothing. It
// waits for a write in progress to finish, is idempotent and returns nil.
func (x *SpanExporter) Shutdown(context.Context) error {
	x.s.shutdown()
	return nil
}

// LogExporter writes log records to an io.Writer as JSON in the shape of
// OpenTelemetry Python's ConsoleLogRecordExporter (see the package
// documentation for the format).
//
// It is safe for concurrent use. Each record is written with a single Write
// call holding the whole object and its terminating newline, and writes are
// serialised, so concurrent exports never interleave within a record.
type LogExporter struct {
	s sink
}

// NewLogExporter returns a LogExporter writing to w, or to os.Stdout if w
// is nil (Python's default). The exporter does not buffer, flush or close
// w.
func NewLogExporter(w io.Writer, opts ...Option) *LogExporter {
	return &LogExporter{s: newSink(w, opts)}
}

// Export writes each record as one JSON object followed by "\n".
//
// It stops at the first failing write and returns its error, wrapped. It
// returns the context's error, wrapped, if ctx is done before a record is
// written. After Shutdown it writes nothing and returns nil.
func (x *LogExporter) Export(ctx context.Context, records []sdklog.Record) error {
	if x.s.stopped.Load() || len(records) == 0 {
		return nil
	}
	e := getEncoder(x.s.indent)
	defer putEncoder(e)
	for i := range records {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("console: export logs: %w", err)
		}
		e.reset()
		e.logRecord(&records[i], &x.s.cache)
		e.buf = append(e.buf, '\n')
		ok, err := x.s.write(e.buf)
		if err != nil {
			return fmt.Errorf("console: write logs: %w", err)
		}
		if !ok {
			return nil
		}
	}
	return nil
}

// Shutdown stops the exporter: later calls to Export write nothing. It
// waits for a write in progress to finish, is idempotent and returns nil.
func (x *LogExporter) Shutdown(context.Context) error {
	x.s.shutdown()
	return nil
}

// ForceFlush returns nil: the exporter holds nothing back, every record is
// handed to the writer before Export returns.
func (x *LogExporter) ForceFlush(context.Context) error {
	return nil
}
