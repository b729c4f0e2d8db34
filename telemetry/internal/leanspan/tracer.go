package leanspan

import (
	"context"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
)

// Tracer starts [Span]s as an SDK tracer does (sdk/trace tracer.go Start,
// newSpan, newRecordingSpan), with its [Config]'s hooks in place of span
// processors. It is safe for concurrent use. Make one with [New].
type Tracer struct {
	embedded.Tracer

	cfg      Config
	provider *Provider
	norm     *normalizer
}

var _ trace.Tracer = (*Tracer)(nil)

// New returns a Tracer built from cfg, with the SDK's defaults for what cfg
// leaves zero (see [Config]).
func New(cfg Config) *Tracer {
	cfg = cfg.resolve()
	t := &Tracer{cfg: cfg, norm: newNormalizer(cfg.Limits)}
	t.provider = &Provider{base: t}
	return t
}

// Limits returns the span limits the Tracer applies, its Config's with the
// defaults filled in.
func (t *Tracer) Limits() sdktrace.SpanLimits { return t.cfg.Limits }

// Start starts a span named name and returns it with a context holding it.
//
// As the SDK: the parent is the span context in ctx (local or remote)
// unless trace.WithNewRoot is given; the trace id is the parent's or a new
// one; the span id is always new; the sampler sees the SDK's
// SamplingParameters, and its Drop makes a non-recording span that carries
// the new span context, RecordOnly a recording span without the sampled
// flag, RecordAndSample one with it; the sampler's attributes are set
// before the start options' ones; a span of this Tracer's kind in ctx
// counts the new span as a child (even with WithNewRoot, as the SDK).
func (t *Tracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	config := trace.NewSpanStartConfig(opts...)
	if ctx == nil {
		ctx = context.Background()
	}
	if p, ok := trace.SpanFromContext(ctx).(*Span); ok {
		p.addChild()
	}
	s := t.newSpan(ctx, name, &config)
	newCtx := trace.ContextWithSpan(ctx, s)
	if ls, ok := s.(*Span); ok && t.cfg.OnStart != nil {
		t.cfg.OnStart(ls)
	}
	return newCtx, s
}

// newSpan is the SDK's tracer.newSpan.
func (t *Tracer) newSpan(ctx context.Context, name string, config *trace.SpanConfig) trace.Span {
	var psc trace.SpanContext
	if config.NewRoot() {
		ctx = trace.ContextWithSpanContext(ctx, psc)
	} else {
		psc = trace.SpanContextFromContext(ctx)
	}

	var tid trace.TraceID
	var sid trace.SpanID
	if !psc.TraceID().IsValid() {
		tid, sid = t.cfg.IDGenerator.NewIDs(ctx)
	} else {
		tid = psc.TraceID()
		sid = t.cfg.IDGenerator.NewSpanID(ctx, tid)
	}

	sr := t.cfg.Sampler.ShouldSample(sdktrace.SamplingParameters{
		ParentContext: ctx,
		TraceID:       tid,
		Name:          name,
		Kind:          config.SpanKind(),
		Attributes:    config.Attributes(),
		Links:         config.Links(),
	})

	scc := trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceState: sr.Tracestate}
	if sr.Decision == sdktrace.RecordAndSample {
		scc.TraceFlags = psc.TraceFlags() | trace.FlagsSampled
	} else {
		scc.TraceFlags = psc.TraceFlags() &^ trace.FlagsSampled
	}
	sc := trace.NewSpanContext(scc)

	if sr.Decision != sdktrace.RecordOnly && sr.Decision != sdktrace.RecordAndSample {
		return &nonRecording{tracer: t, sc: sc}
	}

	start := config.Timestamp()
	if start.IsZero() {
		start = time.Now()
	}
	s := &Span{
		tracer: t,
		parent: psc,
		sc:     sc,
		kind:   trace.ValidateSpanKind(config.SpanKind()),
		name:   name,
		start:  start,
	}
	s.attrs = s.inline[:0]
	for _, l := range config.Links() {
		s.AddLink(l)
	}
	s.SetAttributes(sr.Attributes...)
	s.SetAttributes(config.Attributes()...)
	return s
}
