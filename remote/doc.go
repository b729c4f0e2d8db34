// Package remote is sightline's device server and proxy: Tango-style remote
// devices whose calls are traced on both sides without code in the devices.
//
// # Server
//
// A Server hosts devices named domain/family/member. A device declares
// typed commands and attributes:
//
//	d := remote.NewDevice("lab/calc/1", "Calc")
//	remote.Command(d, "Add", func(ctx context.Context, s Sum) (float64, error) { ... })
//	remote.Attribute(d, "gain", readGain, writeGain, remote.Unit("x"))
//
// or Expose derives them from the device interfaces (a sim.Motor becomes a
// device with Read, Describe, Set, Stop, Stage and Unstage). Server.Add
// starts a device: its stored properties (WithPropertyStore) are read, and
// its own telemetry component is set up with service.name = its class (or
// Device.SetServiceName), service.instance.id = its name and
// service.namespace (WithNamespace). The server answers the device routes
// (docs/remote-protocol.md: HTTP/JSON, one request per call, keep-alive)
// and the telemetry/admin routes of every device and of itself
// (dserver/<name>, which also has Tango's admin commands QueryDevice,
// DevRestart, DevStop and DevStart) on one address.
//
// # Proxy
//
// Dial makes a Proxy; Proxy.Device a DeviceProxy with Ping, Info, Command,
// ReadAttribute, WriteAttribute and Telemetry (runtime control of that
// device's telemetry: start, stop, topics, endpoints, sampler; with
// admin.Persist() a change is stored as its properties). AsDevice returns a
// value implementing the device interfaces the remote device exposes, so a
// plan drives a remote motor like a local one: Set returns a Status that
// completes when the remote move completes, and cancelling it cancels the
// remote move.
//
// Telemetry changes through DeviceTelemetry need the server's admin token,
// also on loopback (telemetry/admin, "Security"): WithToken, else
// SIGHTLINE_ADMIN_TOKEN, else, for a server on a loopback address, the
// token file the server published in the user's runtime directory while
// it serves. A Server without a configured token (WithAdminToken,
// SIGHTLINE_ADMIN_TOKEN) generates one, and refuses to serve where other
// hosts can reach it.
//
// Every call has a deadline: its context's, or the proxy's default
// (DefaultTimeout); the remaining time travels to the server
// (Sightline-Timeout), which runs the call under it. Failures are *Error
// values carrying the server's code and message; errors.Is matches the Err*
// sentinels (and a timeout matches context.DeadlineExceeded).
//
// # Tracing
//
// The proxy makes a CLIENT span per call, named "<device>.<operation>"
// (lab/calc/1.Add, sim/motor/1.read_position), with rpc.*, server.*,
// device.name and the calling code's location (code.function.name,
// code.file.path, code.line.number). The server makes a SERVER span named
// "<Class>.<operation>" (Calc.Add, Calc.read_gain, Calc.write_gain) with
// device.name, device.class, client.address/port, the client's host, pid
// and program (sightline.client.*), and thread.id (the id of the goroutine
// serving the connection). Encoding, transport and decoding are kernel
// topic spans, recorded when a component's topics include kernel.
//
// The W3C trace context goes with every call. A device whose telemetry is
// off, or whose topics filter its span out, still passes the caller's
// context on to the calls it makes, so a chain A -> B(off) -> C keeps C in
// A's trace.
//
// The proxy traces with its own component, service.name from
// SIGHTLINE_TELEMETRY_CLIENT_SERVICE_NAME (default sightline.client), whose
// Control the client changes at runtime (Proxy.Telemetry); or with the
// component given by WithTelemetry.
//
// Server spans of calls refused for the caller's mistake (4xx: unknown
// command, bad argument) carry remote.error.code but no error status; those
// the server failed (5xx) have status Error. Client spans of every failed
// call have status Error.
package remote
