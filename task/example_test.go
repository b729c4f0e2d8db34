package task_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

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
	c, err := task.NewLocal(task.WithRegistry(reg), task.WithConcurrency(2))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	defer c.Shutdown(ctx)

	f, _ := c.Submit(ctx, "greet", "world")
	var s string
	err = f.Wait(ctx, &s)
	fmt.Println(s, err)
	// Output: hello world from greet (attempt 1) <nil>
}

// Failures reach the submitter as *task.Error values of a Kind, which
// errors.Is matches with the Kind's sentinel.
func ExampleError() {
	c, err := task.NewLocal(task.WithRegistry(task.NewRegistry()), task.WithConcurrency(1))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	defer c.Shutdown(ctx)
	f, _ := c.Submit(ctx, "missing", nil)
	err = f.Wait(ctx, nil)
	var te *task.Error
	fmt.Println(errors.Is(err, task.ErrUnknownFunction), errors.As(err, &te) && te.Kind == task.KindUnknownFunction)
	// Output: true true
}

// Submit to workers in other processes through NATS JetStream.
func ExampleDialNATS() {
	ctx := context.Background()
	c, err := task.DialNATS(ctx, "nats://127.0.0.1:4222", task.WithStream("SCAN_TASKS"), task.WithSubjectPrefix("scan.tasks"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Shutdown(ctx)
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
		if err != nil {
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

// A worker that shares a client's connection (and its stream, subjects
// and tracing), stopped by Shutdown rather than by its ctx. Worker options
// (WithAckWait, WithHook, ...) do not compile on DialNATS, and client
// settings given again to NewWorker must match the client's.
func ExampleNewWorker() {
	ctx := context.Background()
	c, err := task.DialNATS(ctx, "nats://127.0.0.1:4222", task.WithStream("SCAN_TASKS"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Shutdown(ctx)
	w, err := task.NewWorker(c, task.WithConcurrency(4), task.WithAckWait(time.Minute), task.WithDrainTimeout(10*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		if err := w.Run(ctx); err != nil {
			log.Print(err)
		}
	}()
	// ... submit through c ...
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := w.Shutdown(sctx); err != nil {
		log.Print(err)
	}
}
