package task

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// Every process that runs or submits tasks sets itself up with the same
// startup hook, as every Ray process (driver and workers) runs the tracing
// startup hook given to `ray start --tracing-startup-hook` or
// ray.init(_tracing_startup_hook=...): the constructors of the in-process
// client (NewLocal, and Default's client), of NATS clients (DialNATS,
// NewNATSClient) and of workers (NewWorker, NewNATSWorker) all choose it
// the same way: WithHook when given (an empty name means none), else the
// environment variable HookEnv, else none. Clients run it in their
// constructor, before their first task is submitted, so that the PRODUCER
// spans go where the hook says; workers run it in Run, before their first
// task. It runs at most once per process for each name.

// WithHook names the startup hook (see RegisterHook) that a client or
// worker runs: clients in their constructor, workers in Run before their
// first task. It wins over the environment variable HookEnv; an empty name
// means no hook, whatever the environment says. A name that is not
// registered is an error of the constructor, listing the registered ones.
func WithHook(name string) Option {
	return commonOption(func(c *common) { c.hook = &name })
}

// WithEnv sets how a client or worker reads the environment (HookEnv),
// with the module's getenv shape (telemetry.Getenv's). Default (and nil):
// os.LookupEnv.
func WithEnv(getenv func(name string) (string, bool)) Option {
	return commonOption(func(c *common) { c.getenv = getenv })
}

// hookName returns the startup hook's name and where it came from
// ("WithHook" or HookEnv); "" when there is none.
func (c common) hookName() (name, source string) {
	if c.hook != nil {
		return strings.TrimSpace(*c.hook), "WithHook"
	}
	getenv := c.getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	if v, ok := getenv(HookEnv); ok {
		return strings.TrimSpace(v), HookEnv
	}
	return "", ""
}

// checkHook reports an unknown startup hook, naming where its name came
// from and the registered ones.
func (c common) checkHook() error {
	name, source := c.hookName()
	if name == "" {
		return nil
	}
	if err := processHooks.check(name); err != nil {
		return fmt.Errorf("%w (from %s)", err, source)
	}
	return nil
}

// startHook checks the startup hook and runs it (once per process); ctx
// bounds the run, or the wait for a run another client or worker started.
func (c common) startHook(ctx context.Context) error {
	if err := c.checkHook(); err != nil {
		return err
	}
	name, source := c.hookName()
	if name == "" {
		return nil
	}
	if err := processHooks.run(ctx, name); err != nil {
		return fmt.Errorf("startup hook %q (from %s): %w", name, source, err)
	}
	return nil
}
