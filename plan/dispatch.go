package plan

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/device"
)

// dispatch handles one message: writes its Result, or records its failure
// (m.Err and the run's end). Every message is traced once: the commands
// that take time by their own (user) span, the others by a kernel span
// "dispatch <command>"; "context" by none.
func (r *runner) dispatch(m *Msg) {
	pctx := r.parentCtx(m)
	switch m.Command {
	case CmdContext: // asked by Trace, before it has a span
		m.Result = pctx
	case CmdSet, CmdTrigger, CmdKickoff, CmdComplete:
		r.start(pctx, m)
	case CmdWait:
		r.wait(pctx, m)
	case CmdRead:
		r.read(pctx, m)
	case CmdSleep:
		r.sleep(pctx, m)
	case CmdCollect:
		r.collect(pctx, m)
	default:
		r.internal(pctx, m)
	}
}

// internal handles the commands that do not take time, in a kernel span.
func (r *runner) internal(pctx context.Context, m *Msg) {
	_, ks := r.re.kernel.Start(pctx, kernelName(dispatchNames, "dispatch ", m.Command))
	defer func() {
		if m.Err != nil {
			ks.SetStatus(codes.Error, m.Err.Error())
		}
		ks.End()
	}()
	switch m.Command {
	case CmdOpenRun:
		r.openRun(pctx, m)
	case CmdCloseRun:
		r.closeRunMsg(m)
	case CmdCreate:
		r.create(m)
	case CmdSave:
		r.save(pctx, m)
	case CmdDrop:
		r.drop(m)
	case CmdStage:
		r.stage(pctx, m)
	case CmdUnstage:
		r.unstage(pctx, m)
	case CmdCheckpt, CmdNull:
	case CmdFail:
		err := m.Err
		if err == nil {
			err = errors.New("plan failed")
		}
		r.fault(m, err)
	case CmdFinalize:
		r.finalize(m)
	case CmdFinalized:
		if n := len(r.finalizers); n > 0 {
			r.finalizers = r.finalizers[:n-1]
		}
	default:
		r.fault(m, fmt.Errorf("unknown command %q", m.Command))
	}
}

// parentCtx is Run's ctx (without its cancellation during cleanup) with
// the message's parent span; the last one is reused while the parent stays
// the same.
func (r *runner) parentCtx(m *Msg) context.Context {
	span := r.parentSpan(m)
	sc := span.SpanContext()
	if r.pctx != nil && sc.Equal(r.pctxSC) {
		return r.pctx
	}
	r.pctx, r.pctxSC = trace.ContextWithSpan(r.ctx, span), sc
	return r.pctx
}

// parentSpan is the span a message's spans are children of: the open
// run's span for messages without Ctx or with the Ctx of the span that
// opened the run; else the span in Ctx; else the span in Run's ctx.
func (r *runner) parentSpan(m *Msg) trace.Span {
	if r.run != nil && (m.Ctx == nil || trace.SpanContextFromContext(m.Ctx).Equal(r.run.opener)) {
		return r.run.span
	}
	if m.Ctx != nil {
		return trace.SpanFromContext(m.Ctx)
	}
	return r.fallback
}

// start handles set, trigger, kickoff and complete: a device call that
// returns a Status, tracked in the message's group.
func (r *runner) start(pctx context.Context, m *Msg) {
	ctx, span := r.command(pctx, m)
	st, err := guard(func() (*device.Status, error) { return r.callStart(ctx, m) })
	if err == nil && st == nil {
		err = errors.New("the device returned no status")
	}
	if err != nil {
		err = fmt.Errorf("%s %s: %w", m.Command, objName(m.Obj), err)
		endSpan(span, err)
		r.fault(m, err)
		return
	}
	m.Result = st
	group, _ := groupOf(m)
	r.track(tracked{st: st, obj: m.Obj, group: group})
	span.End()
}

func (r *runner) callStart(ctx context.Context, m *Msg) (*device.Status, error) {
	switch m.Command {
	case CmdSet:
		d, ok := m.Obj.(device.Movable)
		if !ok {
			return nil, errors.New("not a device.Movable")
		}
		if len(m.Args) == 0 {
			return nil, errors.New("no value to set")
		}
		return d.Set(ctx, m.Args[0]), nil
	case CmdTrigger:
		d, ok := m.Obj.(device.Triggerable)
		if !ok {
			return nil, errors.New("not a device.Triggerable")
		}
		return d.Trigger(ctx), nil
	}
	d, ok := m.Obj.(device.Flyer)
	if !ok {
		return nil, errors.New("not a device.Flyer")
	}
	if m.Command == CmdKickoff {
		return d.Kickoff(ctx), nil
	}
	return d.Complete(ctx), nil
}

// track adds a status to the outstanding ones, dropping those that
// completed successfully when the list grows (plans that never wait).
func (r *runner) track(t tracked) {
	if len(r.statuses) >= 64 && len(r.statuses) == cap(r.statuses) {
		kept := r.statuses[:0]
		for _, s := range r.statuses {
			if !s.st.Success() {
				kept = append(kept, s)
			}
		}
		clear(r.statuses[len(kept):])
		r.statuses = kept
	}
	r.statuses = append(r.statuses, t)
}

