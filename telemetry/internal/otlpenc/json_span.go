package otlpenc

import (
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// appendSpanJSON appends the Span object of sd, its fields in pdata's order
// (field-number order) and each set as otlpjson's Traces sets it.
func appendSpanJSON(b []byte, sd spanReader, d *jsonScratch) []byte {
	start := len(b)
	b = append(b, '{')
	sc := sd.SpanContext()
	tid, sid := sc.TraceID(), sc.SpanID()
	b = appendIDFieldJSON(b, start, `"traceId":`, tid[:])
	b = appendIDFieldJSON(b, start, `"spanId":`, sid[:])
	b = appendTraceStateJSON(b, start, sc.TraceState())
	parent := sd.Parent()
	psid := parent.SpanID()
	b = appendIDFieldJSON(b, start, `"parentSpanId":`, psid[:])
	b = appendUint32FieldJSON(b, start, `"flags":`, spanFlags(sc.TraceFlags(), parent))
	b = appendStringFieldJSON(b, start, `"name":`, sd.Name())
	b = appendUint32FieldJSON(b, start, `"kind":`, spanKind(sd.SpanKind()))
	b = appendUint64FieldJSON(b, start, `"startTimeUnixNano":`, unixNano(sd.StartTime()))
	b = appendUint64FieldJSON(b, start, `"endTimeUnixNano":`, unixNano(sd.EndTime()))
	b = appendAttributesFieldJSON(b, start, sd.Attributes(), d)
	b = appendUint32FieldJSON(b, start, `"droppedAttributesCount":`, clampUint32(sd.DroppedAttributes()))

	if events := sd.Events(); len(events) > 0 {
		b = appendFieldJSON(b, start, `"events":[`)
		for i := range events {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendEventJSON(b, &events[i], d)
		}
		b = append(b, ']')
	}
	b = appendUint32FieldJSON(b, start, `"droppedEventsCount":`, clampUint32(sd.DroppedEvents()))

	if links := sd.Links(); len(links) > 0 {
		b = appendFieldJSON(b, start, `"links":[`)
		for i := range links {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendLinkJSON(b, &links[i], d)
		}
		b = append(b, ']')
	}
	b = appendUint32FieldJSON(b, start, `"droppedLinksCount":`, clampUint32(sd.DroppedLinks()))

	// pdata always writes the status, {} when unset.
	st := sd.Status()
	b = appendFieldJSON(b, start, `"status":{`)
	stStart := len(b) - 1
	b = appendStringFieldJSON(b, stStart, `"message":`, st.Description)
	b = appendUint32FieldJSON(b, stStart, `"code":`, statusCode(st.Code))
	return append(b, "}}"...)
}

// appendEventJSON appends the Span.Event object of e.
func appendEventJSON(b []byte, e *sdktrace.Event, d *jsonScratch) []byte {
	start := len(b)
	b = append(b, '{')
	b = appendUint64FieldJSON(b, start, `"timeUnixNano":`, unixNano(e.Time))
	b = appendStringFieldJSON(b, start, `"name":`, e.Name)
	b = appendAttributesFieldJSON(b, start, e.Attributes, d)
	b = appendUint32FieldJSON(b, start, `"droppedAttributesCount":`, clampUint32(e.DroppedAttributeCount))
	return append(b, '}')
}

// appendLinkJSON appends the Span.Link object of l. Unlike the SDK's
// protobuf transform (and AppendTraces), otlpjson sends the linked
// context's trace state.
func appendLinkJSON(b []byte, l *sdktrace.Link, d *jsonScratch) []byte {
	start := len(b)
	b = append(b, '{')
	tid, sid := l.SpanContext.TraceID(), l.SpanContext.SpanID()
	b = appendIDFieldJSON(b, start, `"traceId":`, tid[:])
	b = appendIDFieldJSON(b, start, `"spanId":`, sid[:])
	b = appendTraceStateJSON(b, start, l.SpanContext.TraceState())
	b = appendAttributesFieldJSON(b, start, l.Attributes, d)
	b = appendUint32FieldJSON(b, start, `"droppedAttributesCount":`, clampUint32(l.DroppedAttributeCount))
	b = appendUint32FieldJSON(b, start, `"flags":`, spanFlags(l.SpanContext.TraceFlags(), l.SpanContext))
	return append(b, '}')
}

// appendTraceStateJSON appends the "traceState" field of the object opened
// at start: ts in its W3C header form (TraceState.String's "k1=v1,k2=v2"),
// escaped, written without building the string; nothing when ts is empty.
func appendTraceStateJSON(b []byte, start int, ts trace.TraceState) []byte {
	if ts.Len() == 0 {
		return b
	}
	b = append(appendFieldJSON(b, start, `"traceState":`), '"')
	first := true
	ts.Walk(func(k, v string) bool {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendEscapedJSON(b, k)
		b = append(b, '=')
		b = appendEscapedJSON(b, v)
		return true
	})
	return append(b, '"')
}
