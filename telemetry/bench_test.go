package telemetry

import (
	"context"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/topic"
)

// benchSpans starts and ends b.N spans with tr, resetting the memory store
// now and then so it does not grow without bound (the same for every
// variant, so the comparison stays fair).
func benchSpans(b *testing.B, tr trace.Tracer, mem *fakeMemory) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, s := tr.Start(ctx, "span")
		s.End()
		if mem != nil && i%8192 == 8191 {
			b.StopTimer()
			mem.Reset()
			b.StartTimer()
		}
	}
}

func benchComponent(b *testing.B, name string) *Component {
	b.Helper()
	if testMemErr != nil {
		b.Fatal(testMemErr)
	}
	fakeMemoryOf(name).Reset()
	c, err := Setup(context.Background(), WithEnv(func(k string) (string, bool) {
		v, ok := map[string]string{
			"SIGHTLINE_TELEMETRY_ENABLE":            "on",
			"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": testMem,
			"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": name,
			"SIGHTLINE_TELEMETRY_TYPES":             "tracing",
		}[k]
		return v, ok
	}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c
}

// BenchmarkSpan compares span start+end through a sightline component with
// the bare SDK TracerProvider using the same processor (simple) and exporter
// (an in-memory one, testmem), with in-flight announcing on (testmem
// carries logs, so auto announces to it) and off, and the off path of a
// disabled component.
func BenchmarkSpan(b *testing.B) {
	b.Run("sdk", func(b *testing.B) {
		mem := fakeMemoryOf("bench-sdk")
		mem.Reset()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(fakeSpans{mem})),
			sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())))
		defer func() { _ = tp.Shutdown(context.Background()) }()
		benchSpans(b, tp.Tracer("bench"), mem)
	})
	b.Run("sightline", func(b *testing.B) {
		c := benchComponent(b, "bench-sightline")
		benchSpans(b, c.Tracer("bench"), fakeMemoryOf("bench-sightline"))
	})
	b.Run("sightline-inflight-off", func(b *testing.B) {
		c := benchComponent(b, "bench-sightline-nif")
		if err := c.Control().SetInFlightMode(context.Background(), InFlightOff); err != nil {
			b.Fatal(err)
		}
		benchSpans(b, c.Tracer("bench"), fakeMemoryOf("bench-sightline-nif"))
	})
	b.Run("off", func(b *testing.B) {
		c := benchComponent(b, "bench-off")
		if err := c.Control().Disable(); err != nil {
			b.Fatal(err)
		}
		benchSpans(b, c.Tracer("bench"), nil)
	})
	b.Run("kernel-topic-off", func(b *testing.B) {
		c := benchComponent(b, "bench-kernel")
		benchSpans(b, c.Tracer("bench", kernelOption()), nil)
	})
}

