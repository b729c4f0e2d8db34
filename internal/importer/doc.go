// Package importer reads span and log files and hands their contents, as
// pdata batches, to a [Sink]: a collector through otlpjson.Client, or a
// store.
//
// # Formats
//
// Two formats are read; [Import] tells them apart by the first JSON object
// in the file ([WithFormat] overrides this):
//
//   - console: the output of OpenTelemetry Python's ConsoleSpanExporter and
//     console log exporter, and of sightline's internal/console package.
//     Objects follow one another, pretty-printed (Python's default, as in
//     Bluesky's documentation) or one per line (Ray's per-process span
//     files). An object with "name" and "context" is a span; one with
//     "body" or "severity_number" is a log record; a file may mix both.
//   - otlp: OTLP-JSON ExportTraceServiceRequest and ExportLogsServiceRequest
//     objects, one per line (the collector's file exporter and sightline's
//     file exporters), decoded with pdata's JSON unmarshalers. Requests
//     spread over several lines are read as well.
//
// # Mapping console records to pdata
//
// Every member Python writes is mapped. Span ids are "0x" and hex digits;
// trace_state, Python's repr of the trace state (the current
// "['{key=k, value=v}']", the older "[('k', 'v')]" or a dict), becomes the
// W3C form "k=v"; kinds are "SpanKind.SERVER" and the like; times are ISO
// 8601 (any fraction length, "Z", an offset, or none for UTC) and null
// means unset. Attribute values and log bodies map by their JSON type:
// integers (no '.' or exponent) to Int, other numbers to Double, strings
// to Str except "NaN", "Infinity" and "-Infinity", which are Doubles, as
// internal/console writes non-finite floats and as Python's bare tokens
// become (see below);
// arrays to Slice, objects to Map, null to an empty value. Byte values,
// which console output writes as base64 strings, stay strings.
//
// Records with the same resource (the same JSON, whitespace aside) share
// one ResourceSpans or ResourceLogs in a batch. Console output does not record the
// instrumentation scope, so every record gets the scope [ScopeName]
// ("console-import"). severity_number may be an integer or the older
// "<SeverityNumber.INFO: 9>"; an all-zero trace_id or span_id of a log
// record means it has no span context; a resource written as JSON in a
// string (older Python log output) is read too.
//
// Python writes non-finite floats as the bare tokens NaN, Infinity and
// -Infinity, which are not JSON. They are rewritten into strings outside
// JSON strings before decoding, and so become Doubles again. A string
// attribute whose value is exactly "NaN", "Infinity" or "-Infinity" is
// therefore imported as a Double too.
//
// # Streaming and rejections
//
// Import holds one record and one batch at a time, whatever the size of
// the file: records are read with a json.Decoder, and at most
// [WithBatchSize] spans (default 1000), and as many log records, go to the
// sink at once. A record larger than 64 MiB is rejected, and so is one that
// nests objects and arrays deeper than [MaxDepth] (160 levels: the bound the
// OTLP receivers put on OTLP-JSON, which every request OTLP/protobuf can
// carry meets), checked in one pass that allocates nothing before anything
// recursive decodes the record; encoding/json, which splits the input into
// records, gives up on one past 10,000 levels by itself. So no file can
// exhaust the importer's stack or memory by nesting.
//
// A record that cannot be imported does not stop the file: it becomes a
// [Rejection] naming the line where the record starts and why (missing or
// invalid id, bad time, wrong JSON type, syntax error). After a syntax
// error the reader resynchronises at the next line that starts with '{'
// and says where. Items the sink refuses are rejections with line 0 and
// the sink's message. A [Report] lists the first [MaxRejections] and counts
// them all.
package importer
