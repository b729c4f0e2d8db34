package plan

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/device"
)

// finish ends the run after the plan: the engine's own cleanup.
//
//   - success (the plan ended): a run left open is closed; Finalize
//     cleanups left registered run; devices left staged are unstaged.
//   - abort, stop, fail: Stop is called on every Stoppable device with an
//     outstanding status (not complete, or failed: timed out, cancelled by
//     Run's ctx) and the statuses still running are cancelled; the open
//     run is closed with the exit status; then the Finalize cleanups run,
//     last registered first, each after unstaging the devices staged after
//     it; the rest are unstaged.
//   - halt: the devices are stopped and the run closed, nothing else.
//
// Cleanup runs with Run's ctx without its cancellation, so it also runs
// after the ctx ended; a Halt interrupts it. When a cleanup step fails or
// is halted, the devices of the statuses it left outstanding are stopped
// before the cleanup goes on.
func (r *runner) finish() {
	if r.end == nil {
		r.end = &ending{exit: ExitSuccess}
	}
	r.cleaning = true
	r.ctx = context.WithoutCancel(r.user)
	r.done, r.pctx = nil, nil
	e := r.end
	if e.exit != ExitSuccess {
		r.stopDevices(e.exit + ": " + e.reason)
	}
	if r.run != nil {
		r.closeRun(e.exit, e.reason)
	}
	if e.exit == ExitHalt {
		return
	}
	for i := len(r.finalizers) - 1; i >= 0 && !r.halted; i-- {
		f := r.finalizers[i]
		r.finalizers = r.finalizers[:i]
		r.unstageFrom(f.staged)
		if !r.halted {
			r.runCleanup(f)
		}
		if r.abandon || r.halted {
			r.stopDevices("cleanup interrupted")
		}
	}
	if !r.halted {
		r.unstageFrom(0)
	}
}

// stopDevices stops the devices of outstanding statuses (running, or
// failed: timed out, cancelled by Run's ctx, failed, so the device may still
// be busy) and cancels the statuses still running, so their spans have
// ended when Run returns.
func (r *runner) stopDevices(reason string) {
	ctx := trace.ContextWithSpan(r.ctx, r.currentRunSpan())
	stopped := map[string]bool{}
	for _, t := range r.statuses {
		if t.st.Success() {
			continue
		}
		s, ok := t.obj.(device.Stoppable)
		if !ok || stopped[t.obj.Name()] {
			continue
		}
		stopped[t.obj.Name()] = true
		if err := safely(func() error { return s.Stop(ctx) }); err != nil {
			r.extra = append(r.extra, fmt.Errorf("stop %s: %w", t.obj.Name(), err))
		}
	}
	for _, t := range r.statuses {
		t.st.Cancel(reason) // no-op when done
		// Cancel returns at once when another goroutine (a timer, the
		// ctx's end) is completing the status; wait for it to finish, so
		// that the status's span has ended when Run returns.
		<-t.st.Done()
	}
	r.statuses = nil
}

// runCleanup runs a Finalize cleanup plan; a failure abandons it (the error
// is returned by Run) and the cleanup goes on with the next step.
func (r *runner) runCleanup(f finalizer) {
	r.abandon = false
	r.fallback = r.base
	if f.ctx != nil {
		r.fallback = trace.SpanFromContext(f.ctx)
	}
	defer func() {
		r.fallback = r.base
		if v := recover(); v != nil {
			r.extra = append(r.extra, panicError("cleanup panicked", v))
		}
	}()
	for m := range f.cleanup {
		if !r.step(m) {
			break
		}
	}
}

// unstageFrom unstages, last first, the devices staged at index from and
// after.
func (r *runner) unstageFrom(from int) {
	for len(r.staged) > from && !r.halted {
		d := r.staged[len(r.staged)-1]
		r.staged = r.staged[:len(r.staged)-1]
		ctx := trace.ContextWithSpan(r.ctx, r.fallback)
		if err := safely(func() error { return d.(device.Stageable).Unstage(ctx) }); err != nil {
			r.extra = append(r.extra, fmt.Errorf("unstage %s: %w", d.Name(), err))
		}
	}
}

// safely calls a device, turning its panic into an error.
func safely(f func() error) error {
	_, err := guard(func() (struct{}, error) { return struct{}{}, f() })
	return err
}

// currentRunSpan is the open run's span, else the fallback parent.
func (r *runner) currentRunSpan() trace.Span {
	if r.run != nil {
		return r.run.span
	}
	return r.fallback
}
