// Package otlpgrpcenc is an OTLP/gRPC span exporter
// ([go.opentelemetry.io/otel/sdk/trace.SpanExporter], [New]) and log
// exporter ([go.opentelemetry.io/otel/sdk/log.Exporter], [NewLog]) that
// encode with telemetry/internal/otlpenc and send those bytes through
// grpc-go's ClientConn.Invoke with internal/grpcraw's pass-through codec,
// without the generated request structs, and otherwise behave as the
// SDK's otlptracegrpc and otlploggrpc do (issue 19; not yet the default
// of grpc endpoints).
//
// # What was read
//
// go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc v1.47.0:
// client.go (UploadTraces, exportContext, retryable, throttleDelay, Stop),
// internal/otlpconfig/options.go (WithEndpointURL, NewGRPCConfig's dial
// options, DefaultMaxRequestSize) and tls.go; otlptrace v1.47.0
// exporter.go; otlploggrpc v0.23.0 client.go and exporter.go; grpc-go
// v1.85.0 call.go, stream.go (SendMsg), rpc_util.go (setCallInfoCodec),
// mem/buffers.go and internal/transport (http2_client.go write,
// controlbuf.go processData): who holds the request's bytes and until
// when. The retry loop, its
// backoff and defaults and the partial success error are otlpretry's,
// shared with otlphttpenc (its doc names what was read for them).
//
// # Behaviour, as the SDK's
//
//   - The URL's scheme says plaintext (http, grpc) or TLS (https, grpcs,
//     with TLS's configuration, else the system's roots);
//     its host:port is the target of grpc.NewClient; the path is
//     ignored. Config.DialOptions come after the exporter's own.
//   - Each export is one unary call of TraceService/Export or
//     LogsService/Export, content type application/grpc, the Headers as
//     metadata joined with the caller's outgoing metadata, optionally
//     gzip (at its best speed, on this connection only). A request over 64 MiB fails unsent.
//   - Retries: CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE,
//     UNAVAILABLE and DATA_LOSS, and RESOURCE_EXHAUSTED when the status
//     carries RetryInfo; the wait is the greater of RetryInfo's delay and
//     the backoff (5 s growing ×1.5 to 30 s, each drawn from [0.5, 1.5]
//     times the interval); stop when the context is done or
//     MaxElapsedTime has passed (otlpretry's loop, otlphttpenc's). Other
//     codes fail at once with an error naming the method, the target, the
//     code and the collector's message (a wrapped status error, so
//     status.Code works on it).
//   - A response with a partial success (rejected items or a message)
//     makes the export return an [*otlpretry.PartialSuccessError] with
//     the SDK's text ("OTLP partial success: %s (%d spans rejected)",
//     "... logs rejected"), for spans and for logs, as both SDK exporters
//     return it; the batch processors hand it to otel.Handle.
//   - Shutdown is idempotent, ends exports in flight, closes the
//     connection and returns ctx's error when ctx is done; later exports
//     fail with [ErrShutdown] (for logs, an error that is also
//     sdklog.ErrExporterShutdown, as otlploggrpc's). ForceFlush does
//     nothing.
//
// Deliberate differences: Timeout bounds the whole export, retries
// included, and a wait that would pass that deadline is not started (the
// SDK sleeps until the deadline and then fails); a failure cut short by
// the deadline reports the collector's answer before it. A response that
// cannot be decoded is a success (the server took the request; the SDK
// fails the export). Shutdown cancels exports in flight at once, as
// otlphttpenc does (otlptracegrpc waits for them until ctx is done;
// otlploggrpc serialises exports under a mutex, this exporter does not).
// No self-observability metrics (the SDK's observ, off by default). The
// User-Agent names sightline's exporter.
//
// # Cost
//
// One export takes pooled buffers: the otlpenc encoder's tables and the
// encoded request. grpc-go may reference a request's bytes after Invoke
// returns (its transport writes them from its own goroutine, and an
// answer or a cancellation can end the call first), so the request is
// lent as a reference-counted mem.Buffer (grpcraw.Lender) and the buffers
// return to the pool only when grpc-go frees its last reference. Requests
// under 1 KiB (grpc-go's pooling threshold, below which it reports no
// release) are copied instead. Buffers over 4 MiB are not kept. An empty
// response, the usual one, is not decoded. BenchmarkExport compares these
// exporters with otlptracegrpc and otlploggrpc.
package otlpgrpcenc
