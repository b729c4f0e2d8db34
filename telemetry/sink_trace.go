package telemetry

import (
	"context"
	"errors"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// spanSink is a sink for spans: the SDK's processor for SDK spans and,
// for a batch endpoint of sightline's OTLP exporters, a spanBatcher for
// leanspan spans (both export through the same exporter).
type spanSink struct {
	sinkBase
	proc sdktrace.SpanProcessor
	lean *spanBatcher // nil: the endpoint takes SDK spans only
}

// shutdownProcs flushes and stops the sink's span batcher, then its SDK
// processor, which shuts the exporter down.
func (s *spanSink) shutdownProcs(ctx context.Context) error {
	var errs []error
	if s.lean != nil {
		errs = append(errs, s.lean.shutdown(ctx))
	}
	return errors.Join(append(errs, s.proc.Shutdown(ctx))...)
}

// forceFlush exports what the sink's processors hold.
func (s *spanSink) forceFlush(ctx context.Context) error {
	var errs []error
	if s.lean != nil {
		errs = append(errs, s.lean.forceFlush(ctx))
	}
	return errors.Join(append(errs, s.proc.ForceFlush(ctx))...)
}

// genProcessor is the one span processor a traces generation's SDK
// provider holds. It hands each span to the shared sinks of the generation's
// endpoints (without shutting them down with the provider: the component
// does that when the last generation using a sink is gone), counts it, and
// only after every sink has taken an ended span lets the generation retire.
// One processor instead of one per sink keeps the SDK's per-span loop as
// short as a bare provider's.
type genProcessor struct {
	g       *generation
	sinks   []*spanSink
	started *atomic.Uint64
	ended   *atomic.Uint64
	live    *liveSet // the generation's in-flight announcer's; nil: none
}

func (p genProcessor) OnStart(ctx context.Context, s sdktrace.ReadWriteSpan) {
	p.started.Add(1)
	for _, k := range p.sinks {
		k.proc.OnStart(ctx, s)
	}
	if p.live != nil {
		p.live.add(s)
	}
}

func (p genProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	if s.SpanContext().IsSampled() {
		for _, k := range p.sinks {
			if k.admit(1) {
				k.proc.OnEnd(s)
			}
		}
	}
	p.ended.Add(1)
	p.g.release()
}

func (genProcessor) Shutdown(context.Context) error { return nil }

func (p genProcessor) ForceFlush(ctx context.Context) error {
	var errs []error
	for _, k := range p.sinks {
		errs = append(errs, k.proc.ForceFlush(ctx))
	}
	return errors.Join(errs...)
}

// countingSpanExporter counts what its sink's exporter does and reports
// failures to the process's diagnostics.
type countingSpanExporter struct {
	s     *sinkBase
	inner sdktrace.SpanExporter
	brk   *breaker[sdktrace.ReadOnlySpan] // simple processor, network endpoint
}

func (e *countingSpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return nil
	}
	if !e.s.beginExport(len(spans)) {
		return nil
	}
	if e.brk != nil {
		e.brk.export(ctx, spans)
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

// keepSpan is what the breaker keeps of an ended span: the span itself,
// which no longer changes.
func keepSpan(s sdktrace.ReadOnlySpan) sdktrace.ReadOnlySpan { return s }
