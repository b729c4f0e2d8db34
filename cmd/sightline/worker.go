package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/internal/demo"
	"github.com/sightline-dev/sightline/task"
	"github.com/sightline-dev/sightline/telemetry"
)

const workerUsage = `usage: sightline worker --nats URL [flags]

Runs a task worker: it takes tasks from the NATS JetStream work queue at
--nats and runs the functions compiled into sightline (the demo's fit_peak),
returning results to the submitters. A startup hook, chosen by --hook or
SIGHTLINE_TRACING_STARTUP_HOOK, runs once before the first task; the hook
"sightline" sets up tracing from the environment (SIGHTLINE_TELEMETRY_*,
OTEL_*; service name sightline-worker unless set) as the global provider, so
each task's CONSUMER span joins its submitter's trace. Prints
"worker: ID ready" and serves until interrupted, finishing the tasks in hand.

flags:
`

// hookSightline is the name of the built-in startup hook.
const hookSightline = "sightline"

func init() {
	// The functions and the hook this binary's workers know.
	if err := demo.RegisterTasks(task.DefaultRegistry()); err != nil {
		panic(err) // a duplicate registration is a programming error
	}
	if err := task.RegisterHook(hookSightline, sightlineHook); err != nil {
		panic(err)
	}
}

// sightlineHook sets up telemetry from the environment as the global
// provider, and flushes it at task.Shutdown.
func sightlineHook(ctx context.Context) error {
	opts := []telemetry.Option{telemetry.WithGlobal(), telemetry.WithComponent("sightline-worker")}
	if _, ok := os.LookupEnv("SIGHTLINE_TELEMETRY_SERVICE_NAME"); !ok {
		if _, ok := os.LookupEnv("OTEL_SERVICE_NAME"); !ok {
			opts = append(opts, telemetry.WithServiceName("sightline-worker"))
		}
	}
	comp, err := telemetry.Setup(ctx, opts...)
	if err != nil {
		return err // no usable component; bad settings are logged, not returned
	}
	task.OnShutdown(comp.Shutdown)
	return nil
}

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sightline worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	natsURL := fs.String("nats", "", "NATS server URL, e.g. nats://127.0.0.1:4222 (required)")
	hook := fs.String("hook", "", "startup hook to run before the first task (default: $"+task.HookEnv+"; known: "+strings.Join(task.HookNames(), ", ")+")")
	concurrency := fs.Int("concurrency", 1, "tasks run at once")
	fs.Usage = func() { fmt.Fprint(stderr, workerUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 || *natsURL == "" || *concurrency < 1 {
		fmt.Fprintln(stderr, "sightline worker: --nats URL is required, --concurrency must be >= 1, and it takes no arguments")
		return exitUsage
	}
	opts := []task.WorkerOption{task.WithConcurrency(*concurrency)}
	hookSet := false
	fs.Visit(func(f *flag.Flag) { hookSet = hookSet || f.Name == "hook" })
	if hookSet {
		opts = append(opts, task.WithHook(*hook))
	}
	w, err := task.NewNATSWorker(ctx, *natsURL, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "sightline worker: %v\n", err)
		return exitRefused
	}
	fmt.Fprintf(stdout, "worker: %s ready\n", w.ID())
	runErr := w.Run(ctx)
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := errors.Join(runErr, task.Shutdown(sctx)); err != nil {
		fmt.Fprintf(stderr, "sightline worker: %v\n", err)
		return exitRefused
	}
	return exitOK
}
