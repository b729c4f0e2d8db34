package leanspan

import (
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Config is what a [Tracer] is built from: what an SDK TracerProvider and
// one of its tracers hold (sdk/trace provider.go tracerProviderConfig,
// tracer.go), plus the hooks that replace span processors.
type Config struct {
	// Sampler decides at Start whether a span records and is sampled, as
	// the SDK's sampler does. Nil means sdktrace.ParentBased(
	// sdktrace.AlwaysSample()), the SDK's default (without the SDK's
	// reading of OTEL_TRACES_SAMPLER, which the caller does).
	Sampler sdktrace.Sampler
	// Resource is the resource of every span. Nil means
	// resource.Default(), as the SDK.
	Resource *resource.Resource
	// Scope is the instrumentation scope of every span. The zero value is
	// an empty scope (the SDK names an unnamed tracer
	// "go.opentelemetry.io/otel/sdk/tracer"; [Provider.Tracer] does too).
	Scope instrumentation.Scope
	// Limits bound a span's attributes, events and links, with the SDK's
	// meaning for every field (sdk/trace span_limits.go). The zero value
	// means sdktrace.NewSpanLimits() (defaults, and the OTEL_*_LIMIT
	// variables). Any other value is used as given, as the SDK's
	// WithRawSpanLimits does, except that an AttributeValueDepthLimit of 0
	// means the default 64, as the SDK's provider does.
	Limits sdktrace.SpanLimits
	// IDGenerator makes trace and span ids. Nil means random ids, as the
	// SDK's default generator makes them.
	IDGenerator sdktrace.IDGenerator
	// DisablePanicRecording, when true, stops End from adding an exception
	// event for a panic in flight (the SDK's
	// WithoutPanicRecording option). False records it, as the SDK
	// does by default.
	DisablePanicRecording bool
	// OnStart, when not nil, is called with every recording span once it
	// has started, on the caller's goroutine (where the SDK calls its
	// processors' OnStart).
	OnStart func(*Span)
	// OnEnd, when not nil, is called once with every recording span that
	// ends, after it has ended, on the goroutine that ended it (where the
	// SDK calls its processors' OnEnd). The span no longer changes; its
	// getters read it without a copy.
	OnEnd func(*Span)
}

// resolve returns c with the SDK's defaults filled in.
func (c Config) resolve() Config {
	if c.Sampler == nil {
		c.Sampler = sdktrace.ParentBased(sdktrace.AlwaysSample())
	}
	if c.Resource == nil {
		c.Resource = resource.Default()
	}
	if c.Limits == (sdktrace.SpanLimits{}) {
		c.Limits = sdktrace.NewSpanLimits()
	}
	if c.Limits.AttributeValueDepthLimit == 0 {
		c.Limits.AttributeValueDepthLimit = sdktrace.DefaultAttributeValueDepthLimit
	}
	if c.IDGenerator == nil {
		c.IDGenerator = randomIDs{}
	}
	return c
}
