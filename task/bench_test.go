package task

import (
	"context"
	"flag"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/task/natstest"
)

// BenchmarkJetStream measures tasks of a no-op function submitted and
// waited for (benchSubmitters at a time) through a real nats-server,
// served by an in-process Worker on its own connection, with tracing off
// (a no-op provider) and on (the SDK with a batch span processor exporting
// OTLP/HTTP to an in-process sightlinetest receiver, so the receiver's
// decoding shares the machine; -args -bench.discard exports to a
// discarding exporter instead).
//
// tracing=on reports its slowdown against all tracing=off runs before it.
// On a shared, noisy machine the paired sub-benchmark is steadier: it runs
// both pipelines at once and alternates chunks of tasks between them, and
// reports the ratio of the times (each of its b.N iterations is one task
// with tracing off and one with tracing on).
//
//	go test -run '^$' -bench BenchmarkJetStream -count 5 ./task/
func BenchmarkJetStream(b *testing.B) {
	url := natstest.Start(b)
	recv := sightlinetest.NewReceiver(b)
	for _, on := range []bool{false, true} {
		b.Run("tracing="+map[bool]string{false: "off", true: "on"}[on], func(b *testing.B) {
			p := newBenchPipeline(b, url, recv, on)
			b.ResetTimer()
			elapsed := p.run(b, b.N)
			b.StopTimer()
			rate := float64(b.N) / elapsed.Seconds()
			offRuns.Lock()
			if !on {
				offRuns.tasks += b.N
				offRuns.elapsed += elapsed
			} else if offRuns.tasks > 0 {
				b.ReportMetric(float64(offRuns.tasks)/offRuns.elapsed.Seconds()/rate, "slowdown")
			}
			offRuns.Unlock()
			b.ReportMetric(rate, "tasks/s")
		})
	}
	b.Run("paired", func(b *testing.B) {
		off := newBenchPipeline(b, url, recv, false)
		on := newBenchPipeline(b, url, recv, true)
		b.ResetTimer()
		var tOff, tOn time.Duration
		for done := 0; done < b.N; done += benchChunk {
			n := min(benchChunk, b.N-done)
			tOff += off.run(b, n)
			tOn += on.run(b, n)
		}
		b.StopTimer()
		b.ReportMetric(tOn.Seconds()/tOff.Seconds(), "slowdown")
		b.ReportMetric(float64(b.N)/tOff.Seconds(), "off-tasks/s")
		b.ReportMetric(float64(b.N)/tOn.Seconds(), "on-tasks/s")
	})
}

var benchDiscard = flag.Bool("bench.discard", false,
	"BenchmarkJetStream: export spans to a discarding exporter instead of an in-process OTLP receiver")

const (
	benchWorkers    = 8   // worker concurrency
	benchSubmitters = 32  // goroutines submitting and waiting
	benchChunk      = 512 // tasks per turn in the paired benchmark
)

var (
	// offRuns sums the tasks and time of the tracing=off runs so far.
	offRuns struct {
		sync.Mutex
		tasks   int
		elapsed time.Duration
	}
	benchRun atomic.Int64 // names each pipeline's stream apart
)

// benchPipeline is a client and a worker on a stream of their own.
type benchPipeline struct {
	c *Client
}

func newBenchPipeline(b *testing.B, url string, recv *sightlinetest.Receiver, tracing bool) *benchPipeline {
	b.Helper()
	ctx := context.Background()
	var tp trace.TracerProvider = noop.NewTracerProvider()
	if tracing {
		var exp sdktrace.SpanExporter = tracetest.NewNoopExporter()
		if !*benchDiscard {
			var err error
			if exp, err = otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(recv.HTTPEndpoint()+"/v1/traces")); err != nil {
				b.Fatal(err)
			}
		}
		sdk := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
		b.Cleanup(func() { _ = sdk.Shutdown(context.Background()) })
		tp = sdk
	}
	n := benchRun.Add(1)
	stream, prefix := WithStream(fmt.Sprintf("BENCH_%d", n)), WithSubjectPrefix(fmt.Sprintf("bench.%d", n))
	withTP, withProp := WithTracerProvider(tp), WithPropagator(propagation.TraceContext{})
	reg := NewRegistry()
	if err := RegisterIn(reg, "noop", func(context.Context, int) (int, error) { return 0, nil }); err != nil {
		b.Fatal(err)
	}
	c, err := DialNATS(ctx, url, withTP, withProp, stream, prefix)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	w, err := NewNATSWorker(ctx, url, withTP, withProp, stream, prefix, WithConcurrency(benchWorkers), WithRegistry(reg))
	if err != nil {
		b.Fatal(err)
	}
	runWorker(b, w)
	p := &benchPipeline{c: c}
	p.run(b, 1) // the worker serves once a task comes back
	return p
}

// run submits n tasks, benchSubmitters at a time, waits for them all and
// returns how long that took.
func (p *benchPipeline) run(b *testing.B, n int) time.Duration {
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range min(benchSubmitters, n) {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				f, err := p.c.Submit(ctx, "noop", 0)
				if err == nil {
					err = f.Wait(ctx, nil)
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}
