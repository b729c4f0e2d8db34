package telemetry_test

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// A span open longer than the in-flight threshold is announced while it
// runs: a heartbeat record carries the span as it is now, and a stop
// record the ended span. Both go to the span's endpoint (here a memory
// one) on the logs signal; the finished span is exported as always.
func ExampleControl_SetInFlightThreshold() {
	ctx := context.Background()
	comp, err := telemetry.Setup(ctx, telemetry.WithEnv(func(name string) (string, bool) {
		v, ok := map[string]string{
			"SIGHTLINE_TELEMETRY_ENABLE":            "on",
			"SIGHTLINE_TELEMETRY_TYPES":             "tracing",
			"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "memory",
			"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": "example-inflight",
		}[name]
		return v, ok
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := comp.Control().SetInFlightThreshold(20 * time.Millisecond); err != nil {
		fmt.Println(err)
		return
	}
	_, scan := comp.Tracer("example.com/plan").Start(ctx, "scan")
	// The sweeper announces the span in the background; wait for it.
	for deadline := time.Now().Add(10 * time.Second); comp.Control().Status().InFlight.Heartbeats == 0 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	scan.End()
	_ = comp.Shutdown(ctx)

	recs := sightlinetest.MemoryEndpoint("example-inflight").Logs()
	for _, r := range []sdklog.Record{recs[0], recs[len(recs)-1]} {
		var event string
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			if kv.Key == "partial.event" {
				event = kv.Value.AsString()
			}
			return true
		})
		td, _ := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces([]byte(r.Body().AsString()))
		span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		fmt.Println(event, span.Name(), "ended:", span.EndTimestamp() != 0)
	}
	// Output:
	// heartbeat scan ended: false
	// stop scan ended: true
}
