package plan

import (
	"context"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/sightline-dev/sightline/telemetry/topic"
)

// benchPoints makes the benchmark scan 10,006 messages: 9 per point
// (checkpoint, set, wait, trigger, wait, create, read, read, save) and 7
// around them (context, 2 stage, open_run, close_run, 2 unstage).
const benchPoints = 1111

// BenchmarkEngine runs a traced 10,006-message scan of instant devices
// with tracing off (a noop TracerProvider) and on (an SDK TracerProvider,
// simple processor, an exporter that discards). The devices' statuses use
// a noop tracer in every case, so only the engine's tracing differs.
//
//   - on: a bare SDK records every span, the kernel ones (dispatch, emit)
//     too, since it ignores topics.
//   - on-user: the SDK behind a topic gate that turns kernel-topic tracers
//     off, as a sightline component with its default topics does.
//   - on-devices: on, with the devices' Status spans recorded too.
//   - ratio: off, on and on-user alternated in one benchmark, so they see
//     the same machine at the same moment; reports on/off and user/off.
func BenchmarkEngine(b *testing.B) {
	sdk := func() trace.TracerProvider {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
		b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		return tp
	}
	b.Run("off", func(b *testing.B) { benchEngine(b, noop.NewTracerProvider(), false) })
	b.Run("on", func(b *testing.B) { benchEngine(b, sdk(), false) })
	b.Run("on-user", func(b *testing.B) { benchEngine(b, userOnly{sdk()}, false) })
	b.Run("on-devices", func(b *testing.B) { benchEngine(b, sdk(), true) })
	b.Run("ratio", func(b *testing.B) {
		off, on, user := newBench(b, noop.NewTracerProvider(), false), newBench(b, sdk(), false), newBench(b, userOnly{sdk()}, false)
		var tOff, tOn, tUser time.Duration
		for b.Loop() {
			tOff += off.run(b)
			tOn += on.run(b)
			tUser += user.run(b)
		}
		b.ReportMetric(float64(tOn)/float64(tOff), "on/off")
		b.ReportMetric(float64(tUser)/float64(tOff), "user/off")
	})
}

type bench struct {
	re   *RunEngine
	scan Plan
	msgs int
}

func newBench(b *testing.B, tp trace.TracerProvider, traceDevices bool) *bench {
	m := &motor{name: "motor", tracer: noop.NewTracerProvider().Tracer("")}
	d := &det{name: "det", motor: m, tracer: m.tracer}
	if traceDevices {
		m.tracer, d.tracer = tp.Tracer("device"), tp.Tracer("device")
	}
	be := &bench{re: NewRunEngine(WithTracerProvider(tp))}
	be.re.Subscribe(func(string, Document) {})
	be.scan = Trace(tp.Tracer("bench"), "scan", Scan(readables(d), m, 0, 1, benchPoints))
	counted := Func(func(yield func(*Msg) bool) {
		for m := range be.scan {
			be.msgs++
			if !yield(m) {
				return
			}
		}
	})
	if _, err := be.re.Run(context.Background(), counted); err != nil {
		b.Fatal(err)
	}
	return be
}

func (be *bench) run(b *testing.B) time.Duration {
	start := time.Now()
	if _, err := be.re.Run(context.Background(), be.scan); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

func benchEngine(b *testing.B, tp trace.TracerProvider, traceDevices bool) {
	be := newBench(b, tp, traceDevices)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		be.run(b)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(be.msgs), "ns/msg")
	b.ReportMetric(float64(be.msgs), "msgs/op")
}

// userOnly gates a TracerProvider by topic the way a sightline
// TracerProvider with its default topics does: kernel-topic tracers are
// off (noop).
type userOnly struct {
	trace.TracerProvider
}

var _ embedded.TracerProvider = userOnly{}

func (u userOnly) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	cfg := trace.NewTracerConfig(opts...)
	if topic.Of(cfg.InstrumentationAttributes()) == topic.Kernel {
		return noop.NewTracerProvider().Tracer(name, opts...)
	}
	return u.TracerProvider.Tracer(name, opts...)
}
