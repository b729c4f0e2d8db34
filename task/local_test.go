package task

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/poll"
)

// newLocal makes an in-process client on reg running n tasks at once,
// shut down when the test ends.
func newLocal(t *testing.T, reg *Registry, n int, opts ...LocalOption) *Client {
	t.Helper()
	c := mustLocal(t, append([]LocalOption{WithRegistry(reg), WithConcurrency(n)}, opts...)...)
	t.Cleanup(func() { _ = c.Shutdown(context.Background()) })
	return c
}

// mustLocal is NewLocal, failing the test on an error.
func mustLocal(t testing.TB, opts ...LocalOption) *Client {
	t.Helper()
	c, err := NewLocal(opts...)
	if err != nil {
		t.Fatalf("NewLocal: %v", err)
	}
	return c
}

func TestLocalRoundTrip(t *testing.T) {
	c := newLocal(t, testRegistry(t, nil), 2)
	ctx := context.Background()
	f, err := c.Submit(ctx, "add", pair{2, 3})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Get[sum](ctx, f)
	if err != nil || got.Sum != 5 {
		t.Fatalf("add(2, 3) = %+v, %v; want {5}, nil", got, err)
	}
	if f.Attempt() != 1 || f.WorkerID() == "" || f.Function() != "add" || len(f.ID()) != 32 {
		t.Errorf("future: attempt %d, worker %q, function %q, id %q", f.Attempt(), f.WorkerID(), f.Function(), f.ID())
	}
	// Wait with nil discards; a second Wait returns the same.
	if err := f.Wait(ctx, nil); err != nil {
		t.Errorf("Wait(nil) = %v", err)
	}

	f, _ = c.Submit(ctx, "info", struct{}{})
	i, err := Get[Info](ctx, f)
	if err != nil || i.ID != f.ID() || i.Function != "info" || i.Attempt != 1 || i.WorkerID != f.WorkerID() {
		t.Errorf("info = %+v, %v; want the task's own", i, err)
	}
}

func TestLocalErrors(t *testing.T) {
	c := newLocal(t, testRegistry(t, nil), 2)
	ctx := context.Background()
	submit := func(name string, args any) error {
		t.Helper()
		f, err := c.Submit(ctx, name, args)
		if err != nil {
			t.Fatalf("Submit(%s): %v", name, err)
		}
		return f.Wait(ctx, new(json.RawMessage))
	}

	err := submit("divide", pair{1, 0})
	te := wantKind(t, err, KindFailed)
	if !strings.Contains(te.Message, "divide 1 by 0: divide by zero") || te.Function != "divide" {
		t.Errorf("failed: %+v", te)
	}

	err = submit("nope", 1)
	te = wantKind(t, err, KindUnknownFunction)
	if !strings.Contains(te.Message, `no function "nope" (registered: add, boom, chan, deadline, divide, info)`) {
		t.Errorf("unknown function message does not list the names: %q", te.Message)
	}

	err = submit("add", json.RawMessage(`"two and three"`))
	te = wantKind(t, err, KindBadArguments)
	if !strings.Contains(err.Error(), `"add"`) || !strings.Contains(te.Message, "cannot unmarshal string") {
		t.Errorf("bad arguments error %q should name the function and the JSON error", err)
	}

	err = submit("boom", "now")
	te = wantKind(t, err, KindPanic)
	if te.Message != "boom: now" || !strings.Contains(te.Stack, "task.boom") {
		t.Errorf("panic: message %q, stack %q", te.Message, te.Stack)
	}
	if !strings.Contains(err.Error(), "[at github.com/sightline-dev/sightline/task.boom") {
		t.Errorf("panic error %q should name the panicking frame", err)
	}

	// Unencodable result at the worker, undecodable result at the submitter.
	wantKind(t, submit("chan", 1), KindBadResult)
	f, _ := c.Submit(ctx, "add", pair{1, 1})
	var s string
	err = f.Wait(ctx, &s)
	te = wantKind(t, err, KindBadResult)
	var jerr *json.UnmarshalTypeError
	if !errors.As(err, &jerr) {
		t.Errorf("bad result %v should wrap the JSON error (%+v)", err, te)
	}

	// Unencodable arguments fail at Submit.
	_, err = c.Submit(ctx, "add", make(chan int))
	wantKind(t, err, KindBadArguments)
	// Invalid names fail at Submit.
	for _, name := range []string{"", "a b", "a.*", "x>", "a..b"} {
		if _, err := c.Submit(ctx, name, 1); err == nil {
			t.Errorf("Submit(%q) succeeded", name)
		}
	}

	// The pool goes on after all this.
	f, _ = c.Submit(ctx, "add", pair{40, 2})
	if got, err := Get[sum](ctx, f); err != nil || got.Sum != 42 {
		t.Errorf("add after errors = %v, %v", got, err)
	}
}

