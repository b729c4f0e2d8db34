package telemetry

import (
	"context"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// spanSink is a sink for spans.
type spanSink struct {
	sinkBase
	proc sdktrace.SpanProcessor
}

// spanSinkRef is what one generation's SDK provider holds: it forwards spans
// to the shared sink and does not shut the sink down with the provider (the
// component does that when the last generation using the sink is gone).
type spanSinkRef struct{ s *spanSink }

func (r spanSinkRef) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) { r.s.proc.OnStart(ctx, s) }

func (r spanSinkRef) OnEnd(s sdktrace.ReadOnlySpan) {
	if !s.SpanContext().IsSampled() || !r.s.admit(1) {
		return
	}
	r.s.proc.OnEnd(s)
}

func (r spanSinkRef) Shutdown(context.Context) error { return nil }

func (r spanSinkRef) ForceFlush(ctx context.Context) error { return r.s.proc.ForceFlush(ctx) }

// countingSpanExporter counts what its sink's exporter does and reports
// failures to the process's diagnostics.
type countingSpanExporter struct {
	s     *sinkBase
	inner sdktrace.SpanExporter
}

func (e *countingSpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return nil
	}
	if !e.s.beginExport(len(spans)) {
		return nil
	}
	ctx, done := e.s.exportContext(ctx)
	err := e.inner.ExportSpans(ctx, spans)
	done()
	e.s.endExport(len(spans), err)
	// The error is counted and reported (rate-limited) here; returning it
	// would make the processor report it again through the global handler.
	return nil
}

func (e *countingSpanExporter) Shutdown(ctx context.Context) error { return e.inner.Shutdown(ctx) }
