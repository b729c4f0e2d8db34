package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/device"
)

// AsDevice asks the server what the device can do and returns a value that
// implements exactly the device interfaces it exposes (Readable, Movable,
// Triggerable; Stoppable and Stageable always, as no-ops when the remote
// device has no Stop or Stage), so a plan drives it like a local device. A
// Set or Trigger returns a Status that completes when the remote operation
// completes; cancelling the Status cancels the remote operation.
func (d *DeviceProxy) AsDevice(ctx context.Context) (device.Device, error) {
	info, err := d.Info(ctx)
	if err != nil {
		return nil, err
	}
	if info.State != StateOn {
		return nil, &Error{Code: CodeNotRunning, Device: d.name, Message: fmt.Sprintf("device %s is %s", d.name, info.State)}
	}
	has := map[string]bool{}
	for _, c := range info.Commands {
		has[c.Name] = true
	}
	b := &base{d: d, class: info.Class, stop: has["Stop"], stage: has["Stage"] && has["Unstage"]}
	for _, a := range info.Attributes {
		if a.Name == info.Name || b.unit == "" {
			b.unit = a.Unit
		}
	}
	readable := has["Read"] && has["Describe"]
	switch {
	case readable && has["Set"] && has["Trigger"]:
		return &movableTriggerable{movable{readableDev{b}}}, nil
	case readable && has["Set"]:
		return &movable{readableDev{b}}, nil
	case readable && has["Trigger"]:
		return &triggerable{readableDev{b}}, nil
	case readable:
		return &readableDev{b}, nil
	}
	return b, nil
}

// base is a remote device's Name, DeviceType, Stop and Stage.
type base struct {
	d     *DeviceProxy
	class string
	unit  string
	stop  bool
	stage bool
}

func (b *base) Name() string       { return b.d.name }
func (b *base) DeviceType() string { return b.class }

func (b *base) Stop(ctx context.Context) error {
	if !b.stop {
		return nil
	}
	return b.d.Command(ctx, "Stop", nil, nil)
}

func (b *base) Stage(ctx context.Context) error {
	if !b.stage {
		return nil
	}
	return b.d.Command(ctx, "Stage", nil, nil)
}

func (b *base) Unstage(ctx context.Context) error {
	if !b.stage {
		return nil
	}
	return b.d.Command(ctx, "Unstage", nil, nil)
}

type readableDev struct{ *base }

func (r *readableDev) Read(ctx context.Context) (map[string]device.Reading, error) {
	var out map[string]device.Reading
	err := r.d.Command(ctx, "Read", nil, &out)
	return out, err
}

func (r *readableDev) Describe(ctx context.Context) (map[string]device.DataKey, error) {
	var out map[string]device.DataKey
	err := r.d.Command(ctx, "Describe", nil, &out)
	return out, err
}

type movable struct{ readableDev }

func (m *movable) Set(ctx context.Context, value any) *device.Status {
	return m.d.async(ctx, "Set", value, device.WithType(device.TypeMoveStatus), device.WithDevice(m),
		device.WithTarget(value), device.WithUnit(m.unit), device.WithTracer(m.d.tracer(ctx)))
}

type triggerable struct{ readableDev }

func (t *triggerable) Trigger(ctx context.Context) *device.Status {
	return t.d.async(ctx, "Trigger", nil, device.WithType(device.TypeStatus), device.WithDevice(t), device.WithTracer(t.d.tracer(ctx)))
}

type movableTriggerable struct{ movable }

func (m *movableTriggerable) Trigger(ctx context.Context) *device.Status {
	return m.d.async(ctx, "Trigger", nil, device.WithType(device.TypeStatus), device.WithDevice(m), device.WithTracer(m.d.tracer(ctx)))
}

// tracer is the user tracer of calls made under ctx: the Status of a
// remote operation is a span of the same component as its calls.
func (d *DeviceProxy) tracer(ctx context.Context) trace.Tracer {
	return tracingFrom(ctx, d.p.tracing).user
}

// pollWait is how long one operation poll waits on the server.
const pollWait = 10 * time.Second

// async starts an async command and returns a client Status that follows
// the remote operation to its end.
func (d *DeviceProxy) async(ctx context.Context, cmd string, argin any, opts ...device.StatusOption) *device.Status {
	st := device.NewStatus(ctx, opts...)
	// The call and the polls are children of the Status's span.
	if sc := st.SpanContext(); sc.IsValid() {
		ctx = trace.ContextWithSpanContext(ctx, sc)
	}
	var ref OperationRef
	req, err := commandBody(argin)
	if err == nil {
		var resp CommandResponse
		err = d.p.call(ctx, d.name, cmd, http.MethodPost, commandPath(d.name, cmd), req, &resp, false)
		if err == nil {
			if jerr := json.Unmarshal(resp.Argout, &ref); jerr != nil || ref.Operation == "" {
				err = &Error{Code: CodeBadResponse, Device: d.name, Command: cmd, Message: fmt.Sprintf("%s did not return an operation: %s", cmd, clip(resp.Argout))}
			}
		}
	}
	if err != nil {
		st.Finish(err)
		return st
	}
	d.p.wg.Add(1)
	go d.followOperation(ctx, ref.Operation, st)
	return st
}

// followOperation polls the operation until it ends, the Status ends on
// this side (then the remote operation is cancelled) or the proxy closes.
// Three failed polls in a row end the Status with the last error.
func (d *DeviceProxy) followOperation(callerCtx context.Context, id string, st *device.Status) {
	defer d.p.wg.Done()
	// The polls are children of the caller's span, but live as long as
	// the operation, not the caller's context.
	ctx, cancel := context.WithCancel(context.WithoutCancel(callerCtx))
	defer cancel()
	st.AddCallback(func(*device.Status) { cancel() })
	stop := context.AfterFunc(d.p.follow, cancel)
	defer stop()
	failures := 0
	for {
		var state OperationState
		pctx, pcancel := context.WithTimeout(ctx, pollWait+d.p.timeout)
		err := d.p.call(pctx, d.name, "wait_operation", http.MethodGet, operationPath(id)+"?wait="+pollWait.String(), nil, &state, true)
		pcancel()
		switch {
		case st.IsDone():
			d.cancelOperation(callerCtx, id)
			return
		case d.p.follow.Err() != nil:
			st.Cancel("proxy shut down")
			return
		case err != nil:
			var e *Error
			if failures++; failures >= 3 || (errors.As(err, &e) && e.Code == CodeUnknownOperation) {
				st.Finish(fmt.Errorf("follow %s of %s: %w", id, d.name, err))
				return
			}
			// Back off before asking again (the server may be restarting).
			t := time.NewTimer(time.Duration(failures) * 200 * time.Millisecond)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
			continue
		case !state.Done:
			failures = 0
			continue
		}
		if len(state.FinishPos) > 0 {
			var fp any
			if json.Unmarshal(state.FinishPos, &fp) == nil {
				st.SetFinishPos(fp)
			}
		}
		if state.Error != nil {
			state.Error.Device = d.name
			st.Finish(state.Error)
		} else {
			st.Finish(nil)
		}
		return
	}
}

// cancelOperation tells the server to cancel an operation whose Status
// ended here (cancelled or timed out); best effort.
func (d *DeviceProxy) cancelOperation(callerCtx context.Context, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(callerCtx), 2*time.Second)
	defer cancel()
	_ = d.p.call(ctx, d.name, "cancel_operation", http.MethodDelete, operationPath(id), nil, nil, false)
}
