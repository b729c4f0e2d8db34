package plan

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/sightline-dev/sightline/device"
)

// The stubs: plans of one message (two with wait), Bluesky's plan stubs.
// Each iteration builds fresh messages, so a plan may be run more than once.

// one is a plan that yields the message build makes.
func one(build func() *Msg) Plan {
	return func(yield func(*Msg) bool) { yield(build()) }
}

var groupSeq atomic.Uint64

// newGroup is a group name unique in the process, for stubs that wait on
// what they started (Bluesky uses a random uid).
func newGroup(prefix string) string {
	return prefix + "-" + strconv.FormatUint(groupSeq.Add(1), 10)
}

func groupKwargs(group string) map[string]any {
	if group == "" {
		return nil
	}
	return map[string]any{"group": group}
}

// startThenWait yields m and, when wait is true, a wait on m's group (a new
// unique group when none is given).
func startThenWait(m *Msg, group string, wait bool, prefix string) Plan {
	return func(yield func(*Msg) bool) {
		g := group
		if wait && g == "" {
			g = newGroup(prefix)
		}
		msg := *m
		msg.Kwargs = groupKwargs(g)
		if !yield(&msg) || !wait {
			return
		}
		yield(&Msg{Command: CmdWait, Kwargs: groupKwargs(g)})
	}
}

// OpenRun opens a run: the engine emits a start document holding md (with
// uid, time, scan_id and plan_name added) and starts the run span.
func OpenRun(md map[string]any) Plan {
	return one(func() *Msg { return &Msg{Command: CmdOpenRun, Kwargs: md} })
}

// CloseRun closes the open run with a stop document. exitStatus "" means
// "success"; the plan may declare another (Bluesky's close_run).
func CloseRun(exitStatus, reason string) Plan {
	return one(func() *Msg {
		m := &Msg{Command: CmdCloseRun}
		if exitStatus != "" || reason != "" {
			m.Kwargs = map[string]any{}
			if exitStatus != "" {
				m.Kwargs["exit_status"] = exitStatus
			}
			if reason != "" {
				m.Kwargs["reason"] = reason
			}
		}
		return m
	})
}

// Set starts moving obj to value in group (Result: the *device.Status),
// then, if wait is true, waits for it.
func Set(obj device.Movable, value any, group string, wait bool) Plan {
	return startThenWait(&Msg{Command: CmdSet, Obj: obj, Args: []any{value}}, group, wait, "set")
}

// AbsSet is Set (Bluesky's name).
func AbsSet(obj device.Movable, value any, group string, wait bool) Plan {
	return Set(obj, value, group, wait)
}

// RelSet reads obj's position and sets it to position+delta.
func RelSet(obj device.Movable, delta float64, group string, wait bool) Plan {
	return func(yield func(*Msg) bool) {
		v, ok := Rd(yield, obj)
		if !ok {
			return
		}
		pos, err := toFloat(v)
		if err != nil {
			yield(failMsg(fmt.Errorf("rel_set %s: %w", obj.Name(), err)))
			return
		}
		YieldFrom(yield, Set(obj, pos+delta, group, wait))
	}
}

// Wait waits for the statuses of group to complete; with group "" it waits
// for every outstanding status.
func Wait(group string) Plan {
	return one(func() *Msg { return &Msg{Command: CmdWait, Kwargs: groupKwargs(group)} })
}

// Read reads obj (Result: map[string]device.Reading). Inside a bundle
// (Create ... Save) the readings go into the event.
func Read(obj device.Readable) Plan {
	return one(func() *Msg { return &Msg{Command: CmdRead, Obj: obj} })
}

// Rd reads obj inside a plan written with Func and returns its value: the
// reading named after obj, or its only reading (Bluesky's
// "yield from bps.rd(obj)"). ok is false when the engine stopped the plan.
func Rd(yield func(*Msg) bool, obj device.Readable) (v any, ok bool) {
	m := &Msg{Command: CmdRead, Obj: obj}
	if !yield(m) {
		return nil, false
	}
	readings, _ := m.Result.(map[string]device.Reading)
	v, err := valueOf(obj, readings)
	if err != nil {
		yield(failMsg(fmt.Errorf("rd %s: %w", obj.Name(), err)))
		return nil, false
	}
	return v, true
}

// Trigger triggers obj in group (Result: the *device.Status), then, if wait
// is true, waits for it.
func Trigger(obj device.Triggerable, group string, wait bool) Plan {
	return startThenWait(&Msg{Command: CmdTrigger, Obj: obj}, group, wait, "trigger")
}

