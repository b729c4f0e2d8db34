package task_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/sightline-dev/sightline/task"
	"github.com/sightline-dev/sightline/telemetry"
)

type Point struct{ X, Y float64 }

func scale(_ context.Context, p Point) (Point, error) { return Point{2 * p.X, 2 * p.Y}, nil }

// Functions are registered once, when the program starts: in both the
// submitting and the worker programs.
func init() {
	if err := task.Register("example.scale", scale); err != nil {
		panic(err)
	}
}

// Run a function of the default registry through the default in-process
// client.
func ExampleSubmit() {
	ctx := context.Background()
	f, err := task.Submit(ctx, "example.scale", Point{1, 2})
	if err != nil {
		log.Fatal(err)
	}
	p, err := task.Get[Point](ctx, f)
	fmt.Println(p, err)
	// Output: {2 4} <nil>
}

// An in-process pool of two workers on a registry of its own.
func ExampleNewLocal() {
	reg := task.NewRegistry()
	_ = task.RegisterIn(reg, "greet", func(ctx context.Context, name string) (string, error) {
		info, _ := task.FromContext(ctx)
		return fmt.Sprintf("hello %s from %s (attempt %d)", name, info.Function, info.Attempt), nil
	})
	c := task.NewLocal(reg, 2)
	defer c.Close()

	ctx := context.Background()
	f, _ := c.Submit(ctx, "greet", "world")
	var s string
	err := f.Wait(ctx, &s)
	fmt.Println(s, err)
	// Output: hello world from greet (attempt 1) <nil>
}

// Failures reach the submitter as *task.Error values of a Kind, which
// errors.Is matches with the Kind's sentinel.
func ExampleError() {
	c := task.NewLocal(task.NewRegistry(), 1)
	defer c.Close()
	ctx := context.Background()
	f, _ := c.Submit(ctx, "missing", nil)
	err := f.Wait(ctx, nil)
	var te *task.Error
	fmt.Println(errors.Is(err, task.ErrUnknownFunction), errors.As(err, &te) && te.Kind == task.KindUnknownFunction)
	// Output: true true
}

// Submit to workers in other processes through NATS JetStream.
func ExampleDialNATS() {
	ctx := context.Background()
	c, err := task.DialNATS(ctx, "nats://127.0.0.1:4222")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f, err := c.Submit(ctx, "example.scale", Point{1, 2})
	if err != nil {
		log.Fatal(err)
	}
	p, err := task.Get[Point](ctx, f)
	fmt.Println(p, err)
}

// A worker process: the startup hook (here chosen by the environment
// variable SIGHTLINE_TRACING_STARTUP_HOOK=telemetry) sets up tracing once
// before the first task; Shutdown flushes it at exit.
func ExampleNewNATSWorker() {
	_ = task.RegisterHook("telemetry", func(ctx context.Context) error {
		comp, err := telemetry.Setup(ctx, telemetry.WithServiceName("worker"), telemetry.WithGlobal())
		if comp == nil {
			return err
		}
		task.OnShutdown(comp.Shutdown)
		return nil
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w, err := task.NewNATSWorker(ctx, "nats://127.0.0.1:4222", task.WithConcurrency(8))
	if err != nil {
		log.Fatal(err)
	}
	defer task.Shutdown(context.Background())
	if err := w.Run(ctx); err != nil {
		log.Print(err)
	}
}
