// Package telemetry sets up OpenTelemetry tracing and logs for a component
// from the environment in one call, and lets it be changed at runtime
// without a restart and without losing what is in flight.
//
// # Setup
//
//	comp, err := telemetry.Setup(ctx, telemetry.WithServiceName("motor-server"))
//	if err != nil {
//		log.Print(err) // bad settings are listed here; each fell back to its default
//	}
//	defer comp.Shutdown(context.Background())
//	tracer := comp.Tracer("example.com/motor")
//	logger := comp.Logger() // slog, bridged to OpenTelemetry logs
//
// The configuration comes from SIGHTLINE_TELEMETRY_* and the standard
// OTEL_* variables (docs/configuration.md lists every one, and a test keeps
// that list and this package in step), then code options, then stored
// properties (WithProperties, Tango's telemetry_* keys), then runtime
// changes. Telemetry is off until SIGHTLINE_TELEMETRY_ENABLE=on (or a
// property or Control.Start) turns it on.
//
// One process may hold several components, each with its own resource
// (service.name, service.namespace, service.instance.id, host.name,
// process.pid, process.executable.name, ...) and its own Control.
//
// # Exporters
//
// Each endpoint is an exporter and a destination: console (stdout/stderr,
// in OpenTelemetry Python's console JSON shape), file (OTLP-JSON lines,
// {pid} in the path), http (OTLP/HTTP protobuf, or JSON), grpc (OTLP/gRPC),
// memory (tests) or none. Several may run at once.
//
// # Runtime control
//
// A component's TracerProvider and LoggerProvider never change; Control
// swaps what is behind them. On/off, topics and the sampler are atomic gates
// read at span start. An endpoint change builds a new pipeline generation
// and swaps it in: spans started before the change are still exported by
// the endpoints that were current at their start, and the old generation
// drains and shuts down in the background. The span hot path takes no lock
// that a change holds. When off, Tracer.Start costs a few nanoseconds and no
// allocation, and the caller's span context still flows to outgoing calls.
//
// # Topics
//
// Instrumentation asks for a tracer of topic kernel with
// topic.Kernel.TracerOption() (package telemetry/topic imports only the
// OpenTelemetry API); kernel spans are recorded only when the component's
// topics include kernel.
//
// # Errors
//
// Export failures of all components go to one diagnostics log, deduplicated
// and rate-limited, never into the host's hot path; every endpoint's health
// and its queued, exported, failed and dropped counts are in
// Control.Status.
package telemetry