// TriggerAndRead triggers those of dets that are Triggerable in one group,
// waits for them, and reads all of dets into one event of stream name
// ("primary" when empty).
func TriggerAndRead(dets []device.Readable, name string) Plan {
	if name == "" {
		name = "primary"
	}
	return func(yield func(*Msg) bool) {
		dets := uniqueReadables(dets)
		group := ""
		for _, d := range dets {
			if t, ok := d.(device.Triggerable); ok {
				if group == "" {
					group = newGroup("trigger")
				}
				if !yield(&Msg{Command: CmdTrigger, Obj: t, Kwargs: groupKwargs(group)}) {
					return
				}
			}
		}
		if group != "" && !yield(&Msg{Command: CmdWait, Kwargs: groupKwargs(group)}) {
			return
		}
		if !yield(&Msg{Command: CmdCreate, Kwargs: map[string]any{"name": name}}) {
			return
		}
		for _, d := range dets {
			if !yield(&Msg{Command: CmdRead, Obj: d}) {
				return
			}
		}
		yield(&Msg{Command: CmdSave})
	}
}

// Create opens a bundle of readings for one event of stream name
// ("primary" when empty).
func Create(name string) Plan {
	if name == "" {
		name = "primary"
	}
	return one(func() *Msg { return &Msg{Command: CmdCreate, Kwargs: map[string]any{"name": name}} })
}

// Save closes the bundle and emits its event (and, first, a descriptor
// when the stream's keys are new). Result: the event document.
func Save() Plan { return one(func() *Msg { return &Msg{Command: CmdSave} }) }

// Drop discards the bundle without an event.
func Drop() Plan { return one(func() *Msg { return &Msg{Command: CmdDrop} }) }

// Sleep waits d (Args: seconds, as Bluesky's sleep).
func Sleep(d time.Duration) Plan {
	return one(func() *Msg { return &Msg{Command: CmdSleep, Args: []any{d.Seconds()}} })
}

// Checkpoint marks a place the plan could be resumed from. The engine
// accepts it but, unlike Bluesky, does not rewind to it on pause.
func Checkpoint() Plan { return one(func() *Msg { return &Msg{Command: CmdCheckpt} }) }

// Kickoff starts a flyer in group (Result: the *device.Status), then, if
// wait is true, waits for it.
func Kickoff(obj device.Flyer, group string, wait bool) Plan {
	return startThenWait(&Msg{Command: CmdKickoff, Obj: obj}, group, wait, "kickoff")
}

// Complete asks a flyer to finish in group (Result: the *device.Status),
// then, if wait is true, waits for it.
func Complete(obj device.Flyer, group string, wait bool) Plan {
	return startThenWait(&Msg{Command: CmdComplete, Obj: obj}, group, wait, "complete")
}

// Collect collects what a flyer acquired and emits it as events of the
// stream named after the flyer (Result: []device.Collected).
func Collect(obj device.Flyer) Plan {
	return one(func() *Msg { return &Msg{Command: CmdCollect, Obj: obj} })
}

// Stage stages obj (if it is device.Stageable); the engine unstages it at
// the end of Run if the plan does not.
func Stage(obj device.Device) Plan {
	return one(func() *Msg { return &Msg{Command: CmdStage, Obj: obj} })
}

// Unstage unstages obj.
func Unstage(obj device.Device) Plan {
	return one(func() *Msg { return &Msg{Command: CmdUnstage, Obj: obj} })
}

// Null does nothing (a message the engine just accepts).
func Null() Plan { return one(func() *Msg { return &Msg{Command: CmdNull} }) }

// Fail makes the run fail with err (the plan's way to raise).
func Fail(err error) Plan { return one(func() *Msg { return failMsg(err) }) }

func failMsg(err error) *Msg { return &Msg{Command: CmdFail, Err: err} }

// Finalize runs p, then cleanup, Bluesky's finalize_wrapper: when p ends
// normally the cleanup messages follow p's; when the engine stops p (abort,
// stop, failure, a panic) the engine runs cleanup itself after closing the
// run. Not on halt, which skips all cleanup.
func Finalize(p, cleanup Plan) Plan {
	return func(yield func(*Msg) bool) {
		if !yield(&Msg{Command: CmdFinalize, Args: []any{cleanup}}) {
			return
		}
		if !YieldFrom(yield, p) || !yield(&Msg{Command: CmdFinalized}) {
			return
		}
		YieldFrom(yield, cleanup)
	}
}

// valueOf is obj's value in readings: the key named after obj, else the
// only key.
func valueOf(obj device.Device, readings map[string]device.Reading) (any, error) {
	if r, ok := readings[obj.Name()]; ok {
		return r.Value, nil
	}
	if len(readings) == 1 {
		for _, r := range readings {
			return r.Value, nil
		}
	}
	return nil, fmt.Errorf("no reading named %q among %d", obj.Name(), len(readings))
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case int32:
		return float64(x), nil
	}
	return 0, fmt.Errorf("value %v (%T) is not a number", v, v)
}

// uniqueReadables drops repeated devices (by name), keeping the order.
func uniqueReadables(in []device.Readable) []device.Readable {
	out := make([]device.Readable, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, d := range in {
		if d == nil || seen[d.Name()] {
			continue
		}
		seen[d.Name()] = true
		out = append(out, d)
	}
	return out
}
