package leanspan

import (
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// The getters read what the SDK's snapshot of the span holds (snapshot.go,
// recordingSpan.snapshot): what its span processors and exporters see.

// Name returns the span's name.
func (s *Span) Name() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.name
}

// Parent returns the parent's span context; invalid for a root span.
func (s *Span) Parent() trace.SpanContext { return s.parent }

// SpanKind returns the span's kind (SpanKindInternal for an unknown kind).
func (s *Span) SpanKind() trace.SpanKind { return s.kind }

// StartTime returns when the span started.
func (s *Span) StartTime() time.Time { return s.start }

// EndTime returns when the span ended; the zero time while it records.
func (s *Span) EndTime() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.end
}

// Status returns the span's status.
func (s *Span) Status() sdktrace.Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Resource returns the Tracer's resource.
func (s *Span) Resource() *resource.Resource { return s.tracer.cfg.Resource }

// InstrumentationScope returns the Tracer's instrumentation scope.
func (s *Span) InstrumentationScope() instrumentation.Scope { return s.tracer.cfg.Scope }

// ChildSpanCount returns how many spans were started with this one as
// parent while it recorded.
func (s *Span) ChildSpanCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.children
}

// DroppedAttributes returns how many attributes were dropped (invalid, or
// past the count limit).
func (s *Span) DroppedAttributes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.droppedAttrs
}

// DroppedEvents returns how many events were dropped past the limit, or 0
// when the span keeps no event at all: the SDK's snapshot reports it so
// (recordingSpan.snapshot copies the count with the events only).
func (s *Span) DroppedEvents() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.read().events.items) == 0 {
		return 0
	}
	return s.read().events.dropped
}

// DroppedLinks returns how many links were dropped past the limit, or 0
// when the span keeps no link, as [Span.DroppedEvents].
func (s *Span) DroppedLinks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.read().links.items) == 0 {
		return 0
	}
	return s.read().links.dropped
}

// Attributes returns the span's attributes, each key once at the position
// it was first set with the value it was last set to; nil when none. The
// slice is the span's own, not to be changed: the span copies it before
// its next change.
func (s *Span) Attributes() []attribute.KeyValue {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readAttrs()
}

func (s *Span) readAttrs() []attribute.KeyValue {
	if len(s.attrs) == 0 {
		return nil
	}
	s.dedupeForRead()
	s.shared = true
	return s.attrs
}

// Events returns the span's events, oldest first; nil when none. Once the
// span has ended the slice is the span's own, not to be changed; before,
// it is a copy.
func (s *Span) Events() []sdktrace.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return readItems(s, s.read().events.items)
}

// Links returns the span's links as [Span.Events] returns events.
func (s *Span) Links() []sdktrace.Link {
	s.mu.Lock()
	defer s.mu.Unlock()
	return readItems(s, s.read().links.items)
}

// readItems returns items for a reader: nil when empty, the span's own
// once it has ended, a copy before. s.mu is held.
func readItems[T any](s *Span, items []T) []T {
	if len(items) == 0 {
		return nil
	}
	if !s.end.IsZero() {
		return items
	}
	return slices.Clone(items)
}

// Snapshot returns a copy of the span as the SDK's ReadOnlySpan, equal
// field for field to the snapshot the SDK hands its processors for the
// same calls. It is built with tracetest.SpanStub (the only way to make a
// ReadOnlySpan outside the SDK) and costs allocations; the encoding path
// is meant to read the getters instead.
func (s *Span) Snapshot() sdktrace.ReadOnlySpan {
	s.mu.Lock()
	defer s.mu.Unlock()
	stub := tracetest.SpanStub{
		Name:                 s.name,
		SpanContext:          s.sc,
		Parent:               s.parent,
		SpanKind:             s.kind,
		StartTime:            s.start,
		EndTime:              s.end,
		Attributes:           s.readAttrs(),
		Status:               s.status,
		DroppedAttributes:    s.droppedAttrs,
		ChildSpanCount:       s.children,
		Resource:             s.tracer.cfg.Resource,
		InstrumentationScope: s.tracer.cfg.Scope,
	}
	// SpanStub.Snapshot takes the deprecated InstrumentationLibrary
	// instead of a scope with no name, version or schema URL, which would
	// lose such a scope's attributes (the SDK never makes one, a Config
	// may): both say the same.
	stub.InstrumentationLibrary = s.tracer.cfg.Scope //lint:ignore SA1019 see above.
	if len(s.read().events.items) > 0 {
		stub.Events = slices.Clone(s.read().events.items)
		stub.DroppedEvents = s.read().events.dropped
	}
	if len(s.read().links.items) > 0 {
		stub.Links = slices.Clone(s.read().links.items)
		stub.DroppedLinks = s.read().links.dropped
	}
	return stub.Snapshot()
}
