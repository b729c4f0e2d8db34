// Package plan is Bluesky's RunEngine, plans and messages in Go, traced
// the way Bluesky traces them, without the flaws of that instrumentation.
//
// # Plans and messages
//
// A Plan is an iter.Seq[*Msg]: a function that yields messages (Msg) to the
// engine, Bluesky's generator of Msg. The stubs (OpenRun, CloseRun, Set,
// Wait, Read, Trigger, TriggerAndRead, Create, Save, Sleep, Checkpoint,
// Kickoff, Complete, Collect, Stage, Unstage, Null, Fail, Finalize) are
// plans of one or two messages; Chain and YieldFrom compose them; Func
// writes a plan as a function. The built-in plans Count, Scan, GridScan,
// RelScan and RelGridScan stage their devices, open a run with metadata
// and produce one event per point.
//
// The engine handles each message synchronously, in the body of its range
// loop over the plan, and writes the message's Result and Err before the
// plan resumes, so a plan uses what it read:
//
//	m := &plan.Msg{Command: "read", Obj: motor}
//	if !yield(m) {
//		return
//	}
//	pos := m.Result.(map[string]device.Reading)["motor"].Value
//
// A failing message (a device error, a failed status on wait, an unknown
// command) is not thrown into the plan as in Bluesky: the engine records
// the failure in m.Err and stops the plan (yield returns false), whose
// deferred functions run; the run ends with exit_status "fail".
//
// # The engine
//
// NewRunEngine makes an engine, configured by sealed With... options
// (WithTracerProvider, WithClock, WithUIDs, WithScanID); it holds no
// goroutine and needs no shutdown. Subscribe receives the documents (start,
// descriptor, event, stop, in Bluesky's shapes, as Document maps); Run
// executes a plan and returns the uids of the runs it opened. One Run at a
// time. Run starts no goroutine: statuses are waited for in Run's
// goroutine, and nothing it started outlives it. Panics of the plan, of
// devices and of subscribers are recovered and returned as errors.
//
// Readings between Create and Save are bundled into one event; the first
// event of a stream name with a given key set is preceded by its
// descriptor. Statuses returned by set, trigger, kickoff and complete are
// tracked by group until a wait for their group (or a wait without group,
// which waits for all) sees them succeed.
//
// # Control
//
// Pause, Resume, Abort, Halt and Stop may be called from any goroutine
// while Run runs (they return ErrIdle otherwise). Pause takes effect at the
// next message boundary: the message being handled (a wait or a sleep
// included) finishes, then the engine blocks until Resume, Abort, Halt,
// Stop or the end of Run's ctx. Bluesky's rewind to the last checkpoint is
// not implemented: on Resume the plan simply continues where it was, and
// outstanding statuses keep running while paused. Abort, Halt and Stop take
// effect at the next message boundary, or at once during a wait, a sleep
// or a pause; the end of Run's ctx is an abort whose reason is the ctx's
// cause. A device call in progress (Read, Set...) is not interrupted,
// except by the device itself honouring its ctx.
//
// # Cleanup
//
// When a run ends with abort, stop or fail, the engine itself cleans up,
// whatever the plan does: it calls Stop on every device.Stoppable with an
// outstanding status (still running, or failed) and cancels the statuses
// still running; it closes the open run (stop document with the exit status
// and reason, run span ended); it runs the Finalize cleanups the plan
// registered and did not reach, last first, unstaging before each the
// devices staged inside it; it unstages the devices still staged. Halt
// stops the devices and closes the run but skips the rest, as Bluesky's
// halt does; a Halt during another cleanup interrupts it. The cleanup runs
// with Run's ctx without its cancellation. When a plan ends normally, a run
// it left open is closed with success, its devices left staged are
// unstaged, and statuses it never waited for are left to finish.
//
// Run returns nil for success and stop, an error wrapping ErrAbort (and
// the ctx's cause when the ctx ended), ErrHalt, or the failure; cleanup
// failures are joined to it.
//
// # Tracing
//
// A run is a span "run <plan_name>", parent of the spans of the commands
// that take time (set, wait, read, trigger, kickoff, complete, collect,
// sleep), whose contexts are passed to the devices, so a Status's span is a
// child of its set or trigger. Trace wraps a plan in a span of its own and
// tells the engine which context its messages belong to. The engine's
// internal steps are kernel-topic spans (telemetry/topic), off unless the
// component records kernel spans. Every span ends, whatever happens to the
// run; every attribute has a valid type (internal/attrs). The names and
// attributes are listed in docs/plan-tracing.md.
//
// WithNaming(device.NamingBluesky), or SIGHTLINE_PLAN_SPAN_NAMING=bluesky
// (device.NamingEnv; the option wins), gives the spans Bluesky's names and
// attributes, key for key with Bluesky's documented output: "Bluesky
// RunEngine run" (with the open_run message's msg.* attributes and
// success), "Bluesky RunEngine <command>", msg.kwargs spaced as Python's
// json.dumps, msg.obj the device's repr (device.Repr; WithObjRepr changes
// that under either naming), and the devices' Status spans "Ophyd Status"
// (the engine passes its naming to them in the context). sightline's own
// attributes are kept; sightline's names stay the default, being shorter
// and carrying the plan and device names. A bad value is an error from
// Validate and a warning to otel.Handle from NewRunEngine, which keeps
// sightline's naming.
package plan
