package otlpenc

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"google.golang.org/protobuf/encoding/protowire"
)

// Tags of the LogRecord fields (logs/v1/logs.proto). Field 4 is reserved.
const (
	tagLogTime         = 1<<3 | wtFixed64
	tagLogSeverity     = 2<<3 | wtVarint
	tagLogSeverityText = 3<<3 | wtLen
	tagLogBody         = 5<<3 | wtLen
	tagLogAttributes   = 6<<3 | wtLen
	tagLogDroppedAttrs = 7<<3 | wtVarint
	tagLogFlags        = 8<<3 | wtFixed32
	tagLogTraceID      = 9<<3 | wtLen
	tagLogSpanID       = 10<<3 | wtLen
	tagLogObservedTime = 11<<3 | wtFixed64
	tagLogEventName    = 12<<3 | wtLen
)

// reserveRecord is the number of length bytes reserved for a LogRecord: two,
// for records of 128 bytes to 16 KiB (a record with a trace context and a
// few attributes is past 127 bytes).
const reserveRecord = 2

// appendLogRecord appends r as a LogRecord field of a ScopeLogs, with the
// fields in field-number order and each set exactly as the SDK's transform
// sets it (transform.LogRecord of otlploghttp and otlploggrpc).
func appendLogRecord(b []byte, r *sdklog.Record) []byte {
	b, start := openMsg(b, tagScopeLogsRecords, reserveRecord)
	b = appendFixed64Field(b, tagLogTime, unixNano(r.Timestamp()))
	b = appendUint32Field(b, tagLogSeverity, severityNumber(r.Severity()))
	b = appendStringField(b, tagLogSeverityText, r.SeverityText())
	// The SDK always sends a body, an empty AnyValue for an empty one.
	b = appendAnyValue(b, tagLogBody, r.Body())
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		b = appendKeyValue(b, tagLogAttributes, string(kv.Key), &kv.Value)
		return true
	})
	b = appendUint32Field(b, tagLogDroppedAttrs, clampUint32(r.DroppedAttributes()))
	if flags := uint32(r.TraceFlags()); flags != 0 {
		b = protowire.AppendFixed32(append(b, tagLogFlags), flags)
	}
	if tid := r.TraceID(); tid.IsValid() {
		b = append(b, tagLogTraceID, 16)
		b = append(b, tid[:]...)
	}
	if sid := r.SpanID(); sid.IsValid() {
		b = append(b, tagLogSpanID, 8)
		b = append(b, sid[:]...)
	}
	b = appendFixed64Field(b, tagLogObservedTime, unixNano(r.ObservedTimestamp()))
	b = appendStringField(b, tagLogEventName, r.EventName())
	return closeMsg(b, start, reserveRecord)
}

// severityNumber maps s to the OTLP SeverityNumber: the API's severities
// TRACE (1) to FATAL4 (24) have OTLP's values, and anything else is
// UNSPECIFIED (0), as in the SDK's transform.
func severityNumber(s log.Severity) uint32 {
	if s < log.SeverityTrace1 || s > log.SeverityFatal4 {
		return 0
	}
	return uint32(s)
}
