package otlpenc_test

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
)

// leanBatch ends between 1 and 24 spans through leanspan Tracers of 1 to 3
// resources (each with its span limits; equal attribute sets under two
// resources happen too) and up to 3 scopes each, with a random script of
// leanspan's public calls on each span (SetAttributes, AddEvent, AddLink,
// SetStatus, RecordError, SetName, End with and without a time), and
// returns them in the order they ended, as an OnEnd hands them over, with
// a nil span here and there.
func (g gen) leanBatch() []*leanspan.Span {
	var ended []*leanspan.Span
	onEnd := func(s *leanspan.Span) {
		if g.c.intn(8) == 0 {
			ended = append(ended, nil)
		}
		ended = append(ended, s)
	}
	var tracers []trace.Tracer
	for range 1 + g.c.intn(3) {
		res := resource.NewWithAttributes([]string{"", "https://a/1", "https://a/2"}[g.c.intn(3)], g.attrs(0, 6)...)
		limits := g.limits()
		for range 1 + g.c.intn(3) {
			scope := instrumentation.Scope{Name: g.word(), Version: g.word(),
				SchemaURL: []string{"", "https://s/1"}[g.c.intn(2)], Attributes: attribute.NewSet(g.attrs(0, 3)...)}
			tracers = append(tracers, leanspan.New(leanspan.Config{Sampler: sampler{}, Resource: res,
				Scope: scope, Limits: limits, OnEnd: onEnd}))
		}
	}
	var open []trace.Span
	for range 1 + g.c.intn(24) {
		s := g.start(tracers, open)
		for range g.c.intn(6) {
			g.leanStep(s)
		}
		open = append(open, s)
		if g.bool() {
			j := g.c.intn(len(open))
			g.end(open[j])
			open = append(open[:j], open[j+1:]...)
		}
	}
	for _, s := range open {
		g.end(s)
	}
	return ended
}

// leanStep makes one random call that changes s.
func (g gen) leanStep(s trace.Span) {
	switch g.c.intn(6) {
	case 0:
		s.SetAttributes(g.attrs(0, 5)...)
	case 1:
		s.AddEvent(g.word(), trace.WithTimestamp(g.time()), trace.WithAttributes(g.attrs(0, 5)...))
	case 2:
		s.AddLink(trace.Link{SpanContext: g.spanContext(g.bool()), Attributes: g.attrs(0, 4)})
	case 3:
		s.SetStatus([]codes.Code{codes.Unset, codes.Ok, codes.Error}[g.c.intn(3)], g.word())
	case 4:
		errs := []error{nil, errors.New("boom"), fmt.Errorf("wrapped: %w", errors.New("inner"))}
		s.RecordError(errs[g.c.intn(len(errs))], trace.WithTimestamp(g.time()),
			trace.WithAttributes(g.attrs(0, 3)...), trace.WithStackTrace(g.c.intn(4) == 0))
	default:
		s.SetName(g.word())
	}
}

// end ends s at a random time, or now.
func (g gen) end(s trace.Span) {
	if g.c.intn(4) == 0 {
		s.End()
		return
	}
	s.End(trace.WithTimestamp(g.time()))
}
