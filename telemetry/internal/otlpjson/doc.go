// Package otlpjson turns OpenTelemetry Go SDK telemetry into OTLP data and
// ships it as OTLP/JSON.
//
// The conversion functions [Traces] and [Logs] map SDK spans and log records
// field by field onto the collector's pdata model (ptrace and plog), grouped
// resource -> instrumentation scope -> items the way the SDK's own OTLP
// exporters group them (except that equal resource attributes under two
// schema URLs stay two resources).
//
// The exporters do not go through pdata: they write OTLP-JSON straight from
// the SDK's spans and records with telemetry/internal/otlpenc
// (Encoder.AppendTracesJSON, LogEncoder.AppendLogsJSON) into pooled
// buffers, about six times less CPU per span than Traces plus pdata's
// MarshalJSON and no allocation per span (BenchmarkFileExporter). That
// encoding is tested against pdata's own: for every batch of otlpenc's
// property and fuzz tests (and this package's exporter tests) the bytes
// are those pdata's JSON marshaller writes for [Traces] or [Logs] of the
// batch, so what the collector reads is unchanged.
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
