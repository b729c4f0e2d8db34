// Package otelcoltest runs the real OpenTelemetry Collector in tests: the
// program of test/otelcol (a collector distribution built from the
// collector's own Go modules, in a module of its own so that they never
// enter sightline's go.mod) as a child process, with an OTLP receiver on
// loopback and an exporter that writes what it received to files the
// test reads back.
//
//	c := otelcoltest.Start(t)            // builds the program once per test binary
//	cfg.URL = c.GRPCEndpoint()           // "grpc://127.0.0.1:P"; HTTPEndpoint "http://127.0.0.1:P"
//	...
//	poll.Until(t, 30*time.Second, "spans at the collector", func() bool { return len(c.SpanIDs()) >= n })
//	c.Stop()                             // an outage
//	c.Restart()                          // the same ports, the same files
//
// [Build] runs `go build` in test/otelcol of the repository the test runs
// in (found from the working directory, the package's directory under
// `go test`) once per test binary, into the user's cache directory: the
// first build on a machine downloads the collector's modules from the
// module proxy and compiles them (about 70 s on two cores with an empty
// build cache; .ci/run builds it before the tests), later ones only link
// (about 2 s). It fails the test with the build's output when the build
// fails, and skips it only when there is no go command.
//
// [Start] writes the configuration (the one docs/scaling.md shows as the
// tested configuration; a test keeps the two the same): the OTLP receiver
// over gRPC and HTTP on free loopback ports, one pipeline per signal
// (traces, logs) with no processor, and the jsonlines exporter appending
// every request the collector was given as one line of OTLP/JSON to
// traces.jsonl or logs.jsonl in the test's temporary directory. It waits
// until both receivers accept connections, and stops the collector
// (SIGTERM, then SIGKILL after 10 s) when the test ends. [WithFailFirst]
// makes the exporter refuse the first requests of each signal with a
// retryable error (the receiver answers gRPC UNAVAILABLE or HTTP 503), for
// tests of a sender's retries.
//
// The readers ([Collector.Traces], [Collector.Logs], [Collector.SpanIDs],
// [Collector.LogRecords]) read the files as the collector writes them:
// only whole lines count, so a line being written is left for the next
// read. A request is in the file once the collector has answered it with
// success. Call them, and Stop and Restart, from the test's goroutine.
package otelcoltest