// wait waits for the statuses of a group (all of them without a group).
// The statuses stay outstanding until they all succeed, so an interrupted
// wait leaves them to the cleanup.
func (r *runner) wait(pctx context.Context, m *Msg) {
	_, span := r.command(pctx, m)
	group, hasGroup := groupOf(m)
	var pending []*device.Status
	for _, t := range r.statuses {
		if hasGroup && t.group != group {
			continue
		}
		if !t.st.IsDone() {
			pending = append(pending, t.st)
		} else if err := t.st.Err(); err != nil {
			r.waitFailed(span, m, group, err)
			return
		}
	}
	if len(pending) > 0 {
		ch := make(chan *device.Status, len(pending))
		for _, st := range pending {
			st.AddCallback(func(s *device.Status) { ch <- s })
		}
		for range pending {
			st, ok := await(r, ch)
			if !ok {
				r.interrupted(span)
				return
			}
			if err := st.Err(); err != nil {
				r.waitFailed(span, m, group, err)
				return
			}
		}
	}
	kept := r.statuses[:0]
	for _, t := range r.statuses {
		if hasGroup && t.group != group {
			kept = append(kept, t)
		}
	}
	clear(r.statuses[len(kept):])
	r.statuses = kept
	span.End()
}

func (r *runner) waitFailed(span trace.Span, m *Msg, group string, err error) {
	if group != "" {
		err = fmt.Errorf("wait for group %s: %w", group, err)
	} else {
		err = fmt.Errorf("wait: %w", err)
	}
	endSpan(span, err)
	r.fault(m, err)
}

// interrupted ends the span of a wait or sleep that the run's end cut
// short: an error for abort and halt.
func (r *runner) interrupted(span trace.Span) {
	exit := ExitHalt
	if r.end != nil {
		exit = r.end.exit
	}
	span.SetAttributes(interruptedKey.String(exit))
	if exit != ExitStop {
		span.SetStatus(codes.Error, "interrupted by "+exit)
	}
	span.End()
}

func (r *runner) read(pctx context.Context, m *Msg) {
	ctx, span := r.command(pctx, m)
	d, ok := m.Obj.(device.Readable)
	if !ok {
		err := fmt.Errorf("read %s: not a device.Readable", objName(m.Obj))
		endSpan(span, err)
		r.fault(m, err)
		return
	}
	readings, err := guard(func() (map[string]device.Reading, error) { return d.Read(ctx) })
	if err == nil && r.run != nil && r.run.bundle != nil {
		err = r.run.bundle.add(d, readings)
	}
	if err != nil {
		err = fmt.Errorf("read %s: %w", d.Name(), err)
		endSpan(span, err)
		r.fault(m, err)
		return
	}
	m.Result = readings
	span.End()
}

func (r *runner) sleep(pctx context.Context, m *Msg) {
	_, span := r.command(pctx, m)
	var d time.Duration
	if len(m.Args) > 0 {
		switch x := m.Args[0].(type) {
		case time.Duration:
			d = x
		default:
			secs, err := toFloat(x)
			if err != nil {
				err = fmt.Errorf("sleep: %w", err)
				endSpan(span, err)
				r.fault(m, err)
				return
			}
			d = time.Duration(secs * float64(time.Second))
		}
	}
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		if _, ok := await(r, t.C); !ok {
			r.interrupted(span)
			return
		}
	}
	span.End()
}

func (r *runner) stage(pctx context.Context, m *Msg) {
	s, ok := m.Obj.(device.Stageable)
	if !ok || m.Obj == nil {
		return // nothing to stage
	}
	for _, d := range r.staged {
		if d.Name() == m.Obj.Name() {
			return // already staged
		}
	}
	if err := s.Stage(pctx); err != nil {
		r.fault(m, fmt.Errorf("stage %s: %w", m.Obj.Name(), err))
		return
	}
	r.staged = append(r.staged, m.Obj)
}

func (r *runner) unstage(pctx context.Context, m *Msg) {
	if m.Obj == nil {
		return
	}
	for i, d := range r.staged {
		if d.Name() == m.Obj.Name() {
			r.staged = append(r.staged[:i], r.staged[i+1:]...)
			if err := d.(device.Stageable).Unstage(pctx); err != nil {
				r.fault(m, fmt.Errorf("unstage %s: %w", d.Name(), err))
			}
			return
		}
	}
}

func (r *runner) finalize(m *Msg) {
	var p Plan
	if len(m.Args) > 0 {
		switch f := m.Args[0].(type) {
		case Plan:
			p = f
		case func(func(*Msg) bool):
			p = f
		}
	}
	if p == nil {
		r.fault(m, errors.New("finalize: no cleanup plan"))
		return
	}
	r.finalizers = append(r.finalizers, finalizer{cleanup: p, ctx: m.Ctx, staged: len(r.staged)})
}

// guard calls a device, turning its panic into an error so that the
// command's span still ends.
func guard[T any](f func() (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicError("panicked", p)
		}
	}()
	return f()
}

// groupOf is the message's group, and whether it has one.
func groupOf(m *Msg) (string, bool) {
	g, ok := m.Kwargs["group"].(string)
	return g, ok && g != ""
}

func objName(d device.Device) string {
	if d == nil {
		return "(no object)"
	}
	return d.Name()
}
