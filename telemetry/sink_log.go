package telemetry

import (
	"context"

	sdklog "go.opentelemetry.io/otel/sdk/log"
)

// logSink is a sink for log records.
type logSink struct {
	sinkBase
	proc sdklog.Processor
}

// logSinkRef is the log twin of spanSinkRef.
type logSinkRef struct{ s *logSink }

func (r logSinkRef) Enabled(ctx context.Context, p sdklog.EnabledParameters) bool {
	return r.s.proc.Enabled(ctx, p)
}

func (r logSinkRef) OnEmit(ctx context.Context, rec *sdklog.Record) error {
	if !r.s.admit(1) {
		return nil
	}
	return r.s.proc.OnEmit(ctx, rec)
}

func (r logSinkRef) Shutdown(context.Context) error { return nil }

func (r logSinkRef) ForceFlush(ctx context.Context) error { return r.s.proc.ForceFlush(ctx) }

// countingLogExporter counts what its sink's exporter does.
type countingLogExporter struct {
	s     *sinkBase
	inner sdklog.Exporter
	brk   *breaker[sdklog.Record] // simple processor, network endpoint
}

func (e *countingLogExporter) Export(ctx context.Context, recs []sdklog.Record) error {
	if len(recs) == 0 {
		return nil
	}
	if !e.s.beginExport(len(recs)) {
		return nil
	}
	if e.brk != nil {
		e.brk.export(ctx, recs)
		return nil
	}
	ctx, done := e.s.exportContext(ctx)
	err := e.inner.Export(ctx, recs)
	done()
	e.s.endExport(len(recs), err)
	// The error is counted and reported (rate-limited) here; returning it
	// would make the processor report it again through the global handler.
	return nil
}

func (e *countingLogExporter) Shutdown(ctx context.Context) error { return e.inner.Shutdown(ctx) }

func (e *countingLogExporter) ForceFlush(ctx context.Context) error { return e.inner.ForceFlush(ctx) }

// keepRecord is what the breaker keeps of a record past the export call: a
// copy sharing nothing with the SDK's, which the SDK reuses.
func keepRecord(r sdklog.Record) sdklog.Record { return r.Clone() }
