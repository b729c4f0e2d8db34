package task

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// Future is the pending result of a submitted task.
type Future struct {
	id       string
	function string
	c        *Client
	done     chan struct{}

	mu       sync.Mutex
	finished bool
	stop     func() bool // stops the watch on the submitter's ctx
	res      resultMsg
}

// ID returns the task id (header Sightline-Task-Id, attribute task.id).
func (f *Future) ID() string { return f.id }

// Function returns the name of the function the task calls.
func (f *Future) Function() string { return f.function }

// Done is closed when the result (or the failure) is known.
func (f *Future) Done() <-chan struct{} { return f.done }

// Attempt returns the attempt that produced the result (1 unless a worker
// died), 0 before Done or when the failure was known at the submitter.
func (f *Future) Attempt() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.res.Attempt
}

// WorkerID returns the id of the worker that produced the result, "" before
// Done or when the failure was known at the submitter.
func (f *Future) WorkerID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.res.Worker
}

// Cancel cancels the task: the Future fails with KindCanceled and the
// worker running the task (if any) cancels its context. It does nothing
// once the result is known.
func (f *Future) Cancel() {
	if f.c.take(f.id) == nil {
		return
	}
	f.finish(resultMsg{ID: f.id, Error: &Error{Kind: KindCanceled, Function: f.function, TaskID: f.id,
		Message: "canceled by Future.Cancel"}})
	f.c.t.cancel(f.id)
}

// Wait waits for the result and decodes it (JSON) into out, a pointer, or
// discards it when out is nil. It returns the task's *Error when the task
// failed, and ctx's error, at once, when ctx is done first (the task goes
// on; to stop it, cancel the context given to Submit or call Cancel).
func (f *Future) Wait(ctx context.Context, out any) error {
	if f == nil {
		return errors.New("task: Wait on a nil Future")
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return fmt.Errorf("task %q (id %s): waiting for the result: %w", f.function, f.id, ctx.Err())
	}
	res := f.res // immutable once done is closed
	if res.Error != nil {
		return res.Error
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res.Result, out); err != nil {
		return &Error{Kind: KindBadResult, Function: f.function, TaskID: f.id,
			Message: fmt.Sprintf("decode result into %v: %v", reflect.TypeOf(out), err), cause: err}
	}
	return nil
}

// Get waits for f's result and returns it as an R; see Future.Wait.
func Get[R any](ctx context.Context, f *Future) (R, error) {
	var r R
	err := f.Wait(ctx, &r)
	return r, err
}

// finish sets the result once and wakes the waiters.
func (f *Future) finish(res resultMsg) {
	f.mu.Lock()
	if f.finished {
		f.mu.Unlock()
		return
	}
	f.finished = true
	f.res = res
	stop := f.stop
	f.mu.Unlock()
	close(f.done)
	if stop != nil {
		stop()
	}
}

// watch fails f when ctx is done before the result arrives. It costs no
// goroutine until then (context.AfterFunc) and is stopped by finish.
func (f *Future) watch(ctx context.Context) {
	if ctx.Done() == nil {
		return
	}
	stop := context.AfterFunc(ctx, func() { f.c.abandon(f, ctx) })
	f.mu.Lock()
	if f.finished {
		f.mu.Unlock()
		stop()
		return
	}
	f.stop = stop
	f.mu.Unlock()
}
