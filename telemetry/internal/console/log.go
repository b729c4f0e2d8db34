package console

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
)

// logRecord appends r as OpenTelemetry Python's ReadableLogRecord.to_json
// prints it: body, severity_number, severity_text, attributes,
// dropped_attributes, timestamp, observed_timestamp, trace_id, span_id,
// trace_flags, resource, event_name, in that order.
func (e *encoder) logRecord(r *sdklog.Record, cache *resourceCache) {
	e.openObject()

	e.field(0, `"body"`)
	e.value(r.Body())

	e.field(1, `"severity_number"`)
	if sev := r.Severity(); sev != log.SeverityUndefined {
		e.int(int64(sev))
	} else {
		e.null()
	}

	e.field(2, `"severity_text"`)
	if txt := r.SeverityText(); txt != "" {
		e.str(txt)
	} else {
		e.null()
	}

	e.field(3, `"attributes"`)
	if r.AttributesLen() == 0 {
		e.null()
	} else {
		e.openObject()
		n := 0
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			e.key(n, string(kv.Key))
			e.value(kv.Value)
			n++
			return true
		})
		e.closeObject(n)
	}

	e.field(4, `"dropped_attributes"`)
	e.int(int64(r.DroppedAttributes()))

	e.field(5, `"timestamp"`)
	e.buf = appendTime(e.buf, r.Timestamp())
	e.field(6, `"observed_timestamp"`)
	e.buf = appendTime(e.buf, r.ObservedTimestamp())

	e.field(7, `"trace_id"`)
	tid := r.TraceID()
	e.buf = appendHexID(e.buf, tid[:])
	e.field(8, `"span_id"`)
	sid := r.SpanID()
	e.buf = appendHexID(e.buf, sid[:])
	e.field(9, `"trace_flags"`)
	e.int(int64(r.TraceFlags()))

	e.field(10, `"resource"`)
	e.resource(r.Resource(), cache)

	e.field(11, `"event_name"`)
	e.str(r.EventName())

	e.closeObject(12)
}
