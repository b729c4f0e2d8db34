package otlphttpenc

import (
	"context"
	"errors"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

// ErrShutdown is returned by exports after Shutdown.
var ErrShutdown = errors.New("otlphttpenc: exporter is shut down")

var errJSONBatch = errors.New("otlphttpenc: an OTLP-JSON span batch given to the protobuf exporter")

// userAgent names the exporter, as the SDK's names itself ("OTel OTLP
// Exporter Go/<version>").
const userAgent = "sightline OTLP Exporter Go (otlpenc)"

var (
	_ sdktrace.SpanExporter = (*Exporter)(nil)
	_ sdklog.Exporter       = (*LogExporter)(nil)
)

// Exporter posts spans as OTLP/HTTP protobuf ExportTraceServiceRequests
// encoded by otlpenc, as otlptracehttp does. It is safe for concurrent use.
type Exporter struct{ c *client }

// LogExporter posts log records as OTLP/HTTP protobuf
// ExportLogsServiceRequests encoded by otlpenc, as otlploghttp does. It is
// safe for concurrent use.
type LogExporter struct{ c *client }

// New returns a span exporter for cfg, or an error naming the setting that
// cannot be used (see [Config.Validate]).
func New(cfg Config) (*Exporter, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	return &Exporter{c: c}, nil
}

// NewLog returns a log exporter for cfg (whose URL should end in
// /v1/logs), or an error as [New]'s.
func NewLog(cfg Config) (*LogExporter, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	return &LogExporter{c: c}, nil
}

// ExportSpans posts spans as one ExportTraceServiceRequest, retrying as
// configured within the export timeout. It returns an error when the
// request fails for good, a [*otlpretry.PartialSuccessError] when the server
// accepted the request but rejected spans or sent a warning, and
// [ErrShutdown] after Shutdown. An empty batch sends nothing.
func (e *Exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return e.c.shutdownErr()
	}
	return e.c.export(ctx, otlpretry.KindSpans, func(b *buffers) []byte {
		return b.enc.AppendTraces(b.raw[:0], spans)
	})
}

// NewSpanBatch returns an empty batch of the kind ExportSpanBatch sends
// (protobuf).
func (e *Exporter) NewSpanBatch() *otlpenc.SpanBatch { return new(otlpenc.SpanBatch) }

// ExportSpanBatch is [Exporter.ExportSpans] for sightline's own spans
// (telemetry/internal/leanspan), encoded as they ended into batch (made by
// NewSpanBatch): the same request bytes as for their snapshots, the same
// retries and errors. batch is not changed.
func (e *Exporter) ExportSpanBatch(ctx context.Context, batch *otlpenc.SpanBatch) error {
	if batch.JSON() {
		return errJSONBatch
	}
	if batch.Len() == 0 {
		return e.c.shutdownErr()
	}
	return e.c.export(ctx, otlpretry.KindSpans, func(b *buffers) []byte {
		return b.enc.AppendSpanBatch(b.raw[:0], batch)
	})
}

// Export posts records as one ExportLogsServiceRequest, with the same
// retries, errors and partial success as [Exporter.ExportSpans] (the
// error counts rejected log records). An empty batch sends nothing.
func (e *LogExporter) Export(ctx context.Context, records []sdklog.Record) error {
	if len(records) == 0 {
		return e.c.shutdownErr()
	}
	return e.c.export(ctx, otlpretry.KindLogs, func(b *buffers) []byte {
		return b.logEnc.AppendLogs(b.raw[:0], records)
	})
}

// ForceFlush does nothing: the exporter holds no spans between exports.
func (e *Exporter) ForceFlush(context.Context) error { return nil }

// ForceFlush does nothing: the exporter holds no records between exports.
func (e *LogExporter) ForceFlush(context.Context) error { return nil }

// Shutdown makes later exports fail with ErrShutdown, ends exports in
// flight (as the SDK's Stop does) and closes the idle connections of the
// exporter's own client. Later calls do nothing. It returns ctx's error
// when ctx is already done, as the SDK does.
func (e *Exporter) Shutdown(ctx context.Context) error { return e.c.shutdown(ctx) }

// Shutdown is [Exporter.Shutdown].
func (e *LogExporter) Shutdown(ctx context.Context) error { return e.c.shutdown(ctx) }
