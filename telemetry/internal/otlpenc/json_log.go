package otlpenc

import (
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
)

// appendLogRecordJSON appends the LogRecord object of r, its fields in
// pdata's order (field-number order) and each set as otlpjson's Logs sets
// it. The record's attributes are gathered in d.kvs first, so that
// repeated keys can be merged as pdata merges them.
func appendLogRecordJSON(b []byte, r *sdklog.Record, d *jsonScratch) []byte {
	start := len(b)
	b = append(b, '{')
	b = appendUint64FieldJSON(b, start, `"timeUnixNano":`, unixNano(r.Timestamp()))
	b = appendUint64FieldJSON(b, start, `"observedTimeUnixNano":`, unixNano(r.ObservedTimestamp()))
	b = appendUint32FieldJSON(b, start, `"severityNumber":`, severityNumber(r.Severity()))
	b = appendStringFieldJSON(b, start, `"severityText":`, r.SeverityText())
	// pdata always writes the body, {} when empty.
	body := r.Body()
	b = appendValueJSON(appendFieldJSON(b, start, `"body":`), &body, d)

	kvs := d.kvs[:0]
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		kvs = append(kvs, kv)
		return true
	})
	b = appendAttributesFieldJSON(b, start, kvs, d)
	clear(kvs) // keep no references to the record's values
	d.kvs = kvs[:0]

	b = appendUint32FieldJSON(b, start, `"droppedAttributesCount":`, clampUint32(r.DroppedAttributes()))
	b = appendUint32FieldJSON(b, start, `"flags":`, uint32(r.TraceFlags()))
	tid, sid := r.TraceID(), r.SpanID()
	b = appendIDFieldJSON(b, start, `"traceId":`, tid[:])
	b = appendIDFieldJSON(b, start, `"spanId":`, sid[:])
	b = appendStringFieldJSON(b, start, `"eventName":`, r.EventName())
	return append(b, '}')
}
