package task

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/sightline-dev/sightline/internal/syncbuf"
)

// TestOptionApplicability: each option satisfies exactly the option types
// of the constructors it applies to, so that it does not compile elsewhere.
func TestOptionApplicability(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		opt                   any
		local, client, worker bool
	}{
		{"WithTracerProvider", WithTracerProvider(nil), true, true, true},
		{"WithPropagator", WithPropagator(nil), true, true, true},
		{"WithLogger", WithLogger(nil), true, true, true},
		{"WithStream", WithStream("S"), false, true, true},
		{"WithSubjectPrefix", WithSubjectPrefix("p"), false, true, true},
		{"WithNATSOptions", WithNATSOptions(), false, true, true},
		{"WithRegistry", WithRegistry(nil), true, false, true},
		{"WithConcurrency", WithConcurrency(1), true, false, true},
		{"WithWorkerID", WithWorkerID("w"), true, false, true},
		{"WithConsumer", WithConsumer("c"), false, false, true},
		{"WithAttemptBucket", WithAttemptBucket("b"), false, false, true},
		{"WithAckWait", WithAckWait(time.Second), false, false, true},
		{"WithMaxDeliver", WithMaxDeliver(1), false, false, true},
		{"WithHook", WithHook(""), true, true, true},
		{"WithEnv", WithEnv(nil), true, true, true},
		{"WithDrainTimeout", WithDrainTimeout(0), false, false, true},
		{"WithMarkDelay", WithMarkDelay(0), false, false, true},
	} {
		_, local := tc.opt.(LocalOption)
		_, client := tc.opt.(ClientOption)
		_, worker := tc.opt.(WorkerOption)
		if local != tc.local || client != tc.client || worker != tc.worker {
			t.Errorf("%s applies to local %v, client %v, worker %v; want %v, %v, %v",
				tc.name, local, client, worker, tc.local, tc.client, tc.worker)
		}
	}
}

func TestNewLocalRejectsBadSettings(t *testing.T) {
	if c, err := NewLocal(WithConcurrency(-1)); err == nil || !strings.Contains(err.Error(), "concurrency -1") {
		t.Errorf("NewLocal(WithConcurrency(-1)) = %v, %v; want an error naming the concurrency", c, err)
	}
	c := mustLocal(t, WithConcurrency(0), WithRegistry(nil), WithWorkerID("local-1"))
	defer c.Shutdown(context.Background())
	if got := c.t.(*localTransport).n; got < 1 {
		t.Errorf("WithConcurrency(0) runs %d tasks at once, want GOMAXPROCS", got)
	}
	if got := c.t.(*localTransport).exec.workerID; got != "local-1" {
		t.Errorf("worker id %q, want local-1", got)
	}
}

// TestLocalShutdownDeadline: Shutdown honours its deadline when a task
// ignores its ctx, and a later Shutdown waits for the task to return.
func TestLocalShutdownDeadline(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	reg := NewRegistry()
	if err := RegisterIn(reg, "stubborn", func(context.Context, int) (int, error) {
		close(started)
		<-release
		return 0, nil
	}); err != nil {
		t.Fatal(err)
	}
	c := mustLocal(t, WithRegistry(reg), WithConcurrency(1))
	if _, err := c.Submit(context.Background(), "stubborn", 0); err != nil {
		t.Fatal(err)
	}
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := c.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "1 canceled in-process tasks") {
		t.Errorf("Shutdown past its deadline = %v, want a deadline error naming the running task", err)
	}
	close(release)
	if err := c.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown = %v", err)
	}
}

