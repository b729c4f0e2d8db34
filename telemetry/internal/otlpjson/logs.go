package otlpjson

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/sightline-dev/sightline/internal/otlpenum"
)

// Logs converts SDK log records into OTLP log data.
//
// Grouping follows [Traces]: records that share a resource share one
// ResourceLogs, and within it records that share an instrumentation scope
// share one ScopeLogs, in first-seen order; records keep their input order
// within a scope. The result shares nothing with the records.
func Logs(records []sdklog.Record) plog.Logs {
	ld := plog.NewLogs()
	resources := make(map[resourceKey]plog.ResourceLogs)
	scopes := make(map[scopeKey]plog.LogRecordSlice)
	for i := range records {
		r := &records[i]
		res, scope := r.Resource(), r.InstrumentationScope()
		rk, sk := groupKeys(res, scope)
		dst, ok := scopes[sk]
		if !ok {
			rl, ok := resources[rk]
			if !ok {
				rl = ld.ResourceLogs().AppendEmpty()
				setResource(rl.Resource(), res)
				rl.SetSchemaUrl(res.SchemaURL())
				resources[rk] = rl
			}
			sl := rl.ScopeLogs().AppendEmpty()
			setScope(sl.Scope(), scope)
			sl.SetSchemaUrl(scope.SchemaURL)
			dst = sl.LogRecords()
			scopes[sk] = dst
		}
		setLogRecord(dst.AppendEmpty(), r)
	}
	return ld
}

// setLogRecord copies every field of r into dst, mirroring the SDK's OTLP
// log transform.
func setLogRecord(dst plog.LogRecord, r *sdklog.Record) {
	dst.SetTimestamp(timestamp(r.Timestamp()))
	dst.SetObservedTimestamp(timestamp(r.ObservedTimestamp()))
	dst.SetSeverityNumber(otlpenum.Severity(r.Severity()))
	dst.SetSeverityText(r.SeverityText())
	dst.SetEventName(r.EventName())
	setValue(dst.Body(), r.Body())

	attrs := dst.Attributes()
	attrs.EnsureCapacity(r.AttributesLen())
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		setValue(attrs.PutEmpty(string(kv.Key)), kv.Value)
		return true
	})
	dst.SetDroppedAttributesCount(clampUint32(r.DroppedAttributes()))

	if tid := r.TraceID(); tid.IsValid() {
		dst.SetTraceID(pcommon.TraceID(tid))
	}
	if sid := r.SpanID(); sid.IsValid() {
		dst.SetSpanID(pcommon.SpanID(sid))
	}
	dst.SetFlags(plog.LogRecordFlags(uint32(r.TraceFlags())))
}
