package otlp

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// signal is a kind of telemetry.
type signal int

const (
	signalTraces signal = iota
	signalLogs
	signalMetrics
)

func (s signal) String() string {
	switch s {
	case signalTraces:
		return "traces"
	case signalLogs:
		return "logs"
	default:
		return "metrics"
	}
}

// itemName is what the signal's items are called in messages.
func (s signal) itemName() string {
	switch s {
	case signalTraces:
		return "spans"
	case signalLogs:
		return "log records"
	default:
		return "data points"
	}
}

// counters returns the counters of a supported signal.
func (r *Receiver) countersOf(s signal) *signalCounters {
	if s == signalLogs {
		return &r.counters.logs
	}
	return &r.counters.traces
}

// storeFunc hands a decoded request to the sink.
type storeFunc func(ctx context.Context) (rejected int, message string, err error)

// export runs a decoded request of items through admission and the sink,
// counting every item. It returns the partial success to answer (rejected
// 0 and message "" is full success) or an *exportError.
func (r *Receiver) export(ctx context.Context, sig signal, tr transport, items int, store storeFunc) (rejected int, message string, err error) {
	c := r.countersOf(sig)
	c.received.Add(int64(items))

	ctx, span := r.tracer.Start(ctx, "otlp.export "+sig.String(),
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(
			attribute.String("otlp.signal", sig.String()),
			attribute.String("otlp.transport", tr.String()),
			attribute.Int("otlp.items", items),
		))
	defer span.End()

	rejected, message, err = r.admitAndStore(ctx, sig, items, store)
	if err != nil {
		var e *exportError
		if errors.As(err, &e) {
			c.refuse(e.why, items)
			span.SetAttributes(attribute.String("otlp.refused", e.why.String()))
		}
		span.SetStatus(otelcodes.Error, err.Error())
		return 0, "", err
	}
	c.stored.Add(int64(items - rejected))
	c.rejected.Add(int64(rejected))
	if rejected > 0 {
		span.SetAttributes(attribute.Int("otlp.rejected", rejected))
	}
	return rejected, message, nil
}

// admitAndStore admits items, calls the sink and releases the items once
// the sink returned.
func (r *Receiver) admitAndStore(ctx context.Context, sig signal, items int, store storeFunc) (int, string, error) {
	if items > r.cfg.MaxInFlightItems {
		return 0, "", refuseErr(failTooLarge, reasonTooLarge,
			"request carries %d %s, over the limit of %d in flight: send smaller batches", items, sig.itemName(), r.cfg.MaxInFlightItems)
	}
	if items == 0 {
		// Nothing to store: an empty request is a success (spec: Full Success).
		return 0, "", nil
	}
	if !r.admission.admit(items) {
		return 0, "", refuseErr(failQueueFull, reasonQueueFull,
			"receiver is busy: %d items in flight, %d more would exceed the limit of %d; retry after %v",
			r.admission.inFlight(), items, r.cfg.MaxInFlightItems, r.cfg.RetryAfter)
	}
	defer r.admission.release(items)

	rejected, message, err := r.callSink(ctx, store)
	if err != nil {
		var p *sinkPanic
		switch {
		case errors.As(err, &p):
			r.logger.ErrorContext(ctx, "otlp: sink panicked", "signal", sig.String(), "panic", fmt.Sprint(p.value))
			return 0, "", refuseErr(failInternal, reasonSinkError, "store %s: %w", sig, err)
		case errors.Is(err, ErrForwardQueueFull):
			return 0, "", refuseErr(failQueueFull, reasonForwardQueueFull, "store %s: %w; retry after %v", sig, err, r.cfg.RetryAfter)
		case ctx.Err() != nil:
			return 0, "", refuseErr(failUnavailable, reasonCanceled, "store %s: canceled: %w", sig, err)
		default:
			return 0, "", refuseErr(failUnavailable, reasonSinkError, "store %s: %w", sig, err)
		}
	}
	rejected = min(max(rejected, 0), items)
	message = validUTF8(message)
	if rejected > 0 && message == "" {
		message = fmt.Sprintf("%d of %d %s rejected by the store", rejected, items, sig.itemName())
	}
	return rejected, message, nil
}

// sinkPanic is a panic of the sink, recovered.
type sinkPanic struct{ value any }

func (p *sinkPanic) Error() string { return fmt.Sprintf("sink panicked: %v", p.value) }

// callSink calls store, turning a panic into a *sinkPanic error.
func (r *Receiver) callSink(ctx context.Context, store storeFunc) (rejected int, message string, err error) {
	defer func() {
		if v := recover(); v != nil {
			rejected, message, err = 0, "", &sinkPanic{value: v}
		}
	}()
	return store(ctx)
}
