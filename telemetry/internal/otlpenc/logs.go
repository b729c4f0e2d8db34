package otlpenc

import (
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
)

// Tags of the ExportLogsServiceRequest, ResourceLogs and ScopeLogs fields
// (collector/logs/v1/logs_service.proto, logs/v1/logs.proto). Their field
// numbers are those of the trace messages of the same shape.
const (
	// ExportLogsServiceRequest
	tagRequestResourceLogs = 1<<3 | wtLen

	// ResourceLogs
	tagResourceLogsResource  = 1<<3 | wtLen
	tagResourceLogsScopes    = 2<<3 | wtLen
	tagResourceLogsSchemaURL = 3<<3 | wtLen

	// ScopeLogs
	tagScopeLogsScope     = 1<<3 | wtLen
	tagScopeLogsRecords   = 2<<3 | wtLen
	tagScopeLogsSchemaURL = 3<<3 | wtLen
)

// LogEncoder encodes batches of log records as OTLP ExportLogsServiceRequest
// protobuf messages. It keeps the grouping tables of the last batch to
// reuse their memory, so encoding allocates nothing in steady state.
//
// The zero LogEncoder is ready to use. A LogEncoder is not safe for
// concurrent use; the SDK calls an exporter's Export from one goroutine at
// a time.
type LogEncoder struct {
	// tab holds the resource and scope groups of the batch; its find is the
	// span encoder's, as the SDK groups records and spans alike.
	tab Encoder
}

// AppendLogs appends to dst the protobuf encoding of an OTLP
// ExportLogsServiceRequest holding records and returns the extended buffer.
// It is (*LogEncoder).AppendLogs with a LogEncoder of its own, so it
// allocates its grouping tables on each call; exporters keep a LogEncoder
// instead.
func AppendLogs(dst []byte, records []sdklog.Record) []byte {
	var e LogEncoder
	return e.AppendLogs(dst, records)
}

// AppendLogs appends to dst the protobuf encoding of an OTLP
// ExportLogsServiceRequest holding records and returns the extended buffer.
//
// Records are grouped as the SDK's OTLP log exporters (otlploghttp,
// otlploggrpc) group them: one ResourceLogs per resource attribute set, one
// ScopeLogs per instrumentation scope within it, with the resource and scope
// written once per group. Scopes appear in the order they are first seen
// within their resource and records keep their batch order within a scope.
// Resources appear in the order they are first seen (the SDK's order is
// that of Go map iteration, so random). An empty batch is 0 bytes. Nothing
// of dst before its length is read or changed, and records are only read.
func (e *LogEncoder) AppendLogs(dst []byte, records []sdklog.Record) []byte {
	e.group(records)
	t := &e.tab
	for r := range t.resources {
		rg := &t.resources[r]
		var rlStart int
		dst, rlStart = openMsg(dst, tagRequestResourceLogs, reserveGroup)
		// Unlike the span transform, the log transform sends no resource
		// for one without attributes (nil or not).
		if rg.res.Len() > 0 {
			var start int
			dst, start = openMsg(dst, tagResourceLogsResource, reserveSmall)
			dst = appendSet(dst, tagResourceAttributes, rg.res.Set())
			dst = closeMsg(dst, start, reserveSmall)
		}
		for g := range t.groups {
			sg := &t.groups[g]
			if int(sg.res) != r {
				continue
			}
			dst = e.appendScopeLogs(dst, sg, records)
		}
		dst = appendStringField(dst, tagResourceLogsSchemaURL, rg.res.SchemaURL())
		dst = closeMsg(dst, rlStart, reserveGroup)
	}
	return dst
}

// appendScopeLogs appends the ScopeLogs of group sg of records.
func (e *LogEncoder) appendScopeLogs(b []byte, sg *scopeGroup, records []sdklog.Record) []byte {
	b, start := openMsg(b, tagResourceLogsScopes, reserveGroup)
	// The SDK's transform sends no scope (and so no schema URL) for the
	// zero scope.
	if sg.scope != (instrumentation.Scope{}) {
		var scopeStart int
		b, scopeStart = openMsg(b, tagScopeLogsScope, reserveSmall)
		b = appendStringField(b, tagScopeName, sg.scope.Name)
		b = appendStringField(b, tagScopeVersion, sg.scope.Version)
		b = appendSet(b, tagScopeAttributes, &sg.scope.Attributes)
		b = closeMsg(b, scopeStart, reserveSmall)
	}
	for i := sg.first; i >= 0; i = e.tab.next[i] {
		b = appendLogRecord(b, &records[i])
	}
	b = appendStringField(b, tagScopeLogsSchemaURL, sg.scope.SchemaURL)
	return closeMsg(b, start, reserveGroup)
}

// group fills the grouping tables for records: resource and scope groups
// in first-seen order, and each group's records as a list through next.
func (e *LogEncoder) group(records []sdklog.Record) {
	t := &e.tab
	clear(t.resources) // drop the references to the last batch's data
	t.resources = t.resources[:0]
	clear(t.groups)
	t.groups = t.groups[:0]
	clear(t.index)
	if cap(t.next) < len(records) {
		t.next = make([]int32, len(records))
	}
	t.next = t.next[:len(records)]

	var (
		prevRes   *resource.Resource
		prevScope instrumentation.Scope
		g         = int32(-1)
	)
	for i := range records {
		t.next[i] = -1
		rec := &records[i]
		res, scope := rec.Resource(), rec.InstrumentationScope()
		if g < 0 || res != prevRes || scope != prevScope {
			g = t.find(res, scope)
			prevRes, prevScope = res, scope
		}
		sg := &t.groups[g]
		if sg.first < 0 {
			sg.first = int32(i)
		} else {
			t.next[sg.last] = int32(i)
		}
		sg.last = int32(i)
	}
}
