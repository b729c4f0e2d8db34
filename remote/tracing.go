package remote

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/propagators"
	"github.com/sightline-dev/sightline/telemetry/topic"
)

// TracerName is the instrumentation scope of the spans this package (and
// the device host, remote/server) makes.
const TracerName = "github.com/sightline-dev/sightline/remote"

// Tracing is what a proxy's calls are traced with: the user and kernel
// topic tracers of one TracerProvider, and the propagator that carries the
// trace context in each request. Make it once (NewTracing) and reuse it:
// making tracers costs more than a call.
type Tracing struct {
	user, kernel trace.Tracer
	prop         propagation.TextMapPropagator
}

// NewTracing makes the Tracing of tp and prop. A nil tp means the global
// TracerProvider (which delegates to a provider installed later); a nil
// prop means the global propagator when something installed one, else W3C
// trace context and baggage (read now).
func NewTracing(tp trace.TracerProvider, prop propagation.TextMapPropagator) *Tracing {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	prop = propagators.OrDefault(prop)
	return &Tracing{
		user:   tp.Tracer(TracerName),
		kernel: tp.Tracer(TracerName, topic.Kernel.TracerOption()),
		prop:   prop,
	}
}

type tracingKey struct{}

// ContextWithTracing returns ctx carrying t: every proxy call made under
// it is traced with t instead of the proxy's own TracerProvider and
// propagator. A device server (remote/server) gives each command and
// attribute handler a context carrying the device's Tracing, so the calls a
// device makes to other devices are CLIENT spans of the calling device's
// own component, whichever proxy makes them. A nil t leaves ctx as it is.
func ContextWithTracing(ctx context.Context, t *Tracing) context.Context {
	if t == nil {
		return ctx
	}
	return context.WithValue(ctx, tracingKey{}, t)
}

// tracingFrom is the Tracing ctx carries, else def.
func tracingFrom(ctx context.Context, def *Tracing) *Tracing {
	if t, ok := ctx.Value(tracingKey{}).(*Tracing); ok {
		return t
	}
	return def
}

// User is the tracer of user-topic spans (one per call).
func (t *Tracing) User() trace.Tracer { return t.user }

// Kernel is the tracer of kernel-topic spans (encoding, transport,
// decoding, operation polls), recorded only when the provider's topics
// include kernel.
func (t *Tracing) Kernel() trace.Tracer { return t.kernel }

// Propagator carries the trace context in requests (and, on a server, out
// of them).
func (t *Tracing) Propagator() propagation.TextMapPropagator { return t.prop }
