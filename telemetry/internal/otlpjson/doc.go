// Package otlpjson turns OpenTelemetry Go SDK telemetry into OTLP data and
// ships it as OTLP/JSON.
//
// The conversion functions [Traces] and [Logs] map SDK spans and log records
// field by field onto the collector's pdata model (ptrace and plog), grouped
// resource -> instrumentation scope -> items the way the SDK's own OTLP
// exporters group them. All encoding is then left to pdata, so the bytes are
// exactly what the collector reads and writes; this package never encodes
// OTLP by hand.
//
// Two kinds of exporters are built on top:
//
//   - [FileSpanExporter] and [FileLogExporter] append one OTLP-JSON
//     ExportTraceServiceRequest / ExportLogsServiceRequest object per line to
//     a file, the format of the collector's file exporter and file receiver.
//     A "{pid}" in the path is replaced by the process id (see [ExpandPath])
//     so that each process writes its own file. A new file is created with
//     mode 0600 ([FileMode]); a symbolic link at the path is refused
//     ([ErrSymlink]), so nobody can redirect the telemetry into another file.
//   - [HTTPSpanExporter] and [HTTPLogExporter] send OTLP/HTTP requests with
//     JSON encoding (Content-Type: application/json), for collectors and
//     backends that want JSON rather than the protobuf encoding spoken by the
//     SDK's otlptracehttp and otlploghttp exporters. They send through
//     internal/otlphttp, which retries throttling and unavailability
//     responses (429, 502, 503, 504) with jittered exponential backoff,
//     honouring Retry-After, within a per-export timeout (its options
//     configure them).
//
// The exporters implement [go.opentelemetry.io/otel/sdk/trace.SpanExporter]
// and [go.opentelemetry.io/otel/sdk/log.Exporter] and are safe for
// concurrent use.
package otlpjson
