package leanspan

import (
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
)

// defaultTracerName is the scope name the SDK gives an unnamed tracer
// (sdk/trace provider.go).
const defaultTracerName = "go.opentelemetry.io/otel/sdk/tracer"

// Provider is what a span's TracerProvider method returns: tracers on the
// same configuration and hooks as the span's, under the scope that
// Tracer's arguments name.
type Provider struct {
	embedded.TracerProvider

	base *Tracer
}

var _ trace.TracerProvider = (*Provider)(nil)

// NewProvider returns a provider of tracers built from cfg (see [New]):
// each [Provider.Tracer] has cfg with its own scope. It is what an SDK
// TracerProvider is to its tracers, without the tracer cache.
func NewProvider(cfg Config) *Provider { return New(cfg).provider }

// Tracer returns a Tracer with p's configuration and the scope named by
// name (the SDK's default name when empty) and opts. Unlike the SDK's,
// scope attributes are kept as given (not depth-normalised) and tracers
// are not cached.
func (p *Provider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	c := trace.NewTracerConfig(opts...)
	if name == "" {
		name = defaultTracerName
	}
	cfg := p.base.cfg
	cfg.Scope = instrumentation.Scope{
		Name:       name,
		Version:    c.InstrumentationVersion(),
		SchemaURL:  c.SchemaURL(),
		Attributes: c.InstrumentationAttributes(),
	}
	t := &Tracer{cfg: cfg, norm: p.base.norm}
	t.provider = &Provider{base: t}
	return t
}
