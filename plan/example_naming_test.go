package plan_test

import (
	"context"
	"fmt"
	"slices"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/plan"
)

// Bluesky's span names and attributes for one engine (the same as
// SIGHTLINE_PLAN_SPAN_NAMING=bluesky): "Bluesky RunEngine run", command
// spans "Bluesky RunEngine <command>", the devices' Status spans "Ophyd
// Status", and msg.obj the device's repr.
func ExampleWithNaming() {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	if err := plan.Validate(plan.WithNaming(device.NamingBluesky)); err != nil {
		fmt.Println(err)
		return
	}
	re := plan.NewRunEngine(plan.WithTracerProvider(tp), plan.WithNaming(device.NamingBluesky))
	motor := synAxis{tp.Tracer(device.TracerName)}
	p := plan.Chain(plan.OpenRun(nil), plan.Set(motor, 5, "", true), plan.CloseRun("", ""))
	if _, err := re.Run(context.Background(), p); err != nil {
		fmt.Println(err)
		return
	}
	var names []string
	for _, s := range exp.GetSpans() {
		if !kernel(s) {
			names = append(names, s.Name)
		}
		if s.Name == "Bluesky RunEngine set" {
			fmt.Println("msg.obj:", attrOf(s, "msg.obj"))
		}
	}
	slices.Sort(names)
	fmt.Println(names)
	// Output:
	// msg.obj: SynAxis(prefix='', name='motor1', read_attrs=['readback', 'setpoint'], configuration_attrs=['velocity', 'acceleration'])
	// [Bluesky RunEngine run Bluesky RunEngine set Bluesky RunEngine wait Ophyd Status]
}
