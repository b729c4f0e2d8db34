package otlpenc_test

import (
	"runtime"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
)

// TestLeanBenchSpans checks that the benchmark's leanspan spans encode as
// the SDK spans they replay but for their ids: the same size.
func TestLeanBenchSpans(t *testing.T) {
	spans := otlpenctest.BenchSpans(otlpenctest.BatchSize, false)
	lean := otlpenctest.Lean(spans)
	var enc otlpenc.Encoder
	if got, want := len(enc.AppendLeanTraces(nil, lean)), len(enc.AppendTraces(nil, spans)); got != want {
		t.Fatalf("the leanspan replay encodes to %d bytes, the SDK spans to %d", got, want)
	}
}

// BenchmarkEncodeLean times one batch of 512 ended leanspan spans of
// BenchmarkEncode's shape (otlpenctest.BenchSpans replayed through
// leanspan), reported per span (ns/span, B/span, allocs/span) through:
//
//   - direct: Encoder.AppendLeanTraces into a reused buffer (the getters);
//   - batch: each span added to a reused SpanBatch as it would be when it
//     ends, then Encoder.AppendSpanBatch (what telemetry's lean path does);
//   - snapshot: each span's Snapshot, then Encoder.AppendTraces;
//   - readonlyspan: AppendTraces of the SDK's own spans, for reference
//     (BenchmarkEncode/otlpenc).
//
// "-scalar" has the string-slice attribute a string, as in BenchmarkEncode.
// Run: go test -run '^$' -bench BenchmarkEncodeLean -count 6 ./telemetry/internal/otlpenc/
func BenchmarkEncodeLean(b *testing.B) {
	for _, scalarOnly := range []bool{false, true} {
		spans := otlpenctest.BenchSpans(otlpenctest.BatchSize, scalarOnly)
		lean := otlpenctest.Lean(spans)
		suffix := ""
		if scalarOnly {
			suffix = "-scalar"
		}
		var enc otlpenc.Encoder
		buf := enc.AppendTraces(nil, spans)
		b.Run("direct"+suffix, func(b *testing.B) {
			runPerSpan(b, func() { buf = enc.AppendLeanTraces(buf[:0], lean) })
		})
		var batch otlpenc.SpanBatch
		b.Run("batch"+suffix, func(b *testing.B) {
			runPerSpan(b, func() {
				batch.Reset()
				for _, s := range lean {
					batch.Add(s)
				}
				buf = enc.AppendSpanBatch(buf[:0], &batch)
			})
		})
		snaps := make([]sdktrace.ReadOnlySpan, len(lean))
		b.Run("snapshot"+suffix, func(b *testing.B) {
			runPerSpan(b, func() {
				for i, s := range lean {
					snaps[i] = s.Snapshot()
				}
				buf = enc.AppendTraces(buf[:0], snaps)
			})
		})
		b.Run("readonlyspan"+suffix, func(b *testing.B) {
			runPerSpan(b, func() { buf = enc.AppendTraces(buf[:0], spans) })
		})
	}
}

// runPerSpan runs op, which encodes a batch of otlpenctest.BatchSize
// spans, as the benchmark's loop, and reports time, bytes allocated and
// allocations per span.
func runPerSpan(b *testing.B, op func()) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	n := 0
	for b.Loop() {
		op()
		n++
	}
	runtime.ReadMemStats(&after)
	spans := float64(n * otlpenctest.BatchSize)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/spans, "ns/span")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/spans, "B/span")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/spans, "allocs/span")
}
