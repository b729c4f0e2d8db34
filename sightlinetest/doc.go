// Package sightlinetest gives tests of programs that use sightline an
// in-memory exporter and recorder with assertions, and a real OTLP
// receiver.
//
// # Memory exporter and Recorder
//
// Importing the package registers the "memory" exporter with
// telemetry.RegisterExporter (package telemetry itself has no test
// exporter). A memory endpoint's URL is a name; [MemoryEndpoint] returns
// what every endpoint of that name in the process received:
//
//	SIGHTLINE_TELEMETRY_TRACING_EXPORTERS=memory
//	SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS=my-test
//	...
//	spans := sightlinetest.MemoryEndpoint("my-test").Spans()
//
// [NewRecorder] gives a test a memory endpoint of its own and assertions:
//
//	rec := sightlinetest.NewRecorder(t)
//	comp, err := telemetry.Setup(ctx, rec.Options()...)
//	if err != nil {
//		t.Fatal(err)
//	}
//	runCodeUnderTest(comp)
//	rec.RequireSpanNames("scan", "move motor1")
//	rec.RequireParent("move motor1", "scan")
//
// # Receiver
//
// [NewReceiver] starts sightline's own OTLP receiver (the one `sightline
// serve` runs: OTLP/gRPC and OTLP/HTTP, protobuf and JSON, gzip, with the
// limits and answers of docs/security.md and docs/api.md) on 127.0.0.1,
// each transport on a free port, with an in-memory sink, and stops it when
// the test ends.
// Everything it receives is decoded with the OpenTelemetry Collector's
// pdata packages and kept, flattened, for the test to inspect:
//
//	func TestCheckout(t *testing.T) {
//		recv := sightlinetest.NewReceiver(t)
//		t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", recv.HTTPEndpoint())
//		t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
//
//		runProgramUnderTest(t)
//
//		spans := recv.RequireSpans(2, 5*time.Second)
//		for _, s := range spans {
//			t.Logf("%s via %s from %v", s.Name(), s.Transport, s.Resource.Attributes().AsRaw())
//		}
//		if got := recv.SpansNamed("checkout"); len(got) != 1 {
//			t.Errorf("want one checkout span, got %d", len(got))
//		}
//	}
//
// For gRPC use [Receiver.GRPCEndpoint] with the Go exporters'
// WithEndpointURL options, which treat any scheme but https as plaintext.
// (The Go SDK's own reading of OTEL_EXPORTER_OTLP_ENDPOINT wants http://
// for plaintext gRPC: replace the scheme there.)
//
// The HTTP server follows the OTLP/HTTP specification: POST /v1/traces and
// /v1/logs only (405 for another method, 404 for another path, 501 for
// /v1/metrics), Content-Type application/x-protobuf or application/json
// and Content-Encoding gzip or none (415 otherwise), bodies up to 64 MiB
// as sent and after decompression (413 beyond); every answer, success or
// error, is in the request's encoding (protobuf when it is unknown), and an
// error is a google.rpc.Status whose message says what was wrong (400 for a
// body that cannot be decoded).
//
// [Receiver.SetFailing] makes the sink refuse every export (HTTP 503 with
// Retry-After: 1, gRPC UNAVAILABLE with RetryInfo), as a collector whose
// store is down does, so that tests can check how a program behaves while
// its collector fails; [Receiver.Requests] counts the accepted and refused
// export requests.
package sightlinetest
