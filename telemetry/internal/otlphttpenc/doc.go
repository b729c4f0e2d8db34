// Package otlphttpenc is an OTLP/HTTP protobuf span exporter
// ([go.opentelemetry.io/otel/sdk/trace.SpanExporter], [New]) and log
// exporter ([go.opentelemetry.io/otel/sdk/log.Exporter], [NewLog]) that
// encode with telemetry/internal/otlpenc instead of the SDK's transform and
// proto.Marshal, and otherwise behave as the SDK's otlptracehttp and
// otlploghttp do (issue 19). They are what telemetry's http endpoints use
// unless SIGHTLINE_TELEMETRY_OTLP_EXPORTER=sdk.
//
// # What was read
//
// go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp v1.47.0:
// client.go (request, answers, partial success, gzip pool, ourTransport,
// Retry-After, evaluate; otlploghttp v0.23.0's is the same for log
// records), internal/otlpconfig/options.go (DefaultMaxResponseSize),
// otlptrace v1.47.0 exporter.go. The retry loop, its
// backoff and defaults and the partial success error are otlpretry's,
// shared with otlpgrpcenc (its doc names what was read for them).
//
// # Behaviour, as the SDK's
//
//   - POST to the URL as given, Content-Type application/x-protobuf,
//     optional gzip (Content-Encoding), the configured headers (which may
//     replace User-Agent, not the content headers), TLS from a
//     tls.Config on a dedicated transport with the SDK's settings. Redirects
//     are net/http's default, as for the SDK's client: 307 and 308 are
//     followed with the body (GetBody), others turn into a GET.
//   - 2xx: the answer's ExportTraceServiceResponse (protobuf or JSON, by its
//     Content-Type) is read; rejected spans or a message make the export
//     return an [*otlpretry.PartialSuccessError] with the SDK's text,
//     which the batch processor hands to otel.Handle as it does the SDK's.
//   - 429, 502, 503, 504 and temporary transport errors are retried: the
//     SDK's loop (otlpretry: stop when the context is done or
//     MaxElapsedTime passed, else wait the greater of Retry-After and the
//     backoff: 5 s growing ×1.5 to 30 s, each drawn from [0.5, 1.5] times
//     the interval).
//   - Other statuses fail at once with an *otlphttp.StatusError (the type
//     sightline's JSON exporters return) naming the URL, the status and
//     the message: that of a google.rpc.Status body, else the body's text,
//     at most 4 KiB of it.
//   - Shutdown is idempotent, cancels exports in flight (the SDK's Stop)
//     and makes later exports fail with [ErrShutdown]; ForceFlush does
//     nothing.
//
// Deliberate differences: Timeout bounds the whole export, retries
// included (the SDK bounds each attempt with http.Client.Timeout and the
// whole with MaxElapsedTime), and a wait that would pass that deadline is
// not started; a 2xx answer whose body cannot be read or decoded is a
// success (the SDK fails the export though the server took it); gzip is at
// best speed as in internal/otlphttp (the SDK: default level).
//
// # Cost
//
// One export takes pooled buffers: the otlpenc Encoder's tables, the
// encoded request, the gzip writer and its output, and room for the
// answer, so an export in steady state allocates only what net/http
// needs, a request body per attempt and what otlpenc allocates for slice
// attributes. Buffers over 4 MiB are not kept. Because net/http may read
// a request body after Do returns, buffers go back to the pool only once
// the transport has closed every body made from them. Answers are read up
// to 64 KiB; a huge batch is sent as is (the batch processor bounds it).
// BenchmarkExport compares this exporter with otlptracehttp.
//
// The retry and error pieces of internal/otlphttp's Sender were not
// reused as a whole: it compresses into a new buffer per send and its
// backoff is not the SDK's. Its StatusError type and content types are.
package otlphttpenc
