// Package remote is sightline's device proxy: a light client of Tango-style
// remote devices, whose calls are traced as CLIENT spans with the
// OpenTelemetry API only. The device host (servers, per-device telemetry
// components, properties, the admin routes) is the sub-package
// remote/server; this package is what a program needs to call devices,
// and it depends on no SDK, no SQLite and no sightline telemetry core.
//
// # Proxy
//
// Dial makes a Proxy for a server; Proxy.Device a DeviceProxy with Ping,
// Info, Command, ReadAttribute and WriteAttribute:
//
//	p, err := remote.Dial("127.0.0.1:8770")
//	var sum float64
//	err = p.Device("lab/calc/1").Command(ctx, "Add", map[string]float64{"A": 2, "B": 3}, &sum)
//
// AsDevice returns a value implementing the device interfaces the remote
// device exposes, so a plan drives a remote motor like a local one: Set
// returns a Status that completes when the remote move completes, and
// cancelling it cancels the remote move.
//
// Every call has a deadline: its context's, or the proxy's default
// (DefaultTimeout, WithTimeout); the remaining time travels to the server
// (Sightline-Timeout), which runs the call under it. Failures are *Error
// values carrying the server's code and message; errors.Is matches the Err*
// sentinels (and a timeout matches context.DeadlineExceeded).
//
// The wire protocol (docs/remote-protocol.md) is plain HTTP/JSON; its
// types (DeviceInfo, CommandRequest, AttributeValue, OperationState,
// ErrorBody, the Code of each error and its HTTP status) are this
// package's, shared with remote/server.
//
// # Tracing
//
// The proxy makes a CLIENT span per call, named "<device>.<operation>"
// (lab/calc/1.Add, sim/motor/1.read_position), with rpc.*, server.*,
// device.name and the calling code's location (code.function.name,
// code.file.path, code.line.number); the server makes the SERVER span
// "<Class>.<operation>" under it. Encoding, transport and decoding are
// kernel topic spans (telemetry/topic), recorded when the provider's
// topics include kernel. Client spans of every failed call have status
// Error and carry remote.error.code.
//
// The spans are made with the TracerProvider of WithTracerProvider and the
// trace context is injected with the propagator of WithPropagator; without
// them, with the OpenTelemetry global TracerProvider and the global
// propagator when something installed one, else W3C trace context and
// baggage (so a trace never stops at a device for want of a propagator).
// Dial builds no telemetry of its own: a
// program that wants its calls traced sets up its component (for example
// telemetry.Setup with WithGlobal, or with the service name
// telemetry.ClientServiceName reads from SIGHTLINE_TELEMETRY_CLIENT_SERVICE_NAME,
// as PyTango names its clients) and either installs it globally or passes
// its TracerProvider and Propagator; that component's Control turns the
// client's telemetry on and off at runtime.
//
// A call made under a context carrying a Tracing (ContextWithTracing) is
// traced with it instead. remote/server gives every command and attribute
// handler such a context, so a device that calls another device from a
// command makes its CLIENT span in its own component (service.name = its
// class, service.instance.id = its name), whichever proxy it uses: the
// trace reads caller SERVER -> caller CLIENT -> callee SERVER.
//
// # Device telemetry
//
// A device's telemetry (on/off, tracing and logging, topics, endpoints,
// sampler, persisted as its properties with Persist) is controlled through
// the server's admin routes from the device's proxy, as PyTango's
// DeviceProxy does, with no SDK (DeviceTelemetry; changes send the admin
// token of WithAdminToken, else SIGHTLINE_ADMIN_TOKEN, else, on loopback,
// the token file the server published):
//
//	motor := p.Device("bl12/motor/1").Telemetry()
//	err = motor.SetTopics(ctx, []string{"user", "kernel"}, remote.Persist())
//
// The telemetry/admin client (Component, by the device's name) and
// `sightline ctl --addr SERVER DEVICE ...` reach the same routes.
//
// # Groups
//
// A Group calls many devices at once, as Tango's Group does: one INTERNAL
// span "<group>.<operation>" over the CLIENT span of each member's call,
// and a reply per member in the order they were added.
package remote
