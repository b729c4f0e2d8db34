package telemetry

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// BenchmarkInFlightOverheadRatio runs span start+end through the bare SDK,
// through sightline with in-flight announcing on, and through sightline
// with it off, alternately in chunks of 4096 spans within one benchmark
// (as BenchmarkSpanOverheadRatio does), all with the same processor
// (simple) and exporter (testmem). It reports each sightline variant's
// time per span over the SDK's: "ratio-inflight" and "ratio-off". The
// sweeper of the in-flight variant runs meanwhile, on its own goroutine,
// dropping the ended spans at each sweep.
func BenchmarkInFlightOverheadRatio(b *testing.B) {
	sdkMem := fakeMemoryOf("bench-if-sdk")
	sdkMem.Reset()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(fakeSpans{sdkMem})),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	on := benchComponent(b, "bench-if-on")
	off := benchComponent(b, "bench-if-off")
	if err := off.Control().SetInFlightMode(context.Background(), InFlightOff); err != nil {
		b.Fatal(err)
	}
	if on.state.Load().traces.ann == nil || off.state.Load().traces.ann != nil {
		b.Fatal("the variants do not announce as named")
	}
	mems := []*fakeMemory{sdkMem, fakeMemoryOf("bench-if-on"), fakeMemoryOf("bench-if-off")}
	took := alternateSpans(b, []trace.Tracer{tp.Tracer("bench"), on.Tracer("bench"), off.Tracer("bench")}, mems)
	b.ReportMetric(float64(took[1])/float64(took[0]), "ratio-inflight")
	b.ReportMetric(float64(took[2])/float64(took[0]), "ratio-off")
	b.ReportMetric(float64(took[0].Nanoseconds())/float64(b.N), "sdk-ns/span")
	b.ReportMetric(float64(took[1].Nanoseconds())/float64(b.N), "inflight-ns/span")
	// Spans the live set refused (full buffers: the sweeper did not keep
	// up) cost less than registered ones; say how many there were.
	b.ReportMetric(100*float64(on.inflight.overflow.Load())/float64(b.N), "overflow-%")
}

// BenchmarkInFlightInterval measures what announcing 10,000 open spans
// costs the emitting process per interval. One op is one interval (10 s
// of virtual time): the sweeps of every tick of it (50 at 200 ms), which
// check every span and emit each one's heartbeat once (the per-sweep bound
// spreads them), then a flush, so the export is in the op too. Sweeps are
// called directly with the virtual time, so an op takes only the CPU it
// needs. "cpu-ms/interval" is the process's CPU time (user + system,
// getrusage) per op, all goroutines included (with http: the batch
// processor, the OTLP/HTTP exporter and the test's discarding server), and
// "core-%" is that over the 10 s interval.
func BenchmarkInFlightInterval(b *testing.B) {
	const open = 10_000
	for _, exporter := range []string{"memory", "http"} {
		b.Run(exporter, func(b *testing.B) {
			c, a := benchAnnouncer(b, exporter)
			tp := sdktrace.NewTracerProvider(sdktrace.WithResource(c.res), sdktrace.WithSpanProcessor(registering{a.live}))
			defer func() { _ = tp.Shutdown(context.Background()) }()
			tr := tp.Tracer("bench")
			spans := make([]trace.Span, open)
			for i := range spans {
				_, spans[i] = tr.Start(context.Background(), "open", trace.WithAttributes(benchAttrs...))
			}
			defer func() {
				for _, s := range spans {
					s.End()
				}
			}()
			timing := InFlightSettings{Mode: InFlightAuto, Threshold: DefaultInFlightThreshold, Interval: DefaultInFlightInterval}
			tick := tickFor(timing)
			now := time.Now().Add(timing.Threshold)
			// One interval's sweeps, each flushed when it emitted (the batch
			// processor would export its 512-record batches meanwhile).
			window := func() {
				for end := now.Add(timing.Interval); now.Before(end); now = now.Add(tick) {
					n := c.inflight.heartbeats.Load()
					a.sweep(now, timing, budgetFor(tick))
					if c.inflight.heartbeats.Load() != n {
						flushAnnouncer(b, a)
					}
				}
			}
			window() // the first heartbeats, outside the measure
			before, exported := c.inflight.heartbeats.Load(), c.annTotals.exported.Load()
			cpu0 := cpuTime()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				window()
			}
			b.StopTimer()
			cpu := cpuTime() - cpu0
			if got := c.inflight.heartbeats.Load() - before; got != uint64(open*b.N) {
				b.Fatalf("%d heartbeats in %d intervals of %d open spans, want %d", got, b.N, open, open*b.N)
			}
			if got := c.annTotals.exported.Load() - exported; got != uint64(open*b.N) || c.annTotals.dropped.Load() != 0 {
				b.Fatalf("%d records exported (%d dropped), want %d", got, c.annTotals.dropped.Load(), open*b.N)
			}
			perInterval := float64(cpu.Nanoseconds()) / float64(b.N)
			b.ReportMetric(perInterval/1e6, "cpu-ms/interval")
			b.ReportMetric(100*perInterval/float64(timing.Interval.Nanoseconds()), "core-%")
		})
	}
}

