package plan

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/device"
)

// runner is the state of one Run.
type runner struct {
	re       *RunEngine
	user     context.Context // Run's ctx
	ctx      context.Context // for device calls: user, then without its cancellation during cleanup
	done     <-chan struct{} // user.Done() until cleanup, then nil
	base     trace.Span      // the span in Run's ctx
	fallback trace.Span      // parent of messages outside a run that carry no Ctx
	pctx     context.Context // the last parent context made (see parentCtx)
	pctxSC   trace.SpanContext

	// Reused from span to span (msgattrs.go): the attributes being set, and
	// the msg.kwargs text of the last {"group": kwGroup}.
	attrBuf []attribute.KeyValue
	kwGroup string
	kwText  string

	uids       []string
	run        *openRun
	statuses   []tracked // started and not yet waited for successfully
	staged     []device.Device
	finalizers []finalizer

	end      *ending // why the run is ending; nil while it goes on
	cleaning bool    // in finish: the run has ended, cleanup goes on
	abandon  bool    // during cleanup: the current cleanup plan failed
	halted   bool    // during cleanup: Halt interrupted it
	extra    []error // errors of the cleanup, returned with the main one
}

type ending struct {
	exit, reason string
	err          error // what Run returns (nil for success and stop)
}

type tracked struct {
	st    *device.Status
	obj   device.Device
	group string
}

type finalizer struct {
	cleanup Plan
	ctx     context.Context // the Finalize message's Ctx (span parent of the cleanup)
	staged  int             // how many devices were staged when it was registered
}

// Run executes p: it ranges over the plan, handling each message before
// the plan resumes, until the plan ends or the run is ended (Abort, Halt,
// Stop, a failure, a panic of the plan, the end of ctx). It returns the
// uids of the runs the plan opened, and an error: nil for success and
// stop, wrapping ErrAbort (also for ctx's end, wrapping ctx's cause too),
// ErrHalt, or the failure. Panics of the plan, devices and subscribers are
// recovered and returned as errors. Run starts no goroutine that outlives
// it. Only one Run of an engine runs at a time (ErrRunning).
func (re *RunEngine) Run(ctx context.Context, p Plan) ([]string, error) {
	if err := re.ctl.begin(); err != nil {
		return nil, err
	}
	defer re.ctl.finish()
	// The devices' Status spans follow the engine's naming: one value in
	// the ctx of the Run, which every device call's ctx derives from.
	ctx = device.ContextWithNaming(ctx, re.naming)
	r := &runner{re: re, user: ctx, ctx: ctx, done: ctx.Done(), base: trace.SpanFromContext(ctx)}
	r.fallback = r.base
	if p != nil {
		r.execute(p)
	}
	r.finish()
	return r.uids, r.result()
}

// execute ranges over p. A panic of the plan itself comes out of the range
// statement and fails the run.
func (r *runner) execute(p Plan) {
	defer func() {
		if v := recover(); v != nil {
			r.fault(nil, panicError("plan panicked", v))
		}
	}()
	for m := range p {
		if !r.step(m) {
			break
		}
	}
}

// step handles one message and reports whether the plan may go on. When it
// may not, the engine ends the range loop, so the plan's yield returns
// false, and m.Err says why (nil for stop).
func (r *runner) step(m *Msg) (ok bool) {
	if m == nil {
		r.fault(nil, errors.New("plan yielded a nil message"))
		return false
	}
	if r.re.ctl.pending.Load() || r.ctxDone() {
		if !r.boundary() {
			r.stopMsg(m)
			return false
		}
	}
	defer func() {
		if v := recover(); v != nil {
			r.fault(m, panicError(m.Command+" panicked", v))
			ok = false
		}
	}()
	r.dispatch(m)
	if r.cleaning {
		return !r.abandon && !r.halted
	}
	if r.end != nil {
		r.stopMsg(m)
		return false
	}
	return true
}

