// Command otelcol-sightline-test is the OpenTelemetry Collector, built from
// the collector's own Go modules, that sightline's tests forward to
// (internal/otelcoltest builds and starts it): the real upstream, not a
// fake of one.
//
// It is a collector distribution of a few components, all of one collector
// release (v0.165.0, with the stable modules at v1.71.0):
//
//   - the core OTLP receiver (otlp: gRPC, and HTTP protobuf and JSON);
//   - the batch processor (batch), for configurations that want it; the
//     tested configuration does not use it, so that an exporter's refusal
//     reaches the sender;
//   - jsonlines, an exporter written here that appends every request it is
//     given to a file as one line of OTLP/JSON (ptrace.JSONMarshaler,
//     plog.JSONMarshaler) in one write, so that a test can read what the
//     collector received. Its settings are path (the file, created 0600
//     and appended to) and fail_first (answer a retryable error, which the
//     OTLP receiver turns into gRPC UNAVAILABLE or HTTP 503, to the first N
//     requests; 0, the default, refuses none).
//
// It is run as any collector: otelcol-sightline-test --config FILE (file:
// and env: URIs are resolved). It lives in a module of its own so that the
// collector's dependencies never enter sightline's go.mod.
package main
