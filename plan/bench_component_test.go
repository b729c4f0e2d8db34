package plan

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// BenchmarkEngineComponent measures the engine as a user runs it: a
// sightline component with a memory endpoint (simple processor, default
// topics: kernel spans off), disabled ("off") or enabled ("on"), driving the
// same 10,006-message scan of instant devices. The two are alternated in
// one benchmark so both see the same machine; the metric "on/off" is the
// ratio of their times.
func BenchmarkEngineComponent(b *testing.B) {
	ctx := context.Background()
	name := fmt.Sprintf("bench-engine-%d", time.Now().UnixNano())
	comp, err := telemetry.Setup(ctx, telemetry.WithEnv(func(k string) (string, bool) {
		v, ok := map[string]string{
			"SIGHTLINE_TELEMETRY_ENABLE":            "on",
			"SIGHTLINE_TELEMETRY_TYPES":             "tracing",
			"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "memory",
			"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": name,
		}[k]
		return v, ok
	}))
	if err != nil {
		b.Fatal(err)
	}
	defer comp.Shutdown(ctx)
	mem := sightlinetest.MemoryEndpoint(name)
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
