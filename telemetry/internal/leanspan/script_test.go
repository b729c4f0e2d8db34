package leanspan_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
)

// side is one implementation running a script: the SDK or leanspan.
type side struct {
	tracer trace.Tracer
	spans  []trace.Span
	ctxs   []context.Context
	seen   []any // observations made while the script runs
}

// step is one operation of a script, applied to both sides alike.
type step struct {
	desc string
	do   func(*side)
}

var t0 = time.Unix(1_700_000_000, 0).UTC()

type myErr struct{ code int }

func (e myErr) Error() string { return fmt.Sprintf("my error %d", e.code) }

// script draws n steps. explicit says whether times are passed everywhere.
func script(g gen, n int, explicit bool) []step {
	var steps []step
	started := 0
	ts := func() time.Time { return t0.Add(time.Duration(g.r.IntN(1e9))) }
	pick := func() int { return g.r.IntN(started) }
	for range n {
		op := g.r.IntN(16)
		if started == 0 || op < 3 {
			steps = append(steps, startStep(g, started, explicit, ts))
			started++
			continue
		}
		i := pick()
		switch op {
		case 3, 4:
			attrs := g.attrs(6)
			if g.wide {
				attrs = g.attrs(50)
			}
			steps = append(steps, step{fmt.Sprintf("span %d SetAttributes %v", i, attrs), func(s *side) {
				s.spans[i].SetAttributes(attrs...)
			}})
		case 5, 14, 15:
			name, attrs := g.str(), g.attrs(5)
			opts := []trace.EventOption{trace.WithAttributes(attrs...)}
			if explicit {
				opts = append(opts, trace.WithTimestamp(ts()))
			}
			steps = append(steps, step{fmt.Sprintf("span %d AddEvent %q %v", i, name, attrs), func(s *side) {
				s.spans[i].AddEvent(name, opts...)
			}})
		case 6:
			l := trace.Link{SpanContext: g.spanContext(g.r.IntN(2) == 0), Attributes: g.attrs(4)}
			steps = append(steps, step{fmt.Sprintf("span %d AddLink %v", i, l), func(s *side) {
				s.spans[i].AddLink(l)
			}})
		case 7:
			errs := []error{nil, errors.New("boom"), fmt.Errorf("wrapped: %w", errors.New("inner")), myErr{7}}
			err := errs[g.r.IntN(len(errs))]
			opts := []trace.EventOption{trace.WithAttributes(g.attrs(3)...)}
			if g.r.IntN(3) == 0 {
				opts = append(opts, trace.WithStackTrace(true))
			}
			if explicit {
				opts = append(opts, trace.WithTimestamp(ts()))
			}
			steps = append(steps, step{fmt.Sprintf("span %d RecordError %v", i, err), func(s *side) {
				s.spans[i].RecordError(err, opts...)
			}})
		case 8:
			code, desc := codes.Code(g.r.IntN(3)), g.str()
			steps = append(steps, step{fmt.Sprintf("span %d SetStatus %v %q", i, code, desc), func(s *side) {
				s.spans[i].SetStatus(code, desc)
			}})
		case 9:
			name := g.str()
			steps = append(steps, step{fmt.Sprintf("span %d SetName %q", i, name), func(s *side) {
				s.spans[i].SetName(name)
			}})
		case 10, 11:
			steps = append(steps, endStep(g, i, explicit, ts))
		case 12:
			steps = append(steps, step{fmt.Sprintf("span %d read", i), func(s *side) {
				s.seen = append(s.seen, observe(s.spans[i]))
			}})
		default:
			var val any = "panic text"
			if g.r.IntN(2) == 0 {
				val = myErr{g.r.IntN(9)}
			}
			opts := []trace.SpanEndOption{trace.WithStackTrace(g.r.IntN(2) == 0)}
			if explicit {
				opts = append(opts, trace.WithTimestamp(ts()))
			}
			steps = append(steps, step{fmt.Sprintf("span %d End while panicking %v", i, val), func(s *side) {
				s.seen = append(s.seen, endPanicking(s.spans[i], val, opts))
			}})
		}
	}
	return steps
}

