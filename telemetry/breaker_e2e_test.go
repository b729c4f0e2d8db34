package telemetry_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/telemetry"
)

// TestHungCollectorDoesNotSlowSimpleProcessor (issue 13, defect 6): a
// collector that accepts connections and never answers, behind a simple
// processor. A loop meant to emit 2,000 spans a second (with a log record
// each in the logs cases) must see at most one slow call per signal: the
// export that times out (the default sync timeout). Every later item is
// dropped or kept to probe with, and counted; the endpoint shows failing.
// When the collector works again, the background probe recovers the
// endpoint and new items are exported, each item counted exactly once.
func TestHungCollectorDoesNotSlowSimpleProcessor(t *testing.T) {
	for _, tc := range []struct {
		exporter string
		logs     bool
	}{{"http", false}, {"grpc", false}, {"http", true}, {"grpc", true}} {
		name := tc.exporter + "/traces"
		if tc.logs {
			name += "+logs"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rcv, col := flakyReceiver(t, tc.exporter, hang)
			types := "tracing"
			if tc.logs {
				types = "tracing,logging"
			}
			ctx := context.Background()
			c, err := telemetry.Setup(ctx, env("SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_SPAN_PROCESSOR", "simple",
				"SIGHTLINE_TELEMETRY_TYPES", types, "SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL", "off",
				"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", tc.exporter, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", col.url(tc.exporter),
				"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS", tc.exporter, "SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS", col.url(tc.exporter)))
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := c.Shutdown(ctx); err != nil {
					t.Error(err)
				}
			}()
			signals := 1
			if tc.logs {
				signals = 2
			}

			const spans, perSecond = 2000, 2000
			timeout := telemetry.DefaultSyncExportTimeout
			slow, worst := emitPaced(c, 0, spans, perSecond, tc.logs, timeout/2)
			if slow > signals {
				t.Errorf("%d calls took longer than %v (worst %v), want at most %d: the export that timed out",
					slow, timeout/2, worst, signals)
			}
			// The logs endpoint is built but not fed when only tracing is on.
			fed := func(e telemetry.EndpointStatus) bool { return tc.logs || e.Signal == telemetry.SignalTraces }
			st := c.Control().Status()
			for _, e := range st.Endpoints {
				if !fed(e) {
					continue
				}
				if e.State != "failing" || e.FailingSince == nil || e.LastError == "" {
					t.Errorf("%s %s: state %q since %v, last error %q; want failing with both", e.Signal, e.Endpoint, e.State, e.FailingSince, e.LastError)
				}
				if e.Exported != 0 || e.Failed != 1 || e.Failed+e.Dropped+uint64(e.Pending) != spans {
					t.Errorf("%s: exported %d, failed %d, dropped %d, pending %d; want 0 exported, 1 failed, all %d accounted",
						e.Signal, e.Exported, e.Failed, e.Dropped, e.Pending, spans)
				}
			}

			// The collector works again: the prober recovers every endpoint
			// without a span having to wait for it.
			col.setMode(forward)
			poll.Until(t, 20*time.Second, "the endpoints to recover", func() bool {
				for _, e := range c.Control().Status().Endpoints {
					if e.State != "ok" {
						return false
					}
				}
				return true
			})
			const after = 10
			if slow, worst := emitPaced(c, spans, after, perSecond, tc.logs, timeout/2); slow > 0 {
				t.Errorf("after recovery %d calls took longer than %v (worst %v)", slow, timeout/2, worst)
			}
			// Every item is exported, failed or dropped exactly once, and
			// what the receiver holds is what was counted exported: the
			// probe's payload and every item after recovery.
			poll.Until(t, 10*time.Second, "every item to be accounted for", func() bool {
				st := c.Control().Status()
				for _, e := range st.Endpoints {
					if !fed(e) {
						continue
					}
					got := len(rcv.Spans())
					if e.Signal == telemetry.SignalLogs {
						got = len(rcv.Logs())
					}
					if e.Exported+e.Failed+e.Dropped != spans+after || e.Pending != 0 || uint64(got) != e.Exported || e.Exported < after+1 {
						return false
					}
				}
				return true
			})
			names := map[string]bool{}
			for _, s := range rcv.Spans() {
				names[s.Name()] = true
			}
			for i := range after {
				if n := fmt.Sprintf("span %d", spans+i); !names[n] {
					t.Errorf("%s, ended after recovery, not received", n)
				}
			}
		})
	}
}

// emitPaced ends n spans (numbered from first) at perSecond, each with a log
// record when logs is set, never waiting to catch up when behind. It
// returns how many span.End and log calls took longer than slow, and the
// longest.
func emitPaced(c *telemetry.Component, first, n, perSecond int, logs bool, slow time.Duration) (int, time.Duration) {
	tr := c.Tracer("hung")
	lg := c.Logger()
	var count int
	var worst time.Duration
	timed := func(f func()) {
		start := time.Now()
		f()
		if d := time.Since(start); d > slow {
			count++
			worst = max(worst, d)
		}
	}
	start := time.Now()
	for i := range n {
		if due := start.Add(time.Duration(i) * time.Second / time.Duration(perSecond)); time.Until(due) > 0 {
			time.Sleep(time.Until(due)) // pacing the load, not waiting for a condition
		}
		ctx, s := tr.Start(context.Background(), fmt.Sprintf("span %d", first+i))
		s.SetAttributes(attribute.Int("i", first+i))
		if logs {
			timed(func() { lg.InfoContext(ctx, "step", "i", first+i) })
		}
		timed(func() { s.End() })
	}
	return count, worst
}

// TestHungCollectorBatchExportIsBounded: with the batch processor a hung
// collector never slows span.End (the queue takes the span or drops it,
// counted), and each export gives up at its timeout
// (OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, here 300 ms), so failures are counted
// within a few timeouts, not after the 10 s default, and Shutdown accounts
// for every span.
func TestHungCollectorBatchExportIsBounded(t *testing.T) {
	for _, exporter := range []string{"http", "grpc"} {
		t.Run(exporter, func(t *testing.T) {
			t.Parallel()
			_, col := flakyReceiver(t, exporter, hang)
			ctx := context.Background()
			c, err := telemetry.Setup(ctx, env("SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_TYPES", "tracing",
				"SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL", "off", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "300",
				"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", exporter, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", col.url(exporter)))
			if err != nil {
				t.Fatal(err)
			}
			const spans = 3000 // more than the queue holds
			start := time.Now()
			slow, worst := emitPaced(c, 0, spans, 1e9, false, 50*time.Millisecond)
			if slow > 0 {
				t.Errorf("%d span.End calls took longer than 50ms (worst %v) with the batch processor", slow, worst)
			}
			poll.Until(t, 10*time.Second, "two batch exports to time out", func() bool {
				return c.Control().Status().Spans.Failed >= 2*512
			})
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("two exports of 300 ms timeout took %v to fail", took)
			}
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := c.Shutdown(sctx); err != nil {
				t.Fatal(err)
			}
			st := c.Control().Status()
			if got := st.Spans.Exported + st.Spans.Failed + st.Spans.Dropped; got != spans || st.Spans.Exported != 0 {
				t.Errorf("after shutdown: exported %d + failed %d + dropped %d = %d, want 0 exported and all %d accounted",
					st.Spans.Exported, st.Spans.Failed, st.Spans.Dropped, got, spans)
			}
		})
	}
}
