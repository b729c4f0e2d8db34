package plan

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// announced returns the names of the spans mem received announcements of
// with the event ("heartbeat" or "stop"), from the records' bodies.
func announced(t *testing.T, mem *sightlinetest.Memory, event string) []string {
	t.Helper()
	var names []string
	for _, r := range mem.Logs() {
		ev := ""
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			if kv.Key == "partial.event" {
				ev = kv.Value.AsString()
			}
			return true
		})
		if ev != event {
			continue
		}
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces([]byte(r.Body().AsString()))
		if err != nil || td.SpanCount() != 1 {
			t.Fatalf("announcement body: %v, %d spans", err, td.SpanCount())
		}
		if n := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Name(); !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// TestInFlightPlanAndStatus: a plan whose move waits on a motor is
// announced while it waits, with no code of the engine or the device for
// it: the run span and the Status span are open spans of the pipeline,
// and their stop records follow when the move completes.
func TestInFlightPlanAndStatus(t *testing.T) {
	ctx := context.Background()
	name := fmt.Sprintf("plan-inflight-%d", time.Now().UnixNano())
	comp, err := telemetry.Setup(ctx, telemetry.WithEnv(func(k string) (string, bool) {
		v, ok := map[string]string{
			"SIGHTLINE_TELEMETRY_ENABLE": "on", "SIGHTLINE_TELEMETRY_TYPES": "tracing",
			"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "memory", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": name,
			"SIGHTLINE_TELEMETRY_INFLIGHT_THRESHOLD": "20ms", "SIGHTLINE_TELEMETRY_INFLIGHT_INTERVAL": "100ms",
		}[k]
		return v, ok
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer comp.Shutdown(ctx)
	mem := sightlinetest.MemoryEndpoint(name)
	mem.Reset()

	j := &journal{}
	m := &motor{name: "m1", tracer: comp.Tracer("device"), journal: j, manual: true, moved: make(chan float64, 1)}
	d := &det{name: "det1", tracer: comp.Tracer("device"), journal: j}
	re := NewRunEngine(WithTracerProvider(comp.TracerProvider()))
	done := make(chan error, 1)
	go func() {
		_, err := re.Run(ctx, Scan([]device.Readable{d}, m, 0, 1, 2))
		done <- err
	}()
	<-m.moved // the first move waits on its Status
	var open []string
	poll.Until(t, 10*time.Second, "heartbeats of the run and the move's Status", func() bool {
		open = announced(t, mem, "heartbeat")
		return slices.Contains(open, "run scan") && slices.ContainsFunc(open, func(n string) bool { return strings.HasPrefix(n, "MoveStatus") })
	})
	t.Logf("announced while the move waits: %q", open)
	m.mu.Lock()
	m.manual = false // the second move completes at once
	m.mu.Unlock()
	m.finishMoves(nil)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 10*time.Second, "a stop record for each announced span", func() bool {
		return slices.Equal(announced(t, mem, "stop"), open)
	})
}