func startStep(g gen, i int, explicit bool, ts func() time.Time) step {
	var opts []trace.SpanStartOption
	kind := trace.SpanKind(g.r.IntN(7)) // 6: not a kind
	opts = append(opts, trace.WithSpanKind(kind))
	if g.r.IntN(2) == 0 {
		opts = append(opts, trace.WithAttributes(g.attrs(5)...))
	}
	for range g.r.IntN(3) {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: g.spanContext(true), Attributes: g.attrs(3)}))
	}
	if explicit {
		opts = append(opts, trace.WithTimestamp(ts()))
	}
	name := g.str()
	parent, newRoot, hasRemote := -1, false, false
	var remote trace.SpanContext
	switch r := g.r.IntN(4); {
	case r == 0 || i == 0:
		remote, hasRemote = g.spanContext(true), true
	case r == 1:
		parent = g.r.IntN(i)
	case r == 2:
		parent, newRoot = g.r.IntN(i), true
		opts = append(opts, trace.WithNewRoot())
	}
	desc := fmt.Sprintf("start %d %q kind %v parent %d newRoot %v remote %v", i, name, kind, parent, newRoot, remote)
	return step{desc, func(s *side) {
		ctx := context.Background()
		switch {
		case parent >= 0:
			ctx = s.ctxs[parent]
		case hasRemote:
			ctx = trace.ContextWithRemoteSpanContext(ctx, remote)
		}
		ctx, sp := s.tracer.Start(ctx, name, opts...)
		s.ctxs = append(s.ctxs, ctx)
		s.spans = append(s.spans, sp)
		s.seen = append(s.seen, sp.SpanContext(), sp.IsRecording())
	}}
}

func endStep(g gen, i int, explicit bool, ts func() time.Time) step {
	var opts []trace.SpanEndOption
	if explicit {
		opts = append(opts, trace.WithTimestamp(ts()))
	}
	if g.r.IntN(4) == 0 {
		opts = append(opts, trace.WithStackTrace(true))
	}
	return step{fmt.Sprintf("span %d End", i), func(s *side) {
		s.spans[i].End(opts...)
		s.seen = append(s.seen, s.spans[i].IsRecording())
	}}
}

// endPanicking ends sp from a defer while a panic is in flight and returns
// what reached the outer recover.
func endPanicking(sp trace.Span, val any, opts []trace.SpanEndOption) (got any) {
	defer func() { got = recover() }()
	defer sp.End(opts...)
	panic(val)
}

// live is what a reader sees of a span before it ends.
type live struct {
	Recording         bool
	Name              string
	Attributes        []attribute.KeyValue
	Events            []sdktrace.Event
	Status            sdktrace.Status
	ChildSpanCount    int
	DroppedAttributes int
}

// reader is what both the SDK's recording span and leanspan.Span offer.
type reader interface {
	Name() string
	Attributes() []attribute.KeyValue
	Events() []sdktrace.Event
	Status() sdktrace.Status
	ChildSpanCount() int
	DroppedAttributes() int
}

var _ reader = (*leanspan.Span)(nil)

func observe(sp trace.Span) live {
	r, ok := sp.(reader)
	if !ok {
		return live{Recording: sp.IsRecording()}
	}
	l := live{
		Recording: sp.IsRecording(), Name: r.Name(), Attributes: r.Attributes(), Events: r.Events(),
		Status: r.Status(), ChildSpanCount: r.ChildSpanCount(), DroppedAttributes: r.DroppedAttributes(),
	}
	if len(l.Attributes) == 0 {
		l.Attributes = nil
	}
	if len(l.Events) == 0 {
		l.Events = nil
	}
	return l
}
