package telemetry_test

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/telemetry"
)

// PyTango's set_telemetry_tracer_provider_factory in Go: the factory of
// the components set up from now on is replaced at runtime, here by one
// that wraps the current factory and adds a span limit; components set up
// before keep theirs.
func ExampleSetDefaultProviderFactory() {
	base := telemetry.DefaultProviderFactory()
	telemetry.SetDefaultProviderFactory(func(opts ...sdktrace.TracerProviderOption) *sdktrace.TracerProvider {
		limits := sdktrace.NewSpanLimits()
		limits.AttributeCountLimit = 32
		return base(append(opts, sdktrace.WithRawSpanLimits(limits))...)
	})
	defer telemetry.SetDefaultProviderFactory(nil) // back to the SDK's

	off := telemetry.WithEnv(func(string) (string, bool) { return "", false })
	comp, err := telemetry.Setup(context.Background(), telemetry.WithServiceName("my.app"), off,
		telemetry.WithResourceAttributes(attribute.String("deployment.environment", "production")))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer comp.Shutdown(context.Background())
	fmt.Println(comp.Control().Component())
	// Output: my.app
}
