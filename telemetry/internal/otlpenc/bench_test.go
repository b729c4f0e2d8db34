package otlpenc_test

import (
	"bytes"
	"context"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
)

// TestSDKMirror checks that the benchmarks' copy of the SDK's transform
// builds the request the SDK's exporter sends, byte for byte, so that
// timing it times the SDK's work.
func TestSDKMirror(t *testing.T) {
	spans := otlpenctest.BenchSpans(otlpenctest.BatchSize, false)
	got, err := proto.Marshal(sdkRequest(spans))
	if err != nil {
		t.Fatal(err)
	}
	if want := newSDKPath(t, true).encode(t, spans); !bytes.Equal(got, want) {
		t.Fatalf("the mirror of the SDK's transform differs from the SDK's exporter (%d vs %d bytes)", len(got), len(want))
	}
}

// TestAppendTracesAllocs checks that an Encoder reusing its buffer does not
// allocate for spans with scalar attributes, and allocates once per slice
// attribute (the SDK's accessor copies the slice) otherwise.
func TestAppendTracesAllocs(t *testing.T) {
	for _, tt := range []struct {
		name       string
		scalarOnly bool
		want       float64
	}{{"scalar", true, 0}, {"string slice", false, otlpenctest.BatchSize}} {
		t.Run(tt.name, func(t *testing.T) {
			spans := otlpenctest.BenchSpans(otlpenctest.BatchSize, tt.scalarOnly)
			var enc otlpenc.Encoder
			buf := enc.AppendTraces(nil, spans)
			if got := testing.AllocsPerRun(20, func() { buf = enc.AppendTraces(buf[:0], spans) }); got > tt.want {
				t.Fatalf("%v allocations per batch of %d spans, want at most %v", got, otlpenctest.BatchSize, tt.want)
			}
		})
	}
}

// BenchmarkEncode times one batch of 512 spans (reported per span as
// ns/span, and per batch as ns/op, B/op and allocs/op) through:
//
//   - otlpenc: Encoder.AppendTraces into a reused buffer;
//   - otlpenc-scalar: the same with the string-slice attribute a string;
//   - sdk-transform+marshal: what the SDK's exporters do before sending:
//     build the generated request (their transform) and proto.Marshal it;
//   - sdk-marshal: proto.Marshal alone, of a request built once;
//   - sdk-otlptracehttp: the SDK's otlptracehttp ExportSpans to a loopback
//     server that discards the body (transform, marshal and HTTP).
//
// Run: go test -run '^$' -bench BenchmarkEncode -benchtime 2s ./telemetry/internal/otlpenc/
func BenchmarkEncode(b *testing.B) {
	spans, scalar := otlpenctest.BenchSpans(otlpenctest.BatchSize, false), otlpenctest.BenchSpans(otlpenctest.BatchSize, true)
	perSpan := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*otlpenctest.BatchSize), "ns/span")
	}
	b.Run("otlpenc", func(b *testing.B) {
		var enc otlpenc.Encoder
		buf := enc.AppendTraces(nil, spans)
		b.ReportAllocs()
		for b.Loop() {
			buf = enc.AppendTraces(buf[:0], spans)
		}
		b.SetBytes(int64(len(buf)))
		perSpan(b)
	})
	b.Run("otlpenc-scalar", func(b *testing.B) {
		var enc otlpenc.Encoder
		buf := enc.AppendTraces(nil, scalar)
		b.ReportAllocs()
		for b.Loop() {
			buf = enc.AppendTraces(buf[:0], scalar)
		}
		b.SetBytes(int64(len(buf)))
		perSpan(b)
	})
	b.Run("sdk-transform+marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := proto.Marshal(sdkRequest(spans)); err != nil {
				b.Fatal(err)
			}
		}
		perSpan(b)
	})
	b.Run("sdk-marshal", func(b *testing.B) {
		req := sdkRequest(spans)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := proto.Marshal(req); err != nil {
				b.Fatal(err)
			}
		}
		perSpan(b)
	})
	b.Run("sdk-otlptracehttp", func(b *testing.B) {
		p := newSDKPath(b, false)
		b.ReportAllocs()
		for b.Loop() {
			if err := p.exp.ExportSpans(context.Background(), spans); err != nil {
				b.Fatal(err)
			}
		}
		perSpan(b)
	})
}
