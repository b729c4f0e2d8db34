package otlpjson

import (
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/spare"
)

// maxPooledLine is the largest line buffer kept for the next export, in
// bytes: a batch that needed more (an outlier) gives its buffer back to
// the garbage collector.
const maxPooledLine = 4 << 20

// encoders is what one export reuses from the ones before it: the otlpenc
// encoders' grouping tables, a file exporter's line buffer and the size of
// the last HTTP body. One export holds it at a time (exports may run
// concurrently, each with its own).
type encoders struct {
	spans otlpenc.Encoder
	logs  otlpenc.LogEncoder
	line  []byte // a file line: the request and '\n'
	body  int    // the length of the last HTTP body, to size the next
}

// encoderPool keeps one encoders across garbage collections (package
// spare), so that a process collecting more often than it exports still
// reuses them.
var encoderPool spare.Pool[encoders]

func getEncoders() *encoders { return encoderPool.Get() }

func putEncoders(e *encoders) {
	if cap(e.line) > maxPooledLine {
		e.line = nil
	}
	encoderPool.Put(e)
}

// spansLine returns spans as one file line (an OTLP-JSON
// ExportTraceServiceRequest and '\n') in e.line, valid until e goes back
// to the pool.
func (e *encoders) spansLine(spans []sdktrace.ReadOnlySpan) []byte {
	e.line = append(e.spans.AppendTracesJSON(e.line[:0], spans), '\n')
	return e.line
}

// batchLine is spansLine for a JSON span batch.
func (e *encoders) batchLine(b *otlpenc.SpanBatch) []byte {
	e.line = append(e.spans.AppendSpanBatchJSON(e.line[:0], b), '\n')
	return e.line
}

// logsLine is spansLine for log records.
func (e *encoders) logsLine(records []sdklog.Record) []byte {
	e.line = append(e.logs.AppendLogsJSON(e.line[:0], records), '\n')
	return e.line
}

// spansBody returns spans as an OTLP-JSON ExportTraceServiceRequest in a
// new buffer of its own: the HTTP transport may read a request body after
// the send returns, so a body is never reused.
func (e *encoders) spansBody(spans []sdktrace.ReadOnlySpan) []byte {
	b := e.spans.AppendTracesJSON(make([]byte, 0, e.bodyCap()), spans)
	e.body = len(b)
	return b
}

// batchBody is spansBody for a JSON span batch.
func (e *encoders) batchBody(b *otlpenc.SpanBatch) []byte {
	body := e.spans.AppendSpanBatchJSON(make([]byte, 0, e.bodyCap()), b)
	e.body = len(body)
	return body
}

// logsBody is spansBody for log records.
func (e *encoders) logsBody(records []sdklog.Record) []byte {
	b := e.logs.AppendLogsJSON(make([]byte, 0, e.bodyCap()), records)
	e.body = len(b)
	return b
}

// bodyCap is the capacity a new body starts with: an eighth more than the
// last one, so that a batch like the last is written without growing.
func (e *encoders) bodyCap() int { return e.body + e.body/8 }
