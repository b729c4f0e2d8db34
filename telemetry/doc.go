// Package telemetry sets up OpenTelemetry tracing and logs for a component
// from the environment in one call, and lets it be changed at runtime
// without a restart and without losing what is in flight.
//
// # Setup
//
//	comp, err := telemetry.Setup(ctx, telemetry.WithServiceName("motor-server"), telemetry.WithGlobal())
//	if err != nil {
//		return err // no usable component: the resource could not be built, or WithStrict
//	}
//	defer comp.Shutdown(context.Background())
//	tracer := comp.Tracer("example.com/motor")
//	logger := comp.Logger() // slog, bridged to OpenTelemetry logs
//
// Setup returns an error only when no usable component exists. A bad
// setting (a variable, a WithConfig field or a stored property) does not
// stop it: the setting keeps the value from the layer below or its default,
// the problem (setting, value, what is allowed, what is used instead) is
// logged once to the diagnostics log, and Control().Status().Problems lists
// it (the admin API serves it as "problems"). WithStrict turns any problem
// into an error and no component.
//
// # Configuration layers
//
// One precedence rule, lowest first:
//
//  1. defaults;
//  2. the environment: SIGHTLINE_TELEMETRY_* and the standard OTEL_*
//     variables (docs/configuration.md lists every one, and a test keeps
//     that list and this package in step);
//  3. code options (WithConfig, WithServiceName, ...): the program's
//     defaults, so they win over the environment, as explicit options do;
//  4. stored properties (WithProperties, Tango's telemetry_* keys): the
//     operator's persisted per-component settings (the admin API's
//     ?persist=1), which must survive a restart even for settings the code
//     sets;
//  5. runtime changes through Control (and the admin API), until the
//     process ends.
//
// Control().Config and Status show every setting's value and the layer it
// came from. Telemetry is off until SIGHTLINE_TELEMETRY_ENABLE=on (or code,
// a property, or Control.Enable) turns it on.
//
// One process may hold several components, each with its own resource
// (service.name, service.namespace, service.instance.id, host.name,
// process.pid, process.executable.name, ...) and its own Control.
//
// # Process-wide state
//
// Setup touches the OpenTelemetry globals only with WithGlobal, which
// installs the component's TracerProvider and LoggerProvider, its
// propagator (OTEL_PROPAGATORS, default W3C tracecontext and baggage) and
// sightline's error handler (the SDK's internal errors go to the
// diagnostics log). Without it, a second component never changes what the
// first, or the program, installed; give instrumentation the component's
// providers and Component.Propagator explicitly. Process-wide in any case:
// the diagnostics log (SetDiagnostics; its level follows the last Setup's
// SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL), the exporter registry
// (RegisterExporter) and the default provider factory
// (SetDefaultProviderFactory, as PyTango's
// set_telemetry_tracer_provider_factory: components set up afterwards
// build their TracerProviders with it, earlier ones keep theirs).
//
// # Exporters
//
// Each endpoint is an exporter and a destination: console (stdout/stderr,
// in OpenTelemetry Python's console JSON shape), file (OTLP-JSON lines,
// {pid} in the path; console JSON with console: before the path, as Ray's
// per-process span files), http (OTLP/HTTP protobuf, or JSON), grpc (OTLP/gRPC)
// or none, and any exporter added with RegisterExporter (a factory per
// name, called with the endpoint, in the style of OpenTelemetry contrib's
// autoexport). Package sightlinetest registers "memory" for tests; this
// package does not depend on the SDK's test packages. Several endpoints may
// run at once.
//
// # Runtime control
//
// A component's TracerProvider and LoggerProvider never change; Control
// swaps what is behind them. Control.Enable and Control.Disable are the
// runtime switch (PyTango's start and stop, whose names the admin routes
// keep); the component's life ends with Shutdown. On/off, topics and the
// sampler are atomic gates read at span start. An endpoint change builds a
// new pipeline generation and swaps it in: spans started before the change
// are still exported by the endpoints that were current at their start,
// and the old generation drains and shuts down in the background. The span
// hot path takes no lock that a change holds. When off, Tracer.Start costs
// a few nanoseconds and no allocation, and the caller's span context still
// flows to outgoing calls.
//
// # In-flight spans
//
// A recording, sampled span still open after a threshold (default 1 s) is
// announced while it runs: a heartbeat log record carrying the span as it
// is now goes to each of its pipeline's endpoints that want it (http and
// grpc on their logs signal, registered exporters such as memory; console
// and file only with SIGHTLINE_TELEMETRY_INFLIGHT=on), again every
// interval (default 10 s), and a stop record when it ends; the finished
// span is exported as always. Starting a span only appends it to a
// sharded buffer; a background sweeper per pipeline generation does the
// rest, within bounds (records per second, bytes per record, spans
// watched) whose overflow is counted in Status.InFlight. The wire format
// is the partial-span heartbeat convention of the OpenTelemetry contrib
// proposals (docs/api.md); the settings are in docs/configuration.md.
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
