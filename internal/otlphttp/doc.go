// Package otlphttp sends OTLP over HTTP the way the OTLP/HTTP
// specification asks of a client: one URL and content type per [Sender],
// retries of throttling and unavailability answers (429, 502, 503, 504)
// with jittered exponential backoff that honours Retry-After, all within a
// per-send timeout, and errors that quote the server's google.rpc.Status.
// [Client] sends pdata traces and logs with protobuf encoding and reports
// the receiver's partial success: `sightline import` uses it to load files
// into a running collector.
//
// It is shared by both sides of the module: the toolkit's OTLP-JSON
// exporters (telemetry/internal/otlpjson) send through a Sender, and the
// binary's importer through a Client. It knows neither the SDK nor the
// collector.
package otlphttp
