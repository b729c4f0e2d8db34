// Package sightlinetest gives tests of programs that use sightline an
// in-memory recorder with assertions and a real OTLP receiver.
//
// # Recorder
//
// [NewRecorder] routes a component's spans and logs to memory:
//
//	rec := sightlinetest.NewRecorder(t)
//	comp, _ := telemetry.Setup(ctx, rec.Options()...)
//	runCodeUnderTest(comp)
//	rec.RequireSpanNames("scan", "move motor1")
//	rec.RequireParent("move motor1", "scan")
//
// # Receiver
//
// [NewReceiver] starts an OTLP/gRPC and an OTLP/HTTP server on 127.0.0.1,
// each on a free port, and stops both when the test ends. Everything it
// receives is decoded with the OpenTelemetry Collector's pdata packages and
// kept, flattened, for the test to inspect:
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
// The HTTP server follows the OTLP/HTTP specification: POST only (405
// otherwise), Content-Type application/x-protobuf or application/json (415
// otherwise), Content-Encoding gzip or none, bodies up to 64 MiB (413
// beyond), and responses in the request's encoding; an error response
// (400 for a body that cannot be decoded) is a google.rpc.Status whose
// message says what was wrong.
//
// [Receiver.SetFailing] makes both servers refuse every export (HTTP 503 with
// Retry-After: 1, gRPC UNAVAILABLE) so that tests can check how a program
// behaves while its collector is down; [Receiver.Requests] counts the accepted
// and refused export requests.
package sightlinetest