func TestLocalDeadline(t *testing.T) {
	b := newBlocker()
	c := newLocal(t, testRegistry(t, b), 2)

	// The deadline travels with the task.
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	want, _ := ctx.Deadline()
	f, _ := c.Submit(ctx, "deadline", struct{}{})
	got, err := Get[time.Time](ctx, f)
	if err != nil || !got.Equal(want) {
		t.Errorf("deadline at the worker = %v, %v; want %v", got, err, want)
	}

	// A task that outlives its deadline.
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	f, _ = c.Submit(ctx, "block", "late")
	err = f.Wait(context.Background(), nil)
	wantKind(t, err, KindDeadline)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(%v, context.DeadlineExceeded) = false", err)
	}
	if cause := <-b.stopped; !errors.Is(cause, context.DeadlineExceeded) {
		t.Errorf("the function's context ended with %v, want the deadline", cause)
	}

	// Submit under a context already done fails at once.
	<-ctx.Done()
	if _, err := c.Submit(ctx, "add", pair{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Submit after the deadline = %v", err)
	}
}

func TestLocalCancellation(t *testing.T) {
	b := newBlocker()
	c := newLocal(t, testRegistry(t, b), 2)

	// Canceling Submit's context fails the Future and cancels the run.
	ctx, cancel := context.WithCancel(context.Background())
	f, _ := c.Submit(ctx, "block", "a")
	<-b.started
	cancel()
	err := f.Wait(context.Background(), nil)
	wantKind(t, err, KindCanceled)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(%v, context.Canceled) = false", err)
	}
	if cause := <-b.stopped; !errors.Is(cause, errCanceledBySubmitter) {
		t.Errorf("the function's context ended with %v, want the submitter's cancel", cause)
	}

	// Canceling Wait's context returns at once and leaves the task alone.
	f, _ = c.Submit(context.Background(), "block", "b")
	<-b.started
	wctx, wcancel := context.WithCancel(context.Background())
	wcancel()
	if err := f.Wait(wctx, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait(canceled ctx) = %v", err)
	}
	select {
	case <-f.Done():
		t.Error("the task ended when only Wait's context was canceled")
	default:
	}
	f.Cancel()
	wantKind(t, f.Wait(context.Background(), nil), KindCanceled)
	<-b.stopped
}

func TestLocalConcurrency(t *testing.T) {
	const n, tasks = 3, 8
	reg := NewRegistry()
	var mu sync.Mutex
	running, peak := 0, 0
	release := make(chan struct{})
	if err := RegisterIn(reg, "hold", func(ctx context.Context, _ int) (int, error) {
		mu.Lock()
		running++
		peak = max(peak, running)
		mu.Unlock()
		<-release
		mu.Lock()
		running--
		mu.Unlock()
		return 1, nil
	}); err != nil {
		t.Fatal(err)
	}
	c := newLocal(t, reg, n)
	ctx := context.Background()
	var fs []*Future
	for i := range tasks {
		f, err := c.Submit(ctx, "hold", i)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	poll.Until(t, 5*time.Second, "n tasks running", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return running == n
	})
	close(release)
	for _, f := range fs {
		if err := f.Wait(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	if peak != n {
		t.Errorf("at most %d tasks ran at once, want %d", peak, n)
	}
}

func TestLocalShutdown(t *testing.T) {
	b := newBlocker()
	c := mustLocal(t, WithRegistry(testRegistry(t, b)), WithConcurrency(1))
	f1, _ := c.Submit(context.Background(), "block", "running")
	<-b.started
	f2, _ := c.Submit(context.Background(), "block", "queued")
	if err := c.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantKind(t, f1.Wait(context.Background(), nil), KindClosed)
	wantKind(t, f2.Wait(context.Background(), nil), KindClosed)
	if cause := <-b.stopped; !errors.Is(cause, errWorkerStopped) {
		t.Errorf("running task ended with %v", cause)
	}
	if _, err := c.Submit(context.Background(), "add", pair{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit after Shutdown = %v", err)
	}
	if len(b.started) != 0 {
		t.Error("a queued task ran after Shutdown")
	}
	if err := c.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown = %v", err)
	}
}

func TestDefaultClient(t *testing.T) {
	name := "test.default.add." + newID() // the default registry outlives -count runs
	if err := Register(name, add); err != nil {
		t.Fatal(err)
	}
	if err := Register(name, add); err == nil {
		t.Error("registering a name twice succeeded")
	}
	f, err := Submit(context.Background(), name, pair{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Get[sum](context.Background(), f); err != nil || s.Sum != 3 {
		t.Errorf("default client: %v, %v", s, err)
	}
	other := mustLocal(t, WithRegistry(NewRegistry()), WithConcurrency(1))
	defer other.Shutdown(context.Background())
	SetDefault(other)
	if Default() != other {
		t.Error("SetDefault did not take")
	}
	SetDefault(nil)
	if Default() == other {
		t.Error("SetDefault(nil) did not restore the in-process default")
	}
}
