package device_test

import (
	"context"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/sightline-dev/sightline/device"
)

// BenchmarkStatus measures what a device pays per operation: a move's
// Status (type, device, target, start position, unit, timeout, tracer)
// created and finished, with every option made per call ("move") or only
// the target and start ("move-reused"), and a trigger's Status created
// complete (Finished, device and tracer only), with a noop tracer ("off")
// and an SDK tracer exporting synchronously to a discarding exporter
// ("on").
func BenchmarkStatus(b *testing.B) {
	sdk := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
	b.Cleanup(func() { _ = sdk.Shutdown(context.Background()) })
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		tr   trace.Tracer
	}{{"off", noop.NewTracerProvider().Tracer("")}, {"on", sdk.Tracer("")}} {
		b.Run("move/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s := device.NewStatus(ctx, device.WithType(device.TypeMoveStatus), device.WithDevice(motor{}),
					device.WithTarget(5.0), device.WithStartPos(1.0), device.WithUnit("mm"),
					device.WithTimeout(10*time.Second), device.WithTracer(tc.tr))
				s.Finish(nil)
			}
		})
		b.Run("move-reused/"+tc.name, func(b *testing.B) {
			// What a device that makes many statuses does: the options
			// that do not change made once, the target and start appended.
			fixed := []device.StatusOption{device.WithType(device.TypeMoveStatus), device.WithDevice(motor{}),
				device.WithUnit("mm"), device.WithTimeout(10 * time.Second), device.WithTracer(tc.tr)}
			b.ReportAllocs()
			for b.Loop() {
				var buf [8]device.StatusOption
				opts := append(append(buf[:0], fixed...), device.WithTarget(5.0), device.WithStartPos(1.0))
				s := device.NewStatus(ctx, opts...)
				s.Finish(nil)
			}
		})
		b.Run("finished/"+tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				device.Finished(ctx, nil, device.WithDevice(motor{}), device.WithTracer(tc.tr))
			}
		})
	}
}
