package otlpenc

import (
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
)

// tagScopeLogsRecords is ScopeLogs' log_records field (logs/v1/logs.proto).
// The other fields of the logs request, ResourceLogs and ScopeLogs have the
// numbers of their trace counterparts, whose tags appendRequest writes.
const tagScopeLogsRecords = 2<<3 | wtLen

// LogEncoder encodes batches of log records as OTLP ExportLogsServiceRequest
// protobuf messages. It keeps the grouping tables of the last batch to
// reuse their memory, so encoding allocates nothing in steady state.
//
// The zero LogEncoder is ready to use. A LogEncoder is not safe for
// concurrent use; the SDK calls an exporter's Export from one goroutine at
// a time.
type LogEncoder struct {
	// tab holds the resource and scope groups of the batch: the span
	// encoder's tables and envelope, as the SDK groups records and spans
	// alike.
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
	t := &e.tab
	t.reset(len(records))
	for i := range records {
		t.add(i, records[i].Resource(), records[i].InstrumentationScope())
	}
	// Unlike the span transform, the log transform sends no resource for
	// one without attributes (nil or not).
	return t.appendRequest(dst, func(r *resource.Resource) bool { return r.Len() > 0 },
		func(b []byte, i int) []byte { return appendLogRecord(b, &records[i]) })
}