// benchAttrs are the attributes of each open span: a plan step's worth.
var benchAttrs = []attribute.KeyValue{attribute.String("plan", "grid_scan"), attribute.Int("points", 101),
	attribute.String("motor", "bl12/motor/1"), attribute.Float64("start", -1.5), attribute.Float64("stop", 1.5)}

// benchAnnouncer builds a component with one endpoint of exporter (memory:
// testmem, simple processor; http: OTLP/HTTP protobuf to a local server
// that discards, batch processor) and an announcer over its announcement
// sink whose sweeper is not started: the benchmark sweeps.
func benchAnnouncer(b *testing.B, exporter string) (*Component, *announcer) {
	vars := map[string]string{"SIGHTLINE_TELEMETRY_ENABLE": "on", "SIGHTLINE_TELEMETRY_TYPES": "tracing",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": testMem, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": "bench-if-interval"}
	if exporter == "http" {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/x-protobuf")
		}))
		b.Cleanup(srv.Close)
		vars["SIGHTLINE_TELEMETRY_TRACING_EXPORTERS"], vars["SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS"] = "http", srv.URL
	}
	fakeMemoryOf("bench-if-interval").Reset()
	c, err := Setup(context.Background(), WithEnv(func(k string) (string, bool) { v, ok := vars[k]; return v, ok }))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	g := c.state.Load().traces
	if g == nil || g.ann == nil {
		b.Fatal("no announcer")
	}
	return c, newAnnouncer(c, g.annSinks)
}

// flushAnnouncer exports what the announcer's sinks hold (memory: nothing
// left; testmem keeps what it got, so it is reset).
func flushAnnouncer(b *testing.B, a *announcer) {
	for _, s := range a.sinks {
		if err := s.proc.ForceFlush(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	fakeMemoryOf("bench-if-interval").Reset()
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLiveSet compares the registration of the live set (one append
// under one of 16 mutexes at start, nothing at end) with the obvious
// alternative, a sharded map (insert at start, delete at end). One
// goroutine registers 1024 different spans in turn; every 4096
// registrations the buffers are taken as the sweeper takes them (its
// EndTime checks are not included), so the buffer never fills. Each op
// registers (and, for the map, unregisters) one span.
func BenchmarkLiveSet(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	defer func() { _ = tp.Shutdown(context.Background()) }()
	spans := make([]sdktrace.ReadWriteSpan, 1024)
	for i := range spans {
		_, s := tp.Tracer("bench").Start(context.Background(), "s")
		spans[i] = s.(sdktrace.ReadWriteSpan)
	}
	b.Run("buffer", func(b *testing.B) {
		var overflow atomic.Uint64
		l := newLiveSet(&overflow)
		spare := make([][]liveSpan, liveShards)
		b.ReportAllocs()
		for i := range b.N {
			l.add(spans[i%len(spans)])
			if i%4096 == 4095 {
				for k := range spare {
					buf := l.take(k, spare[k])
					clear(buf)
					spare[k] = buf[:0]
				}
			}
		}
		if overflow.Load() > 0 {
			b.Fatalf("%d registrations overflowed", overflow.Load())
		}
	})
	b.Run("sharded-map", func(b *testing.B) {
		var shards [liveShards]struct {
			mu sync.Mutex
			m  map[sdktrace.ReadWriteSpan]struct{}
			_  [48]byte
		}
		for i := range shards {
			shards[i].m = map[sdktrace.ReadWriteSpan]struct{}{}
		}
		b.ReportAllocs()
		for i := range b.N {
			rw := spans[i%len(spans)]
			id := rw.SpanContext().SpanID()
			sh := &shards[id[7]&(liveShards-1)]
			sh.mu.Lock()
			sh.m[rw] = struct{}{}
			sh.mu.Unlock()
			sh.mu.Lock() // at End: the processor's OnEnd
			delete(sh.m, rw)
			sh.mu.Unlock()
		}
	})
}
