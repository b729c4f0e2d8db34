// Package spangen generates OTLP traces for the load tools (bench/ingest,
// bench/store, bench/soak) and the tests of the store: one shape, so that
// figures measured by different tools are of the same data.
//
// The shape is a small web shop: each trace has a root span in service
// "frontend" and the others spread over "orders" and "pricing" (every
// fifth back in frontend), all children of the root, all SERVER spans.
// Each span has 8 attributes of mixed types, named as the semantic
// conventions name them: the HTTP method, route and status code, the
// server address, a user id, the rows read (an int), a cache hit (a bool)
// and an order total (a double); all but the route and the server address
// vary from span to span. Each service has a resource of 4
// attributes and one instrumentation scope. Trace k of a request starts k
// milliseconds after the request's start; each span starts 150 µs after
// the one before it in its trace and lasts 0.2 to 5.2 ms; one span in 50
// has an error status.
//
// Ids are a function of numbers, so that a test can name the trace it
// stored: trace n has [TraceID](n), and span i of trace n has
// [SpanID](n*perTrace+i).
package spangen