// TestOffPathAllocatesNothing holds the off path to its promise outside
// benchmarks too.
func TestOffPathAllocatesNothing(t *testing.T) {
	c, err := Setup(context.Background(), WithEnv(func(string) (string, bool) { return "", false }))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(context.Background())
	tr := c.Tracer("t")
	ctx := context.Background()
	allocs := testing.AllocsPerRun(1000, func() {
		_, s := tr.Start(ctx, "x")
		s.End()
	})
	if allocs != 0 {
		t.Errorf("off path allocates %v per span, want 0", allocs)
	}

	// A kernel span gated off under a recording user span (the engine's
	// dispatch spans under a run) allocates nothing either, once warm.
	on := benchComponentT(t, "alloc-kernel")
	pctx, parent := on.Tracer("user").Start(ctx, "run")
	defer parent.End()
	kernel := on.Tracer("kernel", kernelOption())
	allocs = testing.AllocsPerRun(1000, func() {
		_, s := kernel.Start(pctx, "dispatch")
		s.End()
	})
	if allocs != 0 {
		t.Errorf("gated-off kernel span under a recording parent allocates %v, want 0", allocs)
	}

	// Under lean parents (sightline's own spans) not even a change of
	// parent allocates: the stand-in is the parent itself.
	lean, err := Setup(context.Background(), WithEnv(func(k string) (string, bool) {
		v, ok := map[string]string{"SIGHTLINE_TELEMETRY_ENABLE": "on", "SIGHTLINE_TELEMETRY_TYPES": "tracing",
			"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": "http://127.0.0.1:1/v1/traces"}[k]
		return v, ok
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer lean.Shutdown(context.Background())
	if r := lean.Control().Status().Spans.Recorder; r != RecorderSightline {
		t.Fatalf("recorder %q", r)
	}
	ctx1, p1 := lean.Tracer("user").Start(ctx, "run 1")
	ctx2, p2 := lean.Tracer("user").Start(ctx, "run 2")
	defer p1.End()
	defer p2.End()
	kernel = lean.Tracer("kernel", kernelOption())
	allocs = testing.AllocsPerRun(1000, func() {
		_, s := kernel.Start(ctx1, "dispatch")
		s.End()
		_, s = kernel.Start(ctx2, "dispatch")
		if !s.SpanContext().Equal(p2.SpanContext()) || s.IsRecording() {
			t.Fatal("the stand-in is not a non-recording span with its parent's context")
		}
		s.End()
	})
	if allocs != 0 {
		t.Errorf("gated-off kernel spans under alternating lean parents allocate %v, want 0", allocs)
	}
	if !p2.IsRecording() {
		t.Error("ending the stand-in ended its parent")
	}
}

func benchComponentT(t *testing.T, name string) *Component {
	fakeMemoryOf(name).Reset()
	c, err := Setup(context.Background(), WithEnv(func(k string) (string, bool) {
		v, ok := map[string]string{"SIGHTLINE_TELEMETRY_ENABLE": "on", "SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": testMem,
			"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": name, "SIGHTLINE_TELEMETRY_TYPES": "tracing"}[k]
		return v, ok
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c
}

func kernelOption() trace.TracerOption { return topic.Kernel.TracerOption() }

// BenchmarkSpanOverheadRatio runs the bare SDK and sightline alternately in
// chunks of 4096 spans within one benchmark, so both see the same machine
// at the same time, and reports sightline's time per span over the SDK's as
// the metric "ratio". Each op is one span through each. Sightline's
// endpoint (testmem) carries logs, so in-flight announcing is on (auto);
// BenchmarkInFlightOverheadRatio compares with it off too.
func BenchmarkSpanOverheadRatio(b *testing.B) {
	sdkMem := fakeMemoryOf("bench-ratio-sdk")
	sdkMem.Reset()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(fakeSpans{sdkMem})),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	c := benchComponent(b, "bench-ratio-sightline")
	slMem := fakeMemoryOf("bench-ratio-sightline")
	took := alternateSpans(b, []trace.Tracer{tp.Tracer("bench"), c.Tracer("bench")}, []*fakeMemory{sdkMem, slMem})
	sdkTime, slTime := took[0], took[1]
	b.ReportMetric(float64(slTime)/float64(sdkTime), "ratio")
	b.ReportMetric(float64(sdkTime.Nanoseconds())/float64(b.N), "sdk-ns/span")
	b.ReportMetric(float64(slTime.Nanoseconds())/float64(b.N), "sightline-ns/span")
}

// alternateSpans runs span start+end through each tracer in turn, in
// chunks of 4096 spans (rotating which goes first), b.N spans through
// each, emptying mems between chunks, and returns each tracer's total time.
func alternateSpans(b *testing.B, tracers []trace.Tracer, mems []*fakeMemory) []time.Duration {
	ctx := context.Background()
	run := func(tr trace.Tracer, n int) time.Duration {
		start := time.Now()
		for range n {
			_, s := tr.Start(ctx, "span")
			s.End()
		}
		return time.Since(start)
	}
	took := make([]time.Duration, len(tracers))
	b.ReportAllocs()
	b.ResetTimer()
	for done, round := 0, 0; done < b.N; round++ {
		n := min(4096, b.N-done)
		for k := range tracers {
			i := (k + round) % len(tracers)
			took[i] += run(tracers[i], n)
		}
		done += n
		b.StopTimer()
		for _, m := range mems {
			m.Reset()
		}
		b.StartTimer()
	}
	b.StopTimer()
	return took
}