// TestNATSConstructionErrors: an option that cannot apply where it is given
// is an error naming it, never ignored.
func TestNATSConstructionErrors(t *testing.T) {
	c, url := natsClient(t, WithStream("ERR_TASKS"), WithSubjectPrefix("err.tasks"))
	ctx := context.Background()
	nt := c.t.(*natsTransport)

	if _, err := NewNATSClient(ctx, nt.nc, WithNATSOptions(nats.Name("x"))); err == nil || !strings.Contains(err.Error(), "WithNATSOptions") {
		t.Errorf("NewNATSClient with WithNATSOptions = %v, want an error naming it", err)
	}
	for _, tc := range []struct {
		opt  WorkerOption
		want string
	}{
		{WithNATSOptions(nats.Name("x")), "WithNATSOptions does not apply"},
		{WithStream("OTHER"), `WithStream("OTHER") differs from the client's stream "ERR_TASKS"`},
		{WithSubjectPrefix("other"), `WithSubjectPrefix("other") differs from the client's prefix "err.tasks"`},
	} {
		if _, err := NewWorker(c, tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewWorker: %v, want an error with %q", err, tc.want)
		}
	}
	// The client's own settings, given again, are fine; the worker serves
	// the client's stream.
	w := mustWorker(t, c, WithStream("ERR_TASKS"), WithSubjectPrefix("err.tasks"), WithRegistry(testRegistry(t, nil)))
	runWorker(t, w)
	f, err := c.Submit(ctx, "add", pair{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Get[sum](ctx, f); err != nil || s.Sum != 3 {
		t.Errorf("add on the client's stream = %v, %v", s, err)
	}

	// A worker's connection options reach nats.Connect.
	named := make(chan string, 1)
	w2, err := NewNATSWorker(ctx, url, WithStream("ERR_TASKS"), WithSubjectPrefix("err.tasks"),
		WithNATSOptions(func(o *nats.Options) error { named <- o.Name; return nil }))
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown of a worker never run = %v", err)
	}
	if got := <-named; got != "sightline-task" {
		t.Errorf("NATS option saw connection name %q", got)
	}
}

// TestWorkerShutdown: Shutdown stops a running worker and waits for Run;
// it releases a worker never run (its connection closed, a later Run
// fails); it may be called again.
func TestWorkerShutdown(t *testing.T) {
	c, url := natsClient(t)
	ctx := context.Background()

	w := mustWorker(t, c, WithRegistry(testRegistry(t, nil)))
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	f, err := c.Submit(ctx, "add", pair{2, 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Get[sum](ctx, f); err != nil {
		t.Fatal(err)
	}
	if err := w.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown of a running worker = %v", err)
	}
	// Run has returned by now; its goroutine may still be on its way to
	// the channel.
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after Shutdown returned %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Run did not return after Shutdown")
	}
	if err := w.Shutdown(ctx); err != nil {
		t.Errorf("second Shutdown = %v", err)
	}

	idle, err := NewNATSWorker(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if err := idle.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown of an idle worker = %v", err)
	}
	if !idle.nt.nc.IsClosed() {
		t.Error("the idle worker's own connection is still open")
	}
	if err := idle.Run(ctx); err == nil || !strings.Contains(err.Error(), "after Shutdown") {
		t.Errorf("Run after Shutdown = %v", err)
	}
}

// TestWorkerShutdownDeadline: when Shutdown's deadline passes during the
// drain, running tasks are canceled and returned to the stream at once,
// whatever the drain timeout, and Shutdown says why it returned.
func TestWorkerShutdownDeadline(t *testing.T) {
	c, _ := natsClient(t)
	ctx := context.Background()
	b := newBlocker()
	var logs syncbuf.Buffer
	w := mustWorker(t, c, WithRegistry(testRegistry(t, b)), WithDrainTimeout(time.Hour), WithAckWait(2*time.Second),
		WithLogger(textLogger(&logs)))
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	if _, err := c.Submit(ctx, "block", "x"); err != nil {
		t.Fatal(err)
	}
	<-b.started
	sctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := w.Shutdown(sctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown past its deadline = %v, want DeadlineExceeded", err)
	}
	if cause := <-b.stopped; !errors.Is(cause, errWorkerStopped) {
		t.Errorf("the running task ended with %v, want the worker's stop", cause)
	}
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if !strings.Contains(logs.String(), "shutdown deadline") {
		t.Errorf("the worker did not log why it canceled the task: %q", logs.String())
	}
	if err := w.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown once Run returned = %v", err)
	}
}
