package remote_test

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sightline-dev/sightline/remote/server"
)

// discardCollector is a local OTLP/HTTP endpoint that reads and drops what
// it gets, so the benchmark measures the cost of making and exporting spans,
// not of a collector that shares the machine's two cores.
func discardCollector(b *testing.B) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// onEnv turns telemetry on for traces: batch processor, OTLP/HTTP
// protobuf to collector.
func onEnv(collector string) map[string]string {
	return map[string]string{
		"SIGHTLINE_TELEMETRY_ENABLE":         "on",
		"SIGHTLINE_TELEMETRY_TYPES":          "tracing",
		"SIGHTLINE_TELEMETRY_SPAN_PROCESSOR": "batch",
		"OTEL_EXPORTER_OTLP_ENDPOINT":        collector,
		"OTEL_EXPORTER_OTLP_PROTOCOL":        "http/protobuf",
	}
}

// sdkExporter selects the SDK's OTLP exporters instead of sightline's
// (issue 19: the figure before and after, side by side).
var sdkExporter = map[string]string{"SIGHTLINE_TELEMETRY_OTLP_EXPORTER": "sdk"}

// withEnv is env with more's variables added.
func withEnv(env, more map[string]string) map[string]string {
	out := maps.Clone(env)
	maps.Copy(out, more)
	return out
}

// BenchmarkRoundTrip is a no-op command over loopback HTTP, client and
// server in one process, with telemetry off and on (the client program's
// component and the device's, batch processor, OTLP/HTTP protobuf to a
// local endpoint). The figure to read is the ratio on/off
// (docs/performance.md).
func BenchmarkRoundTrip(b *testing.B) {
	collector := discardCollector(b)
	on := onEnv(collector)
	for _, c := range []struct {
		name string
		env  map[string]string
	}{{"telemetry=off", offEnv}, {"telemetry=on", on}, {"telemetry=on,exporter=sdk", withEnv(on, sdkExporter)},
		{"telemetry=on,sampler=0.1", withEnv(on, map[string]string{"SIGHTLINE_TELEMETRY_SAMPLER": "0.1"})},
		{"telemetry=on,inflight=off", withEnv(on, map[string]string{"SIGHTLINE_TELEMETRY_INFLIGHT": "off"})}} {
		b.Run(c.name, func(b *testing.B) {
			d := server.NewDevice("bench/noop/1", "Noop")
			server.Command(d, "Noop", func(context.Context, server.Void) (server.Void, error) { return server.Void{}, nil })
			_, addr := startServer(b, "BenchServer/rt", c.env, nil, d)
			dev := dial(b, addr, c.env).Device("bench/noop/1")
			ctx := context.Background()
			if err := dev.Command(ctx, "Noop", nil, nil); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := dev.Command(ctx, "Noop", nil, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRoundTripProcesses is BenchmarkRoundTrip with the device server
// in a separate process (this test binary re-executed), as a deployment
// has it: each process makes and exports its own span.
func BenchmarkRoundTripProcesses(b *testing.B) {
	collector := discardCollector(b)
	on := onEnv(collector)
	for _, c := range []struct {
		name string
		env  map[string]string
	}{{"telemetry=off", offEnv}, {"telemetry=on", on}, {"telemetry=on,exporter=sdk", withEnv(on, sdkExporter)}} {
		b.Run(c.name, func(b *testing.B) {
			addr, stop := startServerProcess(b, c.env)
			defer stop()
			dev := dial(b, addr, c.env).Device("lab/calc/1")
			ctx := context.Background()
			if err := dev.Command(ctx, "Echo", "", nil); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := dev.Command(ctx, "Echo", "", nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
