package telemetry_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/topic"
)

// TestReconfigurationStress: goroutines create spans while another goroutine
// changes endpoints, topics and on/off 100 times a second. Every span started
// while on must reach exactly one endpoint, the one current at its start; no
// span started while off may reach any.
func TestReconfigurationStress(t *testing.T) {
	for _, processor := range []string{"simple", "batch"} {
		t.Run(processor, func(t *testing.T) { stress(t, processor) })
	}
}

type startRecord struct {
	id        trace.SpanID
	recording bool
	v1, v2    int64 // endpoint version read before and after Start
}

func stress(t *testing.T, processor string) {
	const changes = 100
	const workers = 4
	epName := func(i int64) string { return fmt.Sprintf("%s.ep%d", memName(t, "x"), i) }
	ctx := context.Background()
	for i := range int64(changes + 1) {
		sightlinetest.MemoryEndpoint(epName(i)).Reset()
	}
	c, err := telemetry.Setup(ctx, env("SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_TOPICS", "all",
		"SIGHTLINE_TELEMETRY_SPAN_PROCESSOR", processor,
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "memory", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", epName(0)))
	if err != nil {
		t.Fatal(err)
	}
	var version atomic.Int64 // index of the current endpoint, stored after the swap
	done := make(chan struct{})
	var changeErr error
	go func() {
		defer close(done)
		tick := time.NewTicker(10 * time.Millisecond) // 100 changes a second
		defer tick.Stop()
		for i := 1; i <= changes; i++ {
			<-tick.C
			switch i % 4 {
			case 0, 2:
				v := version.Load() + 1
				if err := c.Control().SetTracingEndpoints(ctx, []telemetry.Endpoint{{Exporter: "memory", URL: epName(v)}}); err != nil {
					changeErr = err
					return
				}
				version.Store(v)
			case 1:
				if c.Control().Enabled() {
					changeErr = c.Control().Disable()
				} else {
					changeErr = c.Control().Enable(ctx)
				}
			case 3:
				k := c.Control().Topics()
				changeErr = c.Control().SetTopics(telemetry.Topics{User: true, Kernel: !k.Kernel})
			}
			if changeErr != nil {
				return
			}
		}
	}()

	var mu sync.Mutex
	var records []startRecord
	var wg sync.WaitGroup
	for w := range workers {
		tr := c.Tracer("stress")
		if w%2 == 1 {
			tr = c.Tracer("stress-kernel", topic.Kernel.TracerOption())
		}
		wg.Go(func() {
			var local []startRecord
			for {
				select {
				case <-done:
					mu.Lock()
					records = append(records, local...)
					mu.Unlock()
					return
				default:
				}
				v1 := version.Load()
				_, s := tr.Start(ctx, "work")
				v2 := version.Load()
				local = append(local, startRecord{s.SpanContext().SpanID(), s.IsRecording(), v1, v2})
				s.End()
			}
		})
	}
	wg.Wait()
	if changeErr != nil {
		t.Fatalf("change failed: %v", changeErr)
	}
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	where := map[trace.SpanID][]int64{}
	for i := range version.Load() + 1 {
		for _, s := range sightlinetest.MemoryEndpoint(epName(i)).Spans() {
			where[s.SpanContext.SpanID()] = append(where[s.SpanContext.SpanID()], i)
		}
	}
	st := c.Control().Status()
	recorded, off, missing := 0, 0, 0
	for _, r := range records {
		got := where[r.id]
		if !r.recording {
			off++
			if r.id.IsValid() && len(got) > 0 {
				t.Errorf("span %v started while off reached endpoints %v", r.id, got)
			}
			continue
		}
		recorded++
		if len(got) == 0 {
			missing++ // must be accounted for as dropped, checked below
			continue
		}
		if len(got) != 1 {
			t.Errorf("span %v started while on reached %d endpoints (%v), want exactly 1", r.id, len(got), got)
			continue
		}
		if got[0] < r.v1 || got[0] > r.v2+1 {
			t.Errorf("span %v reached endpoint %d; endpoint current at its start was in [%d,%d]", r.id, got[0], r.v1, r.v2+1)
		}
	}
	if uint64(missing) != st.Spans.Dropped+st.Spans.Failed+st.Spans.Lost {
		t.Errorf("%d spans started while on reached no endpoint, but the counters account for %d (dropped %d, failed %d, lost %d)",
			missing, st.Spans.Dropped+st.Spans.Failed+st.Spans.Lost, st.Spans.Dropped, st.Spans.Failed, st.Spans.Lost)
	}
	if uint64(recorded-missing) != st.Spans.Exported {
		t.Errorf("%d spans received, Status says %d exported", recorded-missing, st.Spans.Exported)
	}
	if recorded == 0 || off == 0 {
		t.Errorf("stress did not exercise both states: %d recorded, %d off", recorded, off)
	}
	t.Logf("%s: %d spans recorded, %d started while off, %d dropped (queue full), %d endpoint changes",
		processor, recorded, off, missing, version.Load())
}
