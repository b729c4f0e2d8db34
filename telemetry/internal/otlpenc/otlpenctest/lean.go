package otlpenctest

import (
	"context"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
)

// Lean replays spans through leanspan Tracers of the same resource and
// scope (name, kind, start time, links, attributes, events, status and
// end time; not ids or parents) and returns the ended leanspan spans in
// order. Their Snapshots are what the SDK's exporters are compared on.
func Lean(spans []sdktrace.ReadOnlySpan) []*leanspan.Span {
	var ended []*leanspan.Span
	byScope := map[any]*leanspan.Tracer{}
	for _, sd := range spans {
		key := [2]any{sd.Resource(), sd.InstrumentationScope()}
		t := byScope[key]
		if t == nil {
			t = leanspan.New(leanspan.Config{Sampler: sdktrace.AlwaysSample(), Resource: sd.Resource(),
				Scope: sd.InstrumentationScope(), OnEnd: func(s *leanspan.Span) { ended = append(ended, s) }})
			byScope[key] = t
		}
		opts := []trace.SpanStartOption{trace.WithSpanKind(sd.SpanKind()), trace.WithTimestamp(sd.StartTime()),
			trace.WithAttributes(sd.Attributes()...)}
		for _, l := range sd.Links() {
			opts = append(opts, trace.WithLinks(trace.Link{SpanContext: l.SpanContext, Attributes: l.Attributes}))
		}
		_, s := t.Start(context.Background(), sd.Name(), opts...)
		for _, e := range sd.Events() {
			s.AddEvent(e.Name, trace.WithTimestamp(e.Time), trace.WithAttributes(e.Attributes...))
		}
		s.SetStatus(sd.Status().Code, sd.Status().Description)
		s.End(trace.WithTimestamp(sd.EndTime()))
	}
	return ended
}

// Snapshots are the ReadOnlySpans the SDK would hand its exporters for
// spans (nil for a nil span).
func Snapshots(spans []*leanspan.Span) []sdktrace.ReadOnlySpan {
	out := make([]sdktrace.ReadOnlySpan, len(spans))
	for i, s := range spans {
		if s != nil {
			out[i] = s.Snapshot()
		}
	}
	return out
}
