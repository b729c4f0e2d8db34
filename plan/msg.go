package plan

import (
	"context"
	"iter"

	"github.com/sightline-dev/sightline/device"
)

// Msg is one instruction of a plan to the RunEngine, Bluesky's Msg: a
// command, the device it is about (may be nil), positional and keyword
// arguments.
//
// The engine writes Result and Err before the plan resumes, so a plan reads
// what its message produced right after yield returns:
//
//	m := &plan.Msg{Command: "read", Obj: det}
//	if !yield(m) {
//		return // the engine stopped the plan; m.Err says why, if it failed
//	}
//	readings := m.Result.(map[string]device.Reading)
//
// Ctx is the context the message belongs to: Trace sets it on every message
// of the plan it wraps, and the engine parents the message's spans to the
// span in it (see Trace for the rules). Plans rarely set it themselves.
type Msg struct {
	Command string
	Obj     device.Device
	Args    []any
	Kwargs  map[string]any
	Result  any
	Err     error
	Ctx     context.Context
}

// Plan is a sequence of messages: an iterator the engine ranges over,
// handling each message before asking for the next. A plan is an ordinary
// function; write one with Func, compose with Chain and YieldFrom.
//
// When the engine stops a plan early (abort, halt, stop, a failure), yield
// returns false and the plan must return at once without yielding again;
// its deferred functions run, and it is never resumed.
type Plan = iter.Seq[*Msg]

// Func makes a Plan from a function that yields messages, the Go form of a
// Bluesky generator plan:
//
//	p := plan.Func(func(yield func(*plan.Msg) bool) {
//		if !plan.YieldFrom(yield, plan.OpenRun(nil)) {
//			return
//		}
//		v, ok := plan.Rd(yield, motor) // a read whose value the plan uses
//		if !ok {
//			return
//		}
//		if !plan.YieldFrom(yield, plan.Set(motor, v.(float64)+1, "", true)) {
//			return
//		}
//		plan.YieldFrom(yield, plan.CloseRun("", ""))
//	})
//
// Every yield (direct or through YieldFrom) must be checked: false means
// the engine has stopped the plan.
func Func(f func(yield func(*Msg) bool)) Plan { return f }

// YieldFrom runs the sub-plan p inside a plan written with Func, passing
// its messages through yield (Python's "yield from"). It returns false when
// the engine stopped the plan, which must then return.
func YieldFrom(yield func(*Msg) bool, p Plan) bool {
	for m := range p {
		if !yield(m) {
			return false
		}
	}
	return true
}

// Chain runs plans one after the other.
func Chain(plans ...Plan) Plan {
	return func(yield func(*Msg) bool) {
		for _, p := range plans {
			if !YieldFrom(yield, p) {
				return
			}
		}
	}
}

// Command names the engine understands, Bluesky's where Bluesky has one.
// The stubs build these messages; what each takes and what the engine
// writes to Result:
//
//	open_run    Kwargs: the run's metadata          Result: the run uid
//	close_run   Kwargs: exit_status, reason         Result: the run uid
//	set         Obj: Movable, Args[0]: the value, Kwargs: group
//	                                                Result: *device.Status
//	trigger     Obj: Triggerable, Kwargs: group     Result: *device.Status
//	kickoff     Obj: Flyer, Kwargs: group           Result: *device.Status
//	complete    Obj: Flyer, Kwargs: group           Result: *device.Status
//	wait        Kwargs: group (none: all)
//	read        Obj: Readable                       Result: map[string]device.Reading
//	create      Kwargs: name (the stream, default "primary")
//	save                                            Result: the event Document
//	drop
//	collect     Obj: Flyer, Kwargs: name            Result: []device.Collected
//	sleep       Args[0]: seconds (float64) or a time.Duration
//	stage       Obj (used if device.Stageable)
//	unstage     Obj
//	checkpoint, null
//	context                                         Result: context.Context (see Trace)
//	fail        Err: the failure (set by the plan)
//	finalize    Args[0]: the cleanup Plan (see Finalize); finalized
const (
	CmdOpenRun   = "open_run"
	CmdCloseRun  = "close_run"
	CmdSet       = "set"
	CmdWait      = "wait"
	CmdRead      = "read"
	CmdTrigger   = "trigger"
	CmdCreate    = "create"
	CmdSave      = "save"
	CmdDrop      = "drop"
	CmdSleep     = "sleep"
	CmdCheckpt   = "checkpoint"
	CmdKickoff   = "kickoff"
	CmdComplete  = "complete"
	CmdCollect   = "collect"
	CmdStage     = "stage"
	CmdUnstage   = "unstage"
	CmdNull      = "null"
	CmdContext   = "context"
	CmdFail      = "fail"
	CmdFinalize  = "finalize"
	CmdFinalized = "finalized"
)
