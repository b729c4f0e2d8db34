package telemetry_test

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/codes"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// A component configured by the environment; here the environment is given
// in code so the example is self-contained.
func ExampleSetup() {
	ctx := context.Background()
	comp, err := telemetry.Setup(ctx,
		telemetry.WithServiceName("motor-server"),
		telemetry.WithEnv(func(name string) (string, bool) {
			v, ok := map[string]string{
				"SIGHTLINE_TELEMETRY_ENABLE":            "on",
				"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "memory",
				"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": "example-setup",
				"SIGHTLINE_TELEMETRY_TYPES":             "tracing",
			}[name]
			return v, ok
		}))
	if err != nil {
		fmt.Println(err) // no usable component
		return
	}
	tracer := comp.Tracer("example.com/motor")
	ctx, move := tracer.Start(ctx, "move motor1")
	_, settle := tracer.Start(ctx, "settle")
	settle.SetStatus(codes.Error, "did not settle in 2 s")
	settle.End()
	move.End()
	_ = comp.Shutdown(context.Background())

	for _, s := range sightlinetest.MemoryEndpoint("example-setup").Spans() {
		fmt.Println(s.Name, s.Status.Code)
	}
	// Output:
	// settle Error
	// move motor1 Unset
}

// A bad setting does not stop Setup: it keeps its default, and Status lists
// the problem (so does the diagnostics log, once). WithStrict would make it
// an error instead.
func ExampleSetup_problems() {
	ctx := context.Background()
	comp, err := telemetry.Setup(ctx, telemetry.WithEnv(func(name string) (string, bool) {
		if name == "SIGHTLINE_TELEMETRY_TOPICS" {
			return "user,driver", true
		}
		return "", false
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer comp.Shutdown(ctx)
	for _, p := range comp.Control().Status().Problems {
		fmt.Println(p.Setting, p.Value)
		fmt.Println(p.Reason)
		fmt.Println("allowed:", p.Allowed)
		fmt.Println("using:", p.Using)
	}
	fmt.Println("topics:", comp.Control().Topics())
	// Output:
	// SIGHTLINE_TELEMETRY_TOPICS user,driver
	// unknown topic "driver"
	// allowed: user, kernel, all, none
	// using: the default user
	// topics: user
}

// Runtime control: a bad setting is refused with a message naming it, and
// the running configuration is left as it was.
func ExampleControl() {
	ctx := context.Background()
	comp, _ := telemetry.Setup(ctx, telemetry.WithEnv(func(string) (string, bool) { return "", false }))
	defer comp.Shutdown(ctx)
	ctl := comp.Control()

	err := ctl.SetTracingEndpoints(ctx, []telemetry.Endpoint{{Exporter: "grpc", URL: "grpc://collector"}})
	fmt.Println(err)
	fmt.Println(ctl.TracingEndpoints())
	fmt.Println(ctl.SetTopics(telemetry.Topics{User: true, Kernel: true}), ctl.Topics())
	// Output:
	// grpc endpoint "grpc://collector" has no port (allowed: grpc://host:port, grpcs://host:port)
	// [http http://127.0.0.1:4318/v1/traces]
	// <nil> user,kernel
}
