package plan

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// BenchmarkEngineComponent measures the engine as a user runs it: a
// sightline component, disabled ("off") or enabled ("on"), driving the
// same 10,006-message scan of instant devices. The two are alternated in
// one benchmark so both see the same machine; the metric "on/off" is the
// ratio of their times. Two endpoints: "memory" (sightlinetest's, simple
// processor: every span exported in the goroutine that ends it) and
// "otlp-http" (what a deployment has: batch processor, sightline's
// OTLP/HTTP exporter, to a local endpoint that reads and drops the body).
func BenchmarkEngineComponent(b *testing.B) {
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer collector.Close()
	name := fmt.Sprintf("bench-engine-%d", time.Now().UnixNano())
	for _, ep := range []struct{ name, exporter, endpoint string }{
		{"memory", "memory", name}, {"otlp-http", "http", collector.URL + "/v1/traces"},
	} {
		b.Run(ep.name, func(b *testing.B) {
			benchEngineComponent(b, map[string]string{
				"SIGHTLINE_TELEMETRY_ENABLE":            "on",
				"SIGHTLINE_TELEMETRY_TYPES":             "tracing",
				"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": ep.exporter,
				"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": ep.endpoint,
			})
		})
	}
}

func benchEngineComponent(b *testing.B, env map[string]string) {
	ctx := context.Background()
	comp, err := telemetry.Setup(ctx, telemetry.WithEnv(func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}))
	if err != nil {
		b.Fatal(err)
	}
	defer comp.Shutdown(ctx)
	mem := sightlinetest.MemoryEndpoint(env["SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS"])
	be := newBench(b, comp.TracerProvider(), false)
	var tOff, tOn time.Duration
	b.ReportAllocs()
	for b.Loop() {
		_ = comp.Control().Disable()
		tOff += be.run(b)
		_ = comp.Control().Enable(ctx)
		tOn += be.run(b)
		b.StopTimer()
		mem.Reset()
		b.StartTimer()
	}
	n := float64(b.N) * float64(be.msgs)
	b.ReportMetric(float64(tOff.Nanoseconds())/n, "off-ns/msg")
	b.ReportMetric(float64(tOn.Nanoseconds())/n, "on-ns/msg")
	b.ReportMetric(float64(tOn)/float64(tOff), "on/off")
}
