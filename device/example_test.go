package device_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sightline-dev/sightline/device"
)

type stage struct{ name string }

func (s stage) Name() string { return s.name }

// A device's move: the Status is created when the move starts, finished by
// whatever sees the move end (here a goroutine standing for the hardware),
// and waited for by the plan. Its span, "MoveStatus stage_x", records the
// target, the start and finish positions and the unit.
func ExampleNewStatus() {
	ctx := context.Background()
	x := stage{"stage_x"}
	st := device.NewStatus(ctx, device.WithType(device.TypeMoveStatus), device.WithDevice(x),
		device.WithTarget(12.5), device.WithStartPos(10.0), device.WithUnit("mm"),
		device.WithTimeout(5*time.Second))
	go func() {
		// ... the hardware moves ...
		st.SetFinishPos(12.5)
		st.Finish(nil)
	}()
	err := st.Wait(ctx)
	fmt.Println(st.Type(), st.Device().Name(), st.FinishPos(), err)
	// Output: MoveStatus stage_x 12.5 <nil>
}

// An operation that fails before it starts returns a Status already
// complete with the error; its span ends at once with that error.
func ExampleFinished() {
	x := stage{"stage_x"}
	st := device.Finished(context.Background(), errors.New("interlock open"), device.WithDevice(x))
	fmt.Println(st.IsDone(), st.Success(), st.Err())
	// Output: true false interlock open
}

// Status spans as Ophyd names them: a plan engine with Bluesky naming puts
// the naming in the context it gives its devices (SIGHTLINE_PLAN_SPAN_NAMING
// does the same for Statuses made outside an engine).
func ExampleContextWithNaming() {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	ctx := device.ContextWithNaming(context.Background(), device.NamingBluesky)
	device.Finished(ctx, nil, device.WithType(device.TypeMoveStatus), device.WithDevice(stage{"stage_x"}),
		device.WithTracer(tp.Tracer(device.TracerName)))
	s := exp.GetSpans()[0]
	fmt.Println(s.Name)
	for _, kv := range s.Attributes {
		switch kv.Key {
		case "object_repr", "positioner":
			fmt.Printf("%s: %s\n", kv.Key, kv.Value.AsString())
		}
	}
	// Output:
	// Ophyd Status
	// object_repr: MoveStatus(done=False, pos=stage_x, elapsed=0.0, success=False, settle_time=0.0)
	// positioner: device_test.stage(name='stage_x')
}
