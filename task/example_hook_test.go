package task_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/sightline-dev/sightline/task"
)

// A startup hook runs once in every process that submits or runs tasks,
// chosen by SIGHTLINE_TRACING_STARTUP_HOOK (here by WithEnv) or WithHook,
// like Ray's --tracing-startup-hook: a submitting program runs it when it
// makes its client, before its first PRODUCER span.
func ExampleWithHook() {
	if err := task.RegisterHook("example.tracing", func(context.Context) error {
		fmt.Println("hook: tracing set up") // telemetry.Setup(ctx, telemetry.WithGlobal()) in a real hook
		return nil
	}); err != nil {
		fmt.Println(err)
		return
	}
	env := task.WithEnv(func(name string) (string, bool) {
		return "example.tracing", name == task.HookEnv
	})
	for range 2 {
		c, err := task.NewLocal(env)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer c.Shutdown(context.Background())
	}
	_, err := task.NewLocal(task.WithHook("ray.util.tracing.setup_local_tmp_tracing:setup_tracing"))
	msg, registered, _ := strings.Cut(err.Error(), " (registered: ")
	fmt.Println(msg)
	fmt.Println(strings.Contains(registered, "example.tracing"))
	// Output:
	// hook: tracing set up
	// task: new local client: unknown startup hook "ray.util.tracing.setup_local_tmp_tracing:setup_tracing"
	// true
}
