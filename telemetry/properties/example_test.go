package properties_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	// Registers the memory exporter the example's properties name.
	_ "github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/properties"
)

// A component's stored properties feed telemetry.Setup, above the
// environment and code options; a runtime change is written back with
// telemetry.PropertiesFor so the next start keeps it.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sightline-properties-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	store, err := properties.Open(ctx, filepath.Join(dir, "properties.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	// What an administrator (or a previous run) stored for the component.
	const name = "sys/motor/1"
	err = store.Set(ctx, name, map[string][]string{
		telemetry.PropEnable:           {"on"},
		telemetry.PropTypes:            {"tracing"},
		telemetry.PropTracingExporters: {"memory"},
		telemetry.PropTracingEndpoints: {"example-properties"},
		telemetry.PropSampler:          {"always_on"},
		"max_speed":                    {"12.5"}, // free-form keys are kept too
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	props, err := store.Get(ctx, name)
	if err != nil {
		fmt.Println(err)
		return
	}
	noEnv := func(string) (string, bool) { return "", false }
	comp, err := telemetry.Setup(ctx, telemetry.WithComponent(name), telemetry.WithEnv(noEnv),
		telemetry.WithProperties(props))
	if err != nil {
		fmt.Println(err) // no usable component; bad properties are in Status().Problems
		return
	}
	defer comp.Shutdown(ctx)
	ctl := comp.Control()
	_, src := ctl.Config()
	fmt.Println("enabled:", ctl.Enabled(), "from", src[telemetry.KeyEnable].Name)
	fmt.Println("tracing to:", ctl.TracingEndpoints())

	// A runtime change, persisted for the next start.
	sampler, _ := telemetry.ParseSampler("traceidratio:0.25")
	if err := ctl.SetSampler(sampler); err != nil {
		fmt.Println(err)
		return
	}
	cfg, _ := ctl.Config()
	if err := store.Set(ctx, name, telemetry.PropertiesFor(cfg, telemetry.KeySampler)); err != nil {
		fmt.Println(err)
		return
	}
	props, _ = store.Get(ctx, name)
	fmt.Println("stored sampler:", props[telemetry.PropSampler], "max_speed:", props["max_speed"])
	// Output:
	// enabled: true from telemetry_enable
	// tracing to: [memory example-properties]
	// stored sampler: [traceidratio:0.25] max_speed: [12.5]
}
