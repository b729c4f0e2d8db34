package console

import (
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// span appends s as OpenTelemetry Python's ReadableSpan.to_json prints it:
// name, context, kind, parent_id, start_time, end_time, status, attributes,
// events, links, resource, in that order.
func (e *encoder) span(s sdktrace.ReadOnlySpan, cache *resourceCache) {
	e.openObject()

	e.field(0, `"name"`)
	e.str(s.Name())

	e.field(1, `"context"`)
	e.spanContext(s.SpanContext())

	e.field(2, `"kind"`)
	e.raw(spanKindName(s.SpanKind()))

	e.field(3, `"parent_id"`)
	if p := s.Parent(); p.HasSpanID() {
		sid := p.SpanID()
		e.buf = appendHexID(e.buf, sid[:])
	} else {
		e.null()
	}

	e.field(4, `"start_time"`)
	e.buf = appendTime(e.buf, s.StartTime())
	e.field(5, `"end_time"`)
	e.buf = appendTime(e.buf, s.EndTime())

	e.field(6, `"status"`)
	e.status(s.Status())

	e.field(7, `"attributes"`)
	e.attributes(s.Attributes())

	e.field(8, `"events"`)
	events := s.Events()
	e.openArray()
	for i := range events {
		ev := &events[i]
		e.item(i)
		e.openObject()
		e.field(0, `"name"`)
		e.str(ev.Name)
		e.field(1, `"timestamp"`)
		e.buf = appendTime(e.buf, ev.Time)
		e.field(2, `"attributes"`)
		e.attributes(ev.Attributes)
		e.closeObject(3)
	}
	e.closeArray(len(events))

	e.field(9, `"links"`)
	links := s.Links()
	e.openArray()
	for i := range links {
		l := &links[i]
		e.item(i)
		e.openObject()
		e.field(0, `"context"`)
		e.spanContext(l.SpanContext)
		e.field(1, `"attributes"`)
		e.attributes(l.Attributes)
		e.closeObject(2)
	}
	e.closeArray(len(links))

	e.field(10, `"resource"`)
	e.resource(s.Resource(), cache)

	e.closeObject(11)
}

// status appends {"status_code": "UNSET"|"OK"|"ERROR"} with a
// "description" member only when the description is not empty, as Python
// does.
func (e *encoder) status(st sdktrace.Status) {
	e.openObject()
	e.field(0, `"status_code"`)
	switch st.Code {
	case codes.Error:
		e.raw(`"ERROR"`)
	case codes.Ok:
		e.raw(`"OK"`)
	default:
		e.raw(`"UNSET"`)
	}
	n := 1
	if st.Description != "" {
		e.field(1, `"description"`)
		e.str(st.Description)
		n = 2
	}
	e.closeObject(n)
}

// spanKindName returns the quoted str() of Python's SpanKind member for k.
// Go's SpanKindUnspecified (and any unknown value) is reported as INTERNAL,
// the kind the Go SDK itself assumes for it.
func spanKindName(k trace.SpanKind) string {
	switch k {
	case trace.SpanKindServer:
		return `"SpanKind.SERVER"`
	case trace.SpanKindClient:
		return `"SpanKind.CLIENT"`
	case trace.SpanKindProducer:
		return `"SpanKind.PRODUCER"`
	case trace.SpanKindConsumer:
		return `"SpanKind.CONSUMER"`
	default:
		return `"SpanKind.INTERNAL"`
	}
}
