package task

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// BenchmarkLocal measures a task of a no-op function submitted and waited
// for, one at a time, through the in-process client, with tracing off (a
// no-op provider) and on (the SDK, sampling every span, with a batch span
// processor to a discarding exporter): what tracing adds to a task, its
// PRODUCER and CONSUMER spans, without a network in between.
//
//	go test -run '^$' -bench BenchmarkLocal -count 5 ./task/
func BenchmarkLocal(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run("tracing="+map[bool]string{false: "off", true: "on"}[on], func(b *testing.B) {
			var tp trace.TracerProvider = noop.NewTracerProvider()
			if on {
				sdk := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
				b.Cleanup(func() { _ = sdk.Shutdown(context.Background()) })
				tp = sdk
			}
			reg := NewRegistry()
			if err := RegisterIn(reg, "noop", func(context.Context, int) (int, error) { return 0, nil }); err != nil {
				b.Fatal(err)
			}
			c := mustLocal(b, WithRegistry(reg), WithConcurrency(1), WithTracerProvider(tp))
			b.Cleanup(func() { _ = c.Shutdown(context.Background()) })
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				f, err := c.Submit(ctx, "noop", 0)
				if err == nil {
					err = f.Wait(ctx, nil)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
