package telemetry_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/telemetry"
)

// TestExportResumesAfterOutage (issue 13, defect 5): a batch processor
// exports continuously to a real collector that goes away for 6 s and comes
// back on the same port. By then grpc-go's default reconnect backoff has
// grown past 4 s, and the SDK's default retry sleeps 2.5 to 7.5 s between
// attempts. The collector returns at the worst moment for the exporter:
// just after it tried to connect (the port is first reopened in reset
// mode, which closes connections at once, until the exporter's next
// attempt). A span started after the collector is back must be received
// within 2 s, over gRPC as over HTTP.
func TestExportResumesAfterOutage(t *testing.T) {
	const outage, resumeWithin = 6 * time.Second, 2 * time.Second
	for _, exporter := range []string{"grpc", "http"} {
		t.Run(exporter, func(t *testing.T) {
			t.Parallel()
			rcv, col := flakyReceiver(t, exporter, forward)
			ctx := context.Background()
			c, err := telemetry.Setup(ctx, env("SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_TYPES", "tracing",
				"SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL", "off", "SIGHTLINE_TELEMETRY_SPAN_PROCESSOR", "batch",
				"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", exporter, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", col.url(exporter)))
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				_ = c.Shutdown(sctx)
			}()

			// Emit about 4,000 spans a second, numbered, until the test ends.
			var seq atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			defer func() { close(stop); wg.Wait() }()
			wg.Go(func() {
				tr := c.Tracer("resume")
				tick := time.NewTicker(time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
					}
					for range 4 {
						_, s := tr.Start(ctx, "work", trace.WithAttributes(attribute.Int64("seq", seq.Add(1))))
						s.End()
					}
				}
			})
			poll.Until(t, 10*time.Second, "spans to flow before the outage", func() bool { return len(rcv.Spans()) > 0 })

			col.down()
			outageOver := time.NewTimer(outage) // the outage itself, not a wait for a condition
			<-outageOver.C
			col.up(reset)
			attempts := col.accepted.Load()
			poll.Until(t, 30*time.Second, "the exporter's next connection attempt", func() bool {
				return col.accepted.Load() > attempts
			})
			dropped := c.Control().Status().Spans.Dropped
			rcv.Reset()
			col.setMode(forward)
			back, after := time.Now(), seq.Load()

			var resumed time.Duration
			poll.Until(t, 30*time.Second, "a span started after the collector's return", func() bool {
				for _, s := range rcv.Spans() {
					if v, ok := s.Attributes().Get("seq"); ok && v.Int() > after {
						resumed = time.Since(back)
						return true
					}
				}
				return false
			})
			t.Logf("%s: resumed %v after the collector's return (%d spans dropped during the %v outage)",
				exporter, resumed.Round(time.Millisecond), dropped, outage)
			if resumed > resumeWithin {
				t.Errorf("%s: a span started after the collector's return arrived %v later, want within %v",
					exporter, resumed.Round(time.Millisecond), resumeWithin)
			}
		})
	}
}
