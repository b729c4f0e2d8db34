package console

import (
	"context"
	"fmt"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

var (
	_ sdktrace.SpanExporter = (*FileSpanExporter)(nil)
	_ sdklog.Exporter       = (*FileLogExporter)(nil)
)

// FileSpanExporter appends spans to a file, one compact console JSON object
// per line (the shape of [SpanExporter] with [WithIndent](0)), as Ray's
// tracing startup hook has OpenTelemetry Python write them. A batch is
// written with one write call or not at all, so that an error drops exactly
// the batch: the file's size bound ([ErrFileFull]) or the disk's (ENOSPC).
// Nothing is retried and nothing waits: the error is returned at once. It is
// safe for concurrent use.
type FileSpanExporter struct {
	w     *file
	cache resourceCache
}

// NewFileSpanExporter opens the file at [ExpandPath](path) for appending,
// creating it ([FileMode]) and its directories ([DirMode]) when missing;
// path is checked with [CheckPath]. maxBytes bounds the file's size (<= 0:
// [DefaultFileMaxBytes]).
func NewFileSpanExporter(path string, maxBytes int64) (*FileSpanExporter, error) {
	w, err := openFile(path, maxBytes)
	if err != nil {
		return nil, err
	}
	return &FileSpanExporter{w: w}, nil
}

// Path returns the file's path, {pid} expanded.
func (x *FileSpanExporter) Path() string { return x.w.path }

// ExportSpans appends spans, one line each, with a single write. It returns
// the context's error if ctx is done, and after Shutdown writes nothing and
// returns nil.
func (x *FileSpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("console: export spans to %s: %w", x.w.path, err)
	}
	e := getEncoder(0)
	defer putEncoder(e)
	for _, sp := range spans {
		if sp != nil {
			e.span(sp, &x.cache)
			e.buf = append(e.buf, '\n')
		}
	}
	return x.w.write(e.buf)
}

// Shutdown closes the file; later exports write nothing. It is idempotent.
func (x *FileSpanExporter) Shutdown(context.Context) error { return x.w.close() }

// FileLogExporter appends log records to a file as [FileSpanExporter]
// appends spans, in the shape of [LogExporter] with [WithIndent](0).
type FileLogExporter struct {
	w     *file
	cache resourceCache
}

// NewFileLogExporter opens a file as [NewFileSpanExporter] does.
func NewFileLogExporter(path string, maxBytes int64) (*FileLogExporter, error) {
	w, err := openFile(path, maxBytes)
	if err != nil {
		return nil, err
	}
	return &FileLogExporter{w: w}, nil
}

// Export appends records, one line each, with a single write.
func (x *FileLogExporter) Export(ctx context.Context, records []sdklog.Record) error {
	if len(records) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("console: export logs to %s: %w", x.w.path, err)
	}
	e := getEncoder(0)
	defer putEncoder(e)
	for i := range records {
		e.logRecord(&records[i], &x.cache)
		e.buf = append(e.buf, '\n')
	}
	return x.w.write(e.buf)
}

// ForceFlush returns nil: every record is written before Export returns.
func (x *FileLogExporter) ForceFlush(context.Context) error { return nil }

// Shutdown closes the file; later exports write nothing. It is idempotent.
func (x *FileLogExporter) Shutdown(context.Context) error { return x.w.close() }
