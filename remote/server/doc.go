// Package server is sightline's device host: a Tango-style device server
// whose devices are called through the remote protocol
// (docs/remote-protocol.md) by remote.Proxy, or by any HTTP client, and
// whose calls are traced without code in the devices. Each device has its
// own telemetry component, stored properties and admin routes; a program
// that only calls devices needs the light package remote instead.
//
// # Devices
//
// A device is named domain/family/member and declares typed commands and
// attributes:
//
//	d := server.NewDevice("lab/calc/1", "Calc")
//	server.Command(d, "Add", func(ctx context.Context, s Sum) (float64, error) { ... })
//	server.Attribute(d, "gain", readGain, writeGain, server.WithUnit("x"))
//
// or Expose derives them from the device interfaces (a sim.Motor becomes a
// device with Read, Describe, Set, Stop, Stage and Unstage).
//
// # Server
//
// New makes a server named Class/instance; Server.Add starts a device: its
// stored properties (WithPropertyStore) are read, and its own telemetry
// component is set up with service.name = its class (or WithServiceName),
// service.instance.id = its name and service.namespace (WithNamespace),
// plus the device's own extra resource attributes (WithResourceAttributes,
// PyTango's device-level extra_resource_attributes), on its spans only.
// ListenAndServe (or Serve) answers the device routes (HTTP/JSON, one
// request per call, keep-alive) and the telemetry/admin routes of every
// device and of the server itself (dserver/<name>, which also has Tango's
// admin commands QueryDevice, DevRestart, DevStop and DevStart) on one
// address.
//
// A device's telemetry is controlled at runtime with the telemetry/admin
// client (component name = device name) or `sightline ctl`: on and off,
// topics, endpoints, sampler; with admin.Persist() a change is stored as
// its properties, which apply again on DevRestart. Changes need the
// server's admin token, also on loopback (telemetry/admin, "Security"):
// WithAdminToken, else SIGHTLINE_ADMIN_TOKEN, else one the server generates
// and publishes, while it serves, in the token file of the user's runtime
// directory, where admin.WithRuntimeToken reads it. A server without a
// configured token refuses to serve where other hosts can reach it.
//
// # Tracing
//
// The server makes a SERVER span per call named "<Class>.<operation>"
// (Calc.Add, Calc.read_gain, Calc.write_gain) in the device's component,
// with device.name, device.class, client.address/port, the client's host,
// pid and program (sightline.client.*), and thread.id (the id of the
// goroutine serving the connection). Decoding and encoding are kernel
// topic spans. A Status returned by an async command (Set, Trigger) is a
// span of the device's component too.
//
// The W3C trace context (the device component's propagator) is read from
// every call. A device whose telemetry is off, or whose topics filter its
// span out, still passes the caller's context on to the calls it makes, so
// a chain A -> B(off) -> C keeps C in A's trace.
//
// A handler's context carries the device: ComponentFrom returns its
// component (logger, tracer), and every remote.Proxy call made under it is
// a CLIENT span of the device's component (remote.ContextWithTracing), so
// a device calling another device reads, in the trace, as the device and
// not as an anonymous client.
//
// Server spans of calls refused for the caller's mistake (4xx: unknown
// command, bad argument) carry remote.error.code but no error status; those
// the server failed (5xx) have status Error.
package server
