// Package web serves what `sightline serve` shows on its UI address: the
// JSON query API over the store (api*.go), Tempo-compatible trace-by-id
// endpoints for Grafana, and the viewer's pages (ui.go, ui/). docs/api.md
// documents every route with curl examples, docs/viewer.md the viewer.
//
// The API answers JSON only (the Tempo endpoints also protobuf when asked,
// as Tempo does), sets X-Content-Type-Options: nosniff on every answer,
// sends no CORS headers unless WithCORSOrigins names the origins that may
// read it, and on a loopback address refuses requests for other host
// names (DNS rebinding; see WithAllowedHosts). Every handler passes its
// request's context to the store, whose queries stop when it ends, and
// checks it again before encoding an answer: a client that has gone gets
// nothing and costs little more.
package web
