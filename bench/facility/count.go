package main

import (
	"context"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"
)

// countingProvider wraps a tracer provider and counts the recording spans
// its tracers start: the emitter paces itself by this count.
type countingProvider struct {
	trace.TracerProvider
	n *atomic.Int64
}

func (p countingProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return countingTracer{Tracer: p.TracerProvider.Tracer(name, opts...), n: p.n}
}

// countingTracer counts the recording spans it starts.
type countingTracer struct {
	trace.Tracer
	n *atomic.Int64
}

func (t countingTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	ctx, span := t.Tracer.Start(ctx, name, opts...)
	if span.IsRecording() {
		t.n.Add(1)
	}
	return ctx, span
}
