package leanspan

import (
	"fmt"
	"reflect"
	"runtime"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// queue is a FIFO bounded by capacity that drops its oldest item to take a
// new one, counting the drop (the SDK's evictedQueue, evictedqueue.go). A
// capacity of 0 drops every item; below 0 means no bound.
type queue[T any] struct {
	items   []T
	dropped int
}

func (q *queue[T]) add(capacity int, v T) {
	if capacity == 0 {
		q.dropped++
		return
	}
	if capacity > 0 && len(q.items) == capacity {
		copy(q.items[:capacity-1], q.items[1:])
		q.items = q.items[:capacity-1]
		q.dropped++
	}
	q.items = append(q.items, v)
}

// extras holds what most spans do not have, so that they do not carry its
// room: events and links.
type extras struct {
	events queue[sdktrace.Event]
	links  queue[sdktrace.Link]
}

// none is the extras of a span without any; never written.
var none extras

// extra returns s's extras for writing, made on first use; s.mu is held.
func (s *Span) extra() *extras {
	if s.ext == nil {
		s.ext = new(extras)
	}
	return s.ext
}

// read returns s's extras for reading; s.mu is held.
func (s *Span) read() *extras {
	if s.ext == nil {
		return &none
	}
	return s.ext
}

// AddEvent adds an event named name with the options' attributes and time
// (now when none is given). Its attributes are kept as given except that
// slice and map values are normalised (no length cut, as the SDK); past
// AttributePerEventCountLimit the last ones are dropped and counted in the
// event. Past EventCountLimit the oldest event is dropped and counted.
func (s *Span) AddEvent(name string, options ...trace.EventOption) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.end.IsZero() {
		s.addEvent(name, options...)
	}
}

// addEvent is the SDK's recordingSpan.addEvent; s.mu is held.
func (s *Span) addEvent(name string, options ...trace.EventOption) {
	c := trace.NewEventConfig(options...)
	e := sdktrace.Event{Name: name, Attributes: s.tracer.norm.list(c.Attributes()), Time: c.Timestamp()}
	limit := s.tracer.cfg.Limits.AttributePerEventCountLimit
	if limit == 0 {
		e.DroppedAttributeCount = len(e.Attributes)
		e.Attributes = nil
	} else if limit > 0 && len(e.Attributes) > limit {
		e.DroppedAttributeCount = len(e.Attributes) - limit
		e.Attributes = e.Attributes[:limit]
	}
	s.extra().events.add(s.tracer.cfg.Limits.EventCountLimit, e)
}

// AddLink adds a link. A link with an invalid span context, no attributes
// and no trace state is ignored, as the SDK; others are kept, their
// attributes as for events (AttributePerLinkCountLimit), the oldest link
// dropped and counted past LinkCountLimit.
func (s *Span) AddLink(link trace.Link) {
	if !link.SpanContext.IsValid() && len(link.Attributes) == 0 &&
		link.SpanContext.TraceState().Len() == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.end.IsZero() {
		return
	}
	l := sdktrace.Link{SpanContext: link.SpanContext, Attributes: s.tracer.norm.list(link.Attributes)}
	limit := s.tracer.cfg.Limits.AttributePerLinkCountLimit
	if limit == 0 {
		l.DroppedAttributeCount = len(l.Attributes)
		l.Attributes = nil
	} else if limit > 0 && len(l.Attributes) > limit {
		l.DroppedAttributeCount = len(l.Attributes) - limit
		l.Attributes = l.Attributes[:limit]
	}
	s.extra().links.add(s.tracer.cfg.Limits.LinkCountLimit, l)
}

// RecordError adds an "exception" event for a non-nil err with the SDK's
// attributes: the options' ones, then exception.type (the Go type:
// "pkg/path.Name", or the type's text for unnamed types such as
// *errors.errorString) and exception.message (err.Error()), then
// exception.stacktrace under trace.WithStackTrace(true). The status is not
// changed.
func (s *Span) RecordError(err error, options ...trace.EventOption) {
	if err == nil || !s.IsRecording() {
		return
	}
	options = append(options, trace.WithAttributes(
		semconv.ExceptionType(typeStr(err)),
		semconv.ExceptionMessage(err.Error()),
	))
	c := trace.NewEventConfig(options...)
	if c.StackTrace() {
		options = append(options, trace.WithAttributes(
			semconv.ExceptionStacktrace(recordStackTrace()),
		))
	}
	s.AddEvent(semconv.ExceptionEventName, options...)
}

// typeStr is the SDK's exception.type of a value.
func typeStr(i any) string {
	t := reflect.TypeOf(i)
	if t.PkgPath() == "" && t.Name() == "" {
		return t.String()
	}
	return fmt.Sprintf("%s.%s", t.PkgPath(), t.Name())
}

// recordStackTrace is the SDK's: the calling goroutine's stack, at most
// 2,048 bytes of it.
func recordStackTrace() string {
	buf := make([]byte, 2048)
	n := runtime.Stack(buf, false)
	return string(buf[:n])
}
