package leanspan_test

import (
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
)

// nineAttrs is the shape of a device-server span's attributes.
var nineAttrs = []attribute.KeyValue{
	attribute.String("rpc.system", "sightline"),
	attribute.String("rpc.service", "motor"),
	attribute.String("rpc.method", "read_attribute"),
	attribute.String("device.name", "sim/motor/1"),
	attribute.String("device.class", "Motor"),
	attribute.String("attribute.name", "position"),
	attribute.Int("net.peer.port", 10000),
	attribute.Bool("kernel", false),
	attribute.Float64("value", 1.5),
}

type discard struct{}

func (discard) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (discard) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (discard) Shutdown(context.Context) error                  { return nil }
func (discard) ForceFlush(context.Context) error                { return nil }

// BenchmarkSpan: start, set 9 attributes, end; the SDK's span with a
// discarding processor beside leanspan's with an OnEnd that does nothing.
// Compare in one run: go test -bench Span -benchmem -count 6.
func BenchmarkSpan(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithSpanProcessor(discard{}))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tracers := []struct {
		name string
		t    trace.Tracer
	}{
		{"sdk", tp.Tracer("bench")},
		{"leanspan", leanspan.New(leanspan.Config{Sampler: sdktrace.AlwaysSample(), OnEnd: func(*leanspan.Span) {}})},
	}
	fourteen := append(append([]attribute.KeyValue{}, nineAttrs...),
		attribute.String("a10", "x"), attribute.String("a11", "x"), attribute.String("a12", "x"),
		attribute.String("a13", "x"), attribute.String("a14", "x"))
	ctx := context.Background()
	for _, attrs := range [][]attribute.KeyValue{nineAttrs, fourteen} {
		for _, tc := range tracers {
			b.Run(fmt.Sprintf("attrs=%d/%s", len(attrs), tc.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_, sp := tc.t.Start(ctx, "read_attribute")
					sp.SetAttributes(attrs...)
					sp.End()
				}
			})
		}
	}
}
