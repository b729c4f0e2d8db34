package task

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sightline-dev/sightline/telemetry"
)

// The worker process of the cross-process tests: the test binary run again
// with workerProcessEnv=1 (see TestMain). It registers a tracing startup
// hook, chosen through HookEnv, and runs two workers until SIGTERM.
const (
	workerProcessEnv = "SIGHTLINE_TASK_TEST_WORKER"
	envNATSURL       = "SIGHTLINE_TASK_TEST_NATS"
	envDir           = "SIGHTLINE_TASK_TEST_DIR"
	testTracingHook  = "test-tracing"
	workersPerProc   = 2
	processAckWait   = 2 * time.Second
)

func workerProcessMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	url, dir := os.Getenv(envNATSURL), os.Getenv(envDir)
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "worker process:", err)
		return 1
	}
	if err := RegisterHook(testTracingHook, func(ctx context.Context) error {
		// One line per run of the hook: the test checks one per process.
		if err := appendLine(filepath.Join(dir, "hook.log"), strconv.Itoa(os.Getpid())); err != nil {
			return err
		}
		comp, err := telemetry.Setup(ctx, telemetry.WithServiceName("task-worker"),
			telemetry.WithGlobal(), telemetry.WithEnv(os.LookupEnv))
		if err != nil {
			return err
		}
		OnShutdown(comp.Shutdown)
		return nil
	}); err != nil {
		return fail(err)
	}
	reg := NewRegistry()
	if err := errors.Join(
		RegisterIn(reg, "add", add),
		RegisterIn(reg, "slow", slowOnFirstAttempt(dir)),
	); err != nil {
		return fail(err)
	}
	var wg sync.WaitGroup
	var failed atomic.Bool
	for range workersPerProc {
		w, err := NewNATSWorker(ctx, url, WithRegistry(reg), WithAckWait(processAckWait),
			WithConcurrency(2), WithDrainTimeout(5*time.Second))
		if err != nil {
			return fail(err)
		}
		wg.Go(func() {
			if err := w.Run(ctx); err != nil {
				fmt.Fprintln(os.Stderr, "worker process:", err)
				failed.Store(true)
			}
		})
	}
	wg.Wait()
	if err := Shutdown(context.Background()); err != nil {
		return fail(err)
	}
	if failed.Load() {
		return 1
	}
	return 0
}

// slowOnFirstAttempt returns a function that, on its first attempt, writes
// DIR/started-ID (the test's signal to kill this process) and waits to be
// killed; on a later attempt it returns at once.
func slowOnFirstAttempt(dir string) func(context.Context, struct{}) (string, error) {
	return func(ctx context.Context, _ struct{}) (string, error) {
		i, _ := FromContext(ctx)
		if i.Attempt > 1 {
			return fmt.Sprintf("done by %d on attempt %d", os.Getpid(), i.Attempt), nil
		}
		if err := appendLine(filepath.Join(dir, "started-"+i.ID), strconv.Itoa(os.Getpid())); err != nil {
			return "", err
		}
		<-ctx.Done()
		return "", ctx.Err()
	}
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(line + "\n")
	return errors.Join(err, f.Close())
}
