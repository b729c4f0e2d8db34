package telemetry

import (
	"context"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
	"github.com/sightline-dev/sightline/telemetry/topic"
)

// state is what the span and log hot paths read: one atomic load gives the
// gates and the current generations. Writers build a new state under the
// component's mutex and store it; readers never lock.
type state struct {
	enabled bool
	tracing bool
	logging bool
	topics  Topics
	traces  *generation // nil: no span endpoints (none) or not built yet
	logs    *generation
}

func (s *state) spansOn(kernel bool) bool {
	if !s.enabled || !s.tracing || s.traces == nil {
		return false
	}
	if kernel {
		return s.topics.Kernel
	}
	return s.topics.User
}

// tracerProvider is the component's one stable TracerProvider. Its tracers
// follow every runtime change.
type tracerProvider struct {
	embedded.TracerProvider
	c *Component
}

// Tracer returns a tracer whose topic comes from the tracer options
// (topic.Kernel.TracerOption()); without one it is a user tracer.
func (p *tracerProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	cfg := trace.NewTracerConfig(opts...)
	return &tracer{c: p.c, name: name, opts: opts, kernel: topic.Of(cfg.InstrumentationAttributes()) == topic.Kernel}
}

type tracer struct {
	embedded.Tracer
	c      *Component
	name   string
	opts   []trace.TracerOption
	kernel bool
	cache  atomic.Pointer[genTracer]
	// lastOff is the non-recording child last handed out under a recording
	// parent: gated-off spans under one parent (kernel spans under a run)
	// share it instead of allocating one each.
	lastOff atomic.Pointer[offChild]
}

// genTracer is the SDK or leanspan tracer of one generation.
type genTracer struct {
	g *generation
	t trace.Tracer
}

// Start starts a span in the current generation, or, when the component,
// tracing or the tracer's topic is off, returns a non-recording span that
// carries the caller's span context on, so propagation survives.
func (t *tracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	for {
		st := t.c.state.Load()
		if !st.spansOn(t.kernel) {
			return t.offSpan(ctx)
		}
		g := st.traces
		if !g.acquire() {
			continue // closed under us: a newer state is already stored
		}
		gt := t.cache.Load()
		if gt == nil || gt.g != g {
			gt = &genTracer{g: g, t: g.tracer(t.name, t.opts)}
			t.cache.Store(gt)
		}
		ctx, span := gt.t.Start(ctx, name, opts...)
		// The SDK returns a ReadOnlySpan exactly when it records, leanspan
		// a *leanspan.Span; asking IsRecording would take the span's lock.
		if !recording(span) {
			g.release() // sampled out: no OnEnd will come
		}
		return ctx, span
	}
}

// recording reports whether a span just started by an SDK or leanspan
// tracer records.
func recording(span trace.Span) bool {
	if _, ok := span.(*leanspan.Span); ok {
		return true
	}
	_, ok := span.(sdktrace.ReadOnlySpan)
	return ok
}

// offSpan is the off path. With no recording span in ctx it returns ctx and
// the span already there (the parent's non-recording span, or none). Under
// a recording parent it returns ctx unchanged (what is started from it is
// the parent's child, and outgoing calls carry the parent's context) and a
// non-recording span with the parent's context, so ending it cannot end the
// parent: a lean parent's stand-in, which costs nothing, or an offChild
// kept for the last SDK parent. Neither allocates in the steady state.
func (t *tracer) offSpan(ctx context.Context) (context.Context, trace.Span) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return ctx, parent
	}
	if ls, ok := parent.(*leanspan.Span); ok {
		return ctx, ls.StandIn()
	}
	sc := parent.SpanContext()
	if c := t.lastOff.Load(); c != nil && c.sc.SpanID() == sc.SpanID() && c.sc.TraceID() == sc.TraceID() {
		return ctx, c
	}
	c := &offChild{sc: sc}
	t.lastOff.Store(c)
	return ctx, c
}

// offChild is a non-recording span standing in for a gated-off child of a
// recording span.
type offChild struct {
	noop.Span
	sc trace.SpanContext
}

func (c *offChild) SpanContext() trace.SpanContext { return c.sc }
