// Package console provides OpenTelemetry span and log exporters that write
// JSON in the shape printed by OpenTelemetry Python's ConsoleSpanExporter
// and ConsoleLogRecordExporter, so that documentation, examples and tools
// written against the Python output (Bluesky, PyTango, Ray and others) apply
// unchanged to Go programs.
//
// The format described here is stable: key names, key order and value
// formats do not change without a major version change of this module.
//
// # Layout
//
// Every span or log record is written as one JSON object followed by "\n",
// with a single Write call. With the default indent of 4 ([WithIndent]) the
// object is laid out as Python's json.dumps(obj, indent=4) lays it out:
// each member and each array element on its own line, indented by 4 spaces
// per level, "," at the end of a line between items, ": " after each key,
// and empty objects and arrays written as {} and []. With [WithIndent](0)
// the object is written on one line with Python's json.dumps(obj,
// indent=None) separators, ", " between items and ": " after keys, which is
// what Ray writes: one object per line.
//
// # Spans
//
// A span is written with these members, in this order (ReadableSpan.to_json
// in the Python SDK):
//
//	name        string
//	context     {"trace_id", "span_id", "trace_state"}
//	kind        "SpanKind.INTERNAL", "SpanKind.SERVER", "SpanKind.CLIENT",
//	            "SpanKind.PRODUCER" or "SpanKind.CONSUMER"
//	parent_id   the parent's span id, or null for a span without a parent
//	start_time  time (see below), or null if unset
//	end_time    time, or null if unset
//	status      {"status_code": "UNSET"|"OK"|"ERROR"}, with a
//	            "description" member after status_code only when the
//	            description is not empty
//	attributes  object (see Values), {} when there are none
//	events      array of {"name", "timestamp", "attributes"}
//	links       array of {"context", "attributes"}
//	resource    {"attributes": object, "schema_url": string}
//
// A trace id is written as "0x" followed by 32 lowercase hex digits, a span
// id as "0x" followed by 16. trace_state is Python's repr of the trace
// state, a string: "[]" when it is empty, otherwise a Python list of
// "{key=K, value=V}" strings in trace-state order, such as
// "['{key=rojo, value=00f067aa0ba902b7}', '{key=congo, value=t61rcWkgMzE}']"
// (an item containing ' and no " is quoted with " instead, as repr does).
//
// # Log records
//
// A log record is written with these members, in this order
// (ReadableLogRecord.to_json in the current Python SDK):
//
//	body                value (see Values); null when empty
//	severity_number     integer 1-24, or null when undefined
//	severity_text       string, or null when empty
//	attributes          object, or null when there are none
//	dropped_attributes  integer
//	timestamp           time, or null if unset
//	observed_timestamp  time, or null if unset
//	trace_id            "0x" + 32 hex digits; all zeros without a span
//	span_id             "0x" + 16 hex digits; all zeros without a span
//	trace_flags         integer (1 for a sampled span context, else 0)
//	resource            {"attributes": object, "schema_url": string}
//	event_name          string, "" when the record is not an event
//
// # Values
//
// Times are UTC in the form "2024-05-17T09:30:00.123457Z": microseconds and
// a literal Z, rounded exactly as Python's ns_to_iso_str rounds (through a
// float number of seconds, to the nearest microsecond, ties to even).
//
// Attribute values and log bodies map to JSON as follows: bool to
// true/false; int64 to an integer; float64 as Python's repr prints it, so a
// whole float keeps a ".0" (1.0, never 1), with scientific notation below
// 1e-4 and from 1e16 on (1e-05, 1e+16); string to a string; the slice kinds
// to arrays; byte slices to a standard base64 string with padding (Python's
// BytesEncoder); attribute.SLICE to an array and attribute.MAP to an object
// (nested to any depth; the SDK orders map entries by key); an empty value
// to null. Object members keep the order the SDK reports them in; resource
// attributes are ordered by key, as the Go SDK stores them.
//
// Strings are escaped as Python's json.dumps escapes them with its default
// ensure_ascii=True, so the output is pure ASCII: '"' and '\' are escaped
// with a backslash, \n \r \t \b \f use their short forms, other control
// characters, DEL and every non-ASCII character are written as \uXXXX
// (lowercase hex; characters beyond U+FFFF as a surrogate pair). '<', '>',
// '&' and '/' are not escaped.
//
// # Where this format departs from Python's output
//
// Python's output is reproduced except where it is not valid or not useful
// JSON, or where Go's data model differs:
//
//   - Non-finite floats: Python writes the bare tokens NaN, Infinity and
//     -Infinity, which are not JSON; they are written as the strings "NaN",
//     "Infinity" and "-Infinity".
//   - Invalid UTF-8: Python strings cannot hold it; each invalid byte is
//     written as \ufffd (U+FFFD REPLACEMENT CHARACTER).
//   - severity_number: older Python releases wrote the repr of the enum
//     ("<SeverityNumber.INFO: 9>"); the integer is written, as the current
//     Python SDK does. Go's SeverityUndefined (0) is written as null, as
//     Python writes an unset severity.
//   - resource: older Python releases wrote it in log records as a JSON
//     document nested in a string; it is always an object here, as in the
//     current Python SDK and in Python's span output.
//   - Go cannot tell an unset severity text from an empty one, so "" is
//     written as null (Python's value when unset). Likewise the zero
//     time.Time is written as null for any time member, including event
//     timestamps and observed_timestamp, which Python always sets.
//   - Go's SpanKindUnspecified is written as "SpanKind.INTERNAL", the kind
//     the Go SDK gives such spans.
//   - Values Python's SDK does not allow in span attributes (byte slices,
//     maps, heterogeneous slices, empty values) are written with the log
//     body mapping above rather than rejected.
//   - Line ending: Python appends os.linesep, "\r\n" on Windows; this
//     package always writes "\n".
//   - Times outside the years 1678-2262 (beyond Go's int64 nanoseconds) are
//     truncated to the microsecond; years beyond 9999 are written in full.
//
// Fields the Python output does not have (instrumentation scope, dropped
// event and link counts, child span count) are not written.
package console
