// Package admin controls telemetry components from outside the process: a
// JSON HTTP API (Handler) and a typed Go client (Client). It does what
// PyTango's admin device does for telemetry (start, stop, topics, endpoints,
// sampler), with authentication, validation that names the bad field, and
// an audit record of every change.
//
// # Serving
//
//	h, err := admin.NewHandler(admin.WithComponents(comp))
//	...
//	err = h.ListenAndServe(ctx, "127.0.0.1:8761") // until ctx ends
//
// A device server that creates devices at runtime calls h.Add and h.Remove;
// a server with its own mux mounts h (its routes live under PathPrefix) and
// checks its listen address with CheckAddress.
//
// # Routes
//
// Component names may contain '/' ("sim/motor/1"); clients escape them into
// one path segment (url.PathEscape).
//
//	GET  /telemetry/v1/components                       {"components":["a","b"]}
//	GET  /telemetry/v1/components/{name}/status         telemetry.Status
//	POST .../{name}/start, .../{name}/stop              {"enabled":true}
//	GET|PUT .../{name}/topics                           {"topics":["user","kernel"]}
//	GET|PUT .../{name}/tracing, .../{name}/logging      {"enabled":true}
//	GET|PUT|POST|DELETE .../tracing/endpoints, .../logging/endpoints
//	                                                    {"endpoints":[{"exporter":"http","url":"..."}]}
//	                                                    (POST and DELETE take one {"exporter":..,"url":..})
//	GET|PUT .../{name}/sampler                          {"name":"parentbased_traceidratio","ratio":0.1}
//
// A change answers 200 with the new value in the GET shape. Bad input gets
// a 4xx with {"error":..,"field":..,"value":..,"allowed":[..]} and changes
// nothing. docs/admin-api.md has every route with examples and the status
// codes.
//
// # Security
//
// Requests that change something (POST, PUT, DELETE) need "Authorization:
// Bearer TOKEN" when a token is configured (WithToken, else the
// SIGHTLINE_ADMIN_TOKEN environment variable); the token is compared in
// constant time. Without a token, changes are accepted only on a loopback
// address (naming a loopback Host), and ListenAndServe and Serve refuse to
// listen elsewhere. Changes sent cross-origin by a web page are refused
// (http.CrossOriginProtection), and bodies must be JSON. Reads
// (GET) need no token: they change nothing, but Status shows endpoint URLs
// (OTLP header values are masked).
//
// Every accepted change is logged through the component's own slog logger
// ("telemetry admin change", with the remote address, the setting, its
// value before and after, and whether it was persisted). A change that
// turns the component's log export off is not exported by that component,
// but still reaches its local log handler (telemetry.WithLogHandler).
//
// # Persistence
//
// Runtime changes last until the process ends. With ?persist=1 (Persist()
// in the client) and a Persister (WithPersister), the handler also stores
// the changed setting as the component's properties
// (telemetry.PropertiesFor), so it survives a restart.
package admin
