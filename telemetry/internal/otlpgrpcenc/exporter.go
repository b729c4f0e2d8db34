package otlpgrpcenc

import (
	"context"
	"errors"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

var _ sdktrace.SpanExporter = (*Exporter)(nil)

// Exporter sends spans as OTLP/gRPC ExportTraceServiceRequests encoded by
// otlpenc. It is safe for concurrent use.
type Exporter struct {
	c *client
}

// New returns a span exporter for cfg, or an error naming the setting
// that cannot be used (see [Config.Validate]). It does not connect: the connection is made by the first
// export, as grpc.NewClient does.
func New(cfg Config) (*Exporter, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	return &Exporter{c: c}, nil
}

// ExportSpans sends spans as one ExportTraceServiceRequest, retrying as
// configured within the export timeout. It returns an error naming the
// method, the target and the last status when the call fails for good, a
// [*otlpretry.PartialSuccessError] when the server accepted the request but
// rejected spans or sent a warning, and [ErrShutdown] after Shutdown. An
// empty batch sends nothing.
func (e *Exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e.c.closed.Load() {
		return ErrShutdown
	}
	if len(spans) == 0 {
		return nil
	}
	b := getBuffers(&e.c.pool)
	defer b.release()
	b.raw = b.spans.AppendTraces(b.raw[:0], spans)
	if len(b.raw) == 0 {
		return nil // only nil spans
	}
	return e.c.export(ctx, methodTraces, otlpretry.KindSpans, len(spans), b)
}

// NewSpanBatch returns an empty batch of the kind ExportSpanBatch sends
// (protobuf).
func (e *Exporter) NewSpanBatch() *otlpenc.SpanBatch { return new(otlpenc.SpanBatch) }

// ExportSpanBatch is [Exporter.ExportSpans] for sightline's own spans
// (telemetry/internal/leanspan), encoded as they ended into batch (made by
// NewSpanBatch): the same request, the same retries and errors. batch is
// not changed.
func (e *Exporter) ExportSpanBatch(ctx context.Context, batch *otlpenc.SpanBatch) error {
	if batch.JSON() {
		return errors.New("otlpgrpcenc: an OTLP-JSON span batch given to the gRPC exporter")
	}
	if e.c.closed.Load() {
		return ErrShutdown
	}
	if batch.Len() == 0 {
		return nil
	}
	b := getBuffers(&e.c.pool)
	defer b.release()
	b.raw = b.spans.AppendSpanBatch(b.raw[:0], batch)
	return e.c.export(ctx, methodTraces, otlpretry.KindSpans, batch.Len(), b)
}

// ForceFlush does nothing: the exporter holds no spans between exports.
func (e *Exporter) ForceFlush(context.Context) error { return nil }

// Shutdown makes later exports fail with ErrShutdown, ends exports in
// flight and closes the connection. Later calls do nothing. It returns
// ctx's error when ctx is already done, as the SDK does.
func (e *Exporter) Shutdown(ctx context.Context) error { return e.c.shutdown(ctx) }
