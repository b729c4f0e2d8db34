package otlpjson

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/internal/otlphttp"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
)

// errShutdown is returned by exports after Shutdown. It matches
// sdklog.ErrExporterShutdown under errors.Is.
var errShutdown error = shutdownError{}

// errProtobufBatch is returned for a span batch of the wrong kind.
var errProtobufBatch = errors.New("otlpjson: a protobuf span batch given to an OTLP-JSON exporter")

type shutdownError struct{}

func (shutdownError) Error() string { return "otlpjson: exporter is shut down" }

func (shutdownError) Is(target error) bool { return target == sdklog.ErrExporterShutdown }

// sendErr is a send's error as an export's: after Shutdown, errShutdown.
func sendErr(err error) error {
	if errors.Is(err, otlphttp.ErrClosed) {
		return errShutdown
	}
	return err
}

// Compile-time interface checks.
var (
	_ sdktrace.SpanExporter = (*HTTPSpanExporter)(nil)
	_ sdklog.Exporter       = (*HTTPLogExporter)(nil)
)

// HTTPSpanExporter sends spans as OTLP/HTTP requests with JSON encoding. It
// is safe for concurrent use.
type HTTPSpanExporter struct {
	s *otlphttp.Sender
}

// NewHTTPSpanExporter returns an exporter posting to url, which is used as
// given (it should already end in /v1/traces). An invalid url is reported by
// every export.
func NewHTTPSpanExporter(url string, opts ...otlphttp.Option) *HTTPSpanExporter {
	return &HTTPSpanExporter{s: otlphttp.NewSender(url, otlphttp.ContentTypeJSON, opts...)}
}

// ExportSpans posts spans as one ExportTraceServiceRequest. An error is
// returned if the request fails, if the server rejects some spans (partial
// success), or after Shutdown.
func (e *HTTPSpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e.s.Closed() {
		return errShutdown
	}
	if len(spans) == 0 {
		return nil
	}
	enc := getEncoders()
	body := enc.spansBody(spans)
	putEncoders(enc)
	return sendErr(e.s.Send(ctx, body, e.checkResponse))
}

// NewSpanBatch returns an empty batch of the kind ExportSpanBatch sends
// (OTLP-JSON).
func (e *HTTPSpanExporter) NewSpanBatch() *otlpenc.SpanBatch { return otlpenc.NewJSONSpanBatch() }

// ExportSpanBatch is ExportSpans for sightline's own spans
// (telemetry/internal/leanspan), encoded as they ended into batch (made by
// NewSpanBatch): the same request as for their snapshots. batch is not
// changed.
func (e *HTTPSpanExporter) ExportSpanBatch(ctx context.Context, batch *otlpenc.SpanBatch) error {
	if !batch.JSON() {
		return errProtobufBatch
	}
	if e.s.Closed() {
		return errShutdown
	}
	if batch.Len() == 0 {
		return nil
	}
	enc := getEncoders()
	body := enc.batchBody(batch)
	putEncoders(enc)
	return sendErr(e.s.Send(ctx, body, e.checkResponse))
}

func (e *HTTPSpanExporter) checkResponse(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	resp := ptraceotlp.NewExportResponse()
	if err := resp.UnmarshalJSON(data); err != nil {
		// The status said the data was accepted; a body that is not an
		// ExportTraceServiceResponse (a proxy's "OK") does not change that.
		return nil
	}
	ps := resp.PartialSuccess()
	if n := ps.RejectedSpans(); n > 0 {
		return fmt.Errorf("otlpjson: %s rejected %d spans: %s", e.s.URL(), n, ps.ErrorMessage())
	}
	return nil
}

// Shutdown stops the exporter and closes idle connections. Later exports
// fail; later calls to Shutdown do nothing.
func (e *HTTPSpanExporter) Shutdown(context.Context) error {
	e.s.Close()
	return nil
}

// HTTPLogExporter sends log records as OTLP/HTTP requests with JSON
// encoding. It is safe for concurrent use.
type HTTPLogExporter struct {
	s *otlphttp.Sender
}

// NewHTTPLogExporter returns an exporter posting to url, which is used as
// given (it should already end in /v1/logs). An invalid url is reported by
// every export.
func NewHTTPLogExporter(url string, opts ...otlphttp.Option) *HTTPLogExporter {
	return &HTTPLogExporter{s: otlphttp.NewSender(url, otlphttp.ContentTypeJSON, opts...)}
}

// Export posts records as one ExportLogsServiceRequest. An error is
// returned if the request fails, if the server rejects some records
// (partial success), or after Shutdown.
func (e *HTTPLogExporter) Export(ctx context.Context, records []sdklog.Record) error {
	if e.s.Closed() {
		return errShutdown
	}
	if len(records) == 0 {
		return nil
	}
	enc := getEncoders()
	body := enc.logsBody(records)
	putEncoders(enc)
	return sendErr(e.s.Send(ctx, body, e.checkResponse))
}

func (e *HTTPLogExporter) checkResponse(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	resp := plogotlp.NewExportResponse()
	if err := resp.UnmarshalJSON(data); err != nil {
		return nil // See HTTPSpanExporter.checkResponse.
	}
	ps := resp.PartialSuccess()
	if n := ps.RejectedLogRecords(); n > 0 {
		return fmt.Errorf("otlpjson: %s rejected %d log records: %s", e.s.URL(), n, ps.ErrorMessage())
	}
	return nil
}

// ForceFlush does nothing: the exporter holds no data between exports.
func (e *HTTPLogExporter) ForceFlush(context.Context) error { return nil }

// Shutdown stops the exporter and closes idle connections. Later exports
// fail; later calls to Shutdown do nothing.
func (e *HTTPLogExporter) Shutdown(context.Context) error {
	e.s.Close()
	return nil
}