func (r *runner) stopMsg(m *Msg) {
	if m.Err == nil && r.end != nil {
		m.Err = r.end.err
	}
}

func (r *runner) ctxDone() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// boundary acts on the requests pending at a message boundary: ends the
// run (false), or pauses until resumed (true).
func (r *runner) boundary() bool {
	c := &r.re.ctl
	if r.cleaning {
		if _, end, _ := c.requests(); end == ExitHalt && r.end.exit != ExitHalt {
			r.haltCleanup()
			return false
		}
		return true
	}
	paused := false
	defer func() {
		if paused {
			c.setPaused(false)
			r.runEvent("resume")
		}
	}()
	for {
		pause, end, reason := c.requests()
		if end != "" {
			r.endOn(end, reason)
			return false
		}
		if r.ctxDone() {
			r.endOnCtx()
			return false
		}
		if !pause {
			return true
		}
		if !paused {
			paused = true
			c.setPaused(true)
			r.runEvent("pause")
		}
		select {
		case <-c.wake:
		case <-r.done:
		}
	}
}

// await blocks until ch yields or the run is interrupted (an end request,
// the end of Run's ctx; during cleanup only Halt), and reports whether ch
// yielded. A Pause does not interrupt it.
func await[T any](r *runner, ch <-chan T) (T, bool) {
	c := &r.re.ctl
	for {
		select {
		case v := <-ch:
			return v, true
		default:
		}
		if c.pending.Load() {
			_, end, reason := c.requests()
			switch {
			case r.cleaning && end == ExitHalt && r.end.exit != ExitHalt:
				r.haltCleanup()
				var zero T
				return zero, false
			case !r.cleaning && end != "":
				r.endOn(end, reason)
				var zero T
				return zero, false
			}
		}
		select {
		case v := <-ch:
			return v, true
		case <-c.wake:
		case <-r.done:
			r.endOnCtx()
			var zero T
			return zero, false
		}
	}
}

// endOn ends the run on a request.
func (r *runner) endOn(exit, reason string) {
	var err error
	switch exit {
	case ExitAbort:
		err = fmt.Errorf("%w: %s", ErrAbort, reason)
	case ExitHalt:
		err = fmt.Errorf("%w: %s", ErrHalt, reason)
	}
	r.endWith(exit, reason, err)
}

// endOnCtx aborts the run because Run's ctx ended.
func (r *runner) endOnCtx() {
	cause := context.Cause(r.user)
	r.endWith(ExitAbort, cause.Error(), fmt.Errorf("%w: %w", ErrAbort, cause))
}

// endWith records why the run ends; the first reason wins.
func (r *runner) endWith(exit, reason string, err error) {
	if r.end == nil {
		r.end = &ending{exit: exit, reason: reason, err: err}
	}
}

// fault records a failure of message m (nil: of the plan). During cleanup
// it abandons the current cleanup plan; otherwise it fails the run, unless
// the failure comes from the end of Run's ctx (abort).
func (r *runner) fault(m *Msg, err error) {
	if m != nil && m.Err == nil {
		m.Err = err
	}
	switch {
	case r.cleaning:
		r.extra = append(r.extra, fmt.Errorf("cleanup: %w", err))
		r.abandon = true
	case r.end != nil:
		if m == nil {
			r.extra = append(r.extra, err) // e.g. a plan that panics after being stopped
		}
	case r.ctxDone():
		r.endOnCtx()
	default:
		r.endWith(ExitFail, err.Error(), err)
	}
}

func (r *runner) haltCleanup() {
	if !r.halted {
		r.halted = true
		r.extra = append(r.extra, fmt.Errorf("%w during cleanup", ErrHalt))
	}
}

func panicError(what string, v any) error {
	if err, ok := v.(error); ok {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %v", what, v)
}

// result is what Run returns.
func (r *runner) result() error {
	var err error
	if r.end != nil {
		err = r.end.err
	}
	if len(r.extra) == 0 {
		return err
	}
	return errors.Join(append([]error{err}, r.extra...)...)
}
