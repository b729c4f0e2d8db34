// Package otlpenc encodes OpenTelemetry SDK spans as OTLP protobuf
// (an opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest)
// straight from [go.opentelemetry.io/otel/sdk/trace.ReadOnlySpan] into a caller's buffer: no
// generated structs, no reflection, and, with an [Encoder] and a reused
// buffer, no allocation for spans whose attributes are scalars (the first
// step of issue 19; the exporter built on it comes next).
//
// # What is written
//
// Exactly what the SDK's own OTLP exporters (otlptracehttp, otlptracegrpc)
// send, field for field, as read in
// go.opentelemetry.io/otel/exporters/otlp/otlptrace/internal/tracetransform
// v1.47.0 (span.go, attribute.go, resource.go, instrumentation.go):
//
//   - Grouping: one ResourceSpans per resource attribute set (the SDK keys
//     on attribute.Distinct alone, so equal attributes under two schema URLs
//     merge, with the first span's URL), one ScopeSpans per
//     instrumentation.Scope within it (name, version, schema URL and
//     attributes), scopes in first-seen order, spans in batch order. The
//     SDK emits resources in Go map order (random); this package in
//     first-seen order. Nil spans are skipped; an empty batch is 0 bytes.
//   - Span: trace and span id, trace state (W3C header form), parent span
//     id when valid, name, kind (UNSPECIFIED for unknown kinds), start and
//     end as Unix nanoseconds (times before 1970 as 0), attributes, events
//     (time, name, attributes, dropped count), links (trace id, span id,
//     attributes, dropped count, flags; no trace state, which the SDK does
//     not send for links), dropped attribute, event and link counts
//     (clamped to uint32), a Status message always (empty when unset), and
//     flags: the W3C trace flags | 0x100 (has is_remote) | 0x200 when the
//     parent (for a link: the linked context) is remote.
//   - Resource: its attributes in key order (no dropped count: the Go SDK
//     has none), omitted for a nil resource; schema URL on ResourceSpans.
//     Scope: name, version, attributes, omitted for the zero scope; its
//     schema URL on ScopeSpans.
//   - Values: every attribute.Type, as the SDK maps them: scalars to their
//     AnyValue member (written even when zero, as a set oneof is), typed
//     slices and SLICE to ArrayValue, MAP to KeyValueList, BYTESLICE to
//     bytes, EMPTY to an empty AnyValue, an unknown type to "INVALID".
//
// Fields are written in field-number order with proto3's omission of zero
// scalars, so the bytes are those proto.Marshal writes for the SDK's
// request (the tests check this byte for byte for one-resource batches).
// One difference: strings are copied as they are, while proto.Marshal
// refuses invalid UTF-8 and so makes the SDK drop the whole batch.
//
// # Log records
//
// A [LogEncoder] does the same for [go.opentelemetry.io/otel/sdk/log.Record]
// batches: an ExportLogsServiceRequest as otlploghttp and otlploggrpc
// v0.23.0 send it (their internal/transform/log.go). Grouping, values and
// attributes are the spans' (one Encoder's tables serve both); what differs:
// the resource is omitted when it has no attributes (not only when nil),
// and each LogRecord carries time and observed time (0 before 1970), the
// severity number (UNSPECIFIED outside TRACE..FATAL4) and text, a body
// always (an empty AnyValue for an empty value), attributes in the record's
// order, the dropped attribute count, the W3C trace flags when non-zero,
// trace and span id each only when valid, and the event name. Records with
// scalar bodies and attributes encode without allocating;
// BenchmarkEncodeLogs measures about 19 times less CPU per record than the
// SDK's transform and marshal, and no allocation against its 21 per record.
//
// # Sightline's own spans
//
// [Encoder.AppendLeanTraces] encodes ended telemetry/internal/leanspan
// spans through their getters, with no ReadOnlySpan snapshot, to the bytes
// AppendTraces writes for their Snapshots (TestLeanMatchesSnapshots and
// FuzzAppendLeanTraces check it); appendSpan reads either kind through
// one small interface. BenchmarkEncodeLean measures it at the cost of
// AppendTraces of SDK spans, and less than half of snapshotting first.
// otlphttpenc and otlpgrpcenc export them with it (ExportLeanSpans).
//
// # OTLP-JSON
//
// [Encoder.AppendTracesJSON] and [LogEncoder.AppendLogsJSON] write the same
// batches as OTLP-JSON for telemetry/internal/otlpjson's file and HTTP/JSON
// exporters, in one forward pass with no lengths to patch. Their bytes are
// not a JSON rendering of the protobuf request but, byte for byte, what
// the collector's pdata marshals for otlpjson.Traces (Logs) of the batch,
// which groups by resource schema URL too, always writes resource and
// scope, sends link trace states and merges repeated attribute keys (the
// methods' docs list it all). The property and fuzz tests in json_test.go
// compare them with pdata's output byte for byte; BenchmarkEncodeJSON
// times both.
//
// # Lengths
//
// Protobuf puts each nested message's length before it. Three ways were
// weighed: a sizing pass before writing (vtprotobuf's Size then Marshal,
// which walks every attribute twice and, for events and links, three
// times), writing backwards from the end of a buffer (one pass, but not an
// append to the caller's slice and every list walked in reverse), and
// size-prefix patching, chosen here:
//
//   - A scalar attribute (the common case) has a size known before it is
//     written, so its KeyValue and AnyValue lengths are written exactly in
//     one switch on the value's type, with no patching at all.
//   - Any other nested message (span, event, link, slice, map, scope,
//     resource, ScopeSpans, ResourceSpans) reserves the number of length
//     bytes it usually needs (1 for small messages, 2 for a span, 3 for a
//     group of spans: up to 2 MiB), is written, and then has its length
//     written into the reserved bytes. When the guess is wrong the body is
//     moved by the difference (one memmove of that message), which keeps
//     the varint minimal and the output canonical. Spans, events and links
//     of the usual sizes never move; a resource of more than 127 bytes
//     moves once per batch.
//
// BenchmarkEncode times this against the SDK's transform plus proto.Marshal
// and against the SDK's otlptracehttp exporter, on 512 spans of the console
// benchmark's shape (the command is in bench_test.go): about 13 times less
// CPU per span than the SDK's transform and marshal (6 times less than its
// proto.Marshal alone) and 100 times fewer bytes allocated.
//
// # Allocation
//
// An Encoder keeps its grouping tables (groups, a linked list of the batch's
// spans per group, and a map once a batch has more than 8 scopes) between
// batches. Attribute values are read through the attribute package's
// accessors: the typed-slice and BYTESLICE accessors return copies, so each
// such value costs one allocation, as in the console encoder
// (telemetry/internal/console, the model for this package); SLICE and MAP
// values of more than five elements cost one more.
package otlpenc
