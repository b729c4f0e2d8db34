package otlpjson

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/nofollow"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
)

// Compile-time interface checks.
var (
	_ sdktrace.SpanExporter = (*FileSpanExporter)(nil)
	_ sdklog.Exporter       = (*FileLogExporter)(nil)
)

// ExpandPath replaces every "{pid}" in path with the current process id, so
// that processes sharing one configured path each write their own file.
func ExpandPath(path string) string {
	return strings.ReplaceAll(path, "{pid}", strconv.Itoa(os.Getpid()))
}

// FileSpanExporter appends spans to a file in the OTLP file format: one
// OTLP-JSON ExportTraceServiceRequest object per line, as the collector's
// file exporter writes it. It is safe for concurrent use.
type FileSpanExporter struct {
	w *lineFile
}

// NewFileSpanExporter opens (creating if needed with [FileMode], appending if
// present) the file at [ExpandPath](path). Missing directories are not
// created; a symbolic link at the path is refused with [ErrSymlink].
func NewFileSpanExporter(path string) (*FileSpanExporter, error) {
	w, err := openLineFile(path, "trace")
	if err != nil {
		return nil, err
	}
	return &FileSpanExporter{w: w}, nil
}

// ExportSpans writes spans as one line with a single write. Nothing is
// written for an empty batch or after Shutdown.
func (e *FileSpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	enc := getEncoders()
	defer putEncoders(enc)
	return e.w.writeLine(enc.spansLine(spans))
}

// NewSpanBatch returns an empty batch of the kind ExportSpanBatch writes
// (OTLP-JSON).
func (e *FileSpanExporter) NewSpanBatch() *otlpenc.SpanBatch { return otlpenc.NewJSONSpanBatch() }

// ExportSpanBatch is ExportSpans for sightline's own spans
// (telemetry/internal/leanspan), encoded as they ended into batch (made by
// NewSpanBatch): the same line as for their snapshots. batch is not
// changed.
func (e *FileSpanExporter) ExportSpanBatch(ctx context.Context, batch *otlpenc.SpanBatch) error {
	if !batch.JSON() {
		return errProtobufBatch
	}
	if batch.Len() == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	enc := getEncoders()
	defer putEncoders(enc)
	return e.w.writeLine(enc.batchLine(batch))
}

// ForceFlush syncs the file to stable storage.
func (e *FileSpanExporter) ForceFlush(ctx context.Context) error { return e.w.sync(ctx) }

// Shutdown closes the file. Later calls do nothing.
func (e *FileSpanExporter) Shutdown(context.Context) error { return e.w.close() }

// FileLogExporter appends log records to a file in the OTLP file format: one
// OTLP-JSON ExportLogsServiceRequest object per line. It is safe for
// concurrent use.
type FileLogExporter struct {
	w *lineFile
}

// NewFileLogExporter opens the file at [ExpandPath](path) as
// [NewFileSpanExporter] does.
func NewFileLogExporter(path string) (*FileLogExporter, error) {
	w, err := openLineFile(path, "log")
	if err != nil {
		return nil, err
	}
	return &FileLogExporter{w: w}, nil
}

// Export writes records as one line with a single write. Nothing is written
// for an empty batch or after Shutdown (which, unlike the sdklog.Exporter
// suggestion, is not reported as an error: a late batch at process exit is
// not worth an error report).
func (e *FileLogExporter) Export(ctx context.Context, records []sdklog.Record) error {
	if len(records) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	enc := getEncoders()
	defer putEncoders(enc)
	return e.w.writeLine(enc.logsLine(records))
}

// ForceFlush syncs the file to stable storage.
func (e *FileLogExporter) ForceFlush(ctx context.Context) error { return e.w.sync(ctx) }

// Shutdown closes the file. Later calls do nothing.
func (e *FileLogExporter) Shutdown(context.Context) error { return e.w.close() }

// lineFile is an append-only file written one whole line per Write call.
type lineFile struct {
	path string

	mu     sync.Mutex
	f      *os.File
	closed bool
}

// FileMode is the permission a file exporter creates its file with: owner
// read and write only, since spans and logs may carry anything the program
// knows. An existing file keeps its mode.
const FileMode = 0o600

// ErrSymlink is returned (wrapped) by the file exporters' constructors when
// the final component of the path is a symbolic link: a file endpoint never
// writes through one, so that nobody who can create a link where the file
// is expected can redirect telemetry into another file. Symbolic links in
// the directories above are followed.
var ErrSymlink = errors.New("the path is a symbolic link, which file endpoints do not follow")

func openLineFile(path, signal string) (*lineFile, error) {
	path = ExpandPath(path)
	f, err := nofollow.Open(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, FileMode)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&os.ModeSymlink != 0 {
			return nil, fmt.Errorf("otlpjson: open %s file %s: %w (%w)", signal, path, ErrSymlink, err)
		}
		// The *fs.PathError names the path.
		return nil, fmt.Errorf("otlpjson: open %s file: %w", signal, err)
	}
	return &lineFile{path: path, f: f}, nil
}

// writeLine appends line, which ends in a newline, with one Write, so
// that concurrent writers (in this process or, with O_APPEND, others) never
// interleave within a line. line is not kept.
func (w *lineFile) writeLine(line []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	if _, err := w.f.Write(line); err != nil {
		return fmt.Errorf("otlpjson: %w", err) // *fs.PathError names the path.
	}
	return nil
}

func (w *lineFile) sync(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	if err := w.f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		// EINVAL: the path is a terminal or pipe (e.g. /dev/stderr), which
		// has nothing to sync.
		return fmt.Errorf("otlpjson: %w", err)
	}
	return nil
}

func (w *lineFile) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("otlpjson: %w", err)
	}
	return nil
}
