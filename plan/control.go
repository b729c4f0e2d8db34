package plan

import (
	"sync"
	"sync/atomic"
)

// State is what the engine is doing.
type State string

// Engine states.
const (
	StateIdle    State = "idle"
	StateRunning State = "running"
	StatePaused  State = "paused"
)

// control holds the requests other goroutines make of a running engine.
// The engine reads them at message boundaries (one atomic load when there
// is none) and while it waits, sleeps or is paused (woken through wake).
type control struct {
	mu       sync.Mutex
	running  bool
	paused   bool   // the engine is blocked in a pause
	pauseReq bool   // Pause was called and not Resume
	end      string // requested exit: ExitAbort, ExitHalt or ExitStop
	reason   string
	pending  atomic.Bool // pauseReq || end != ""
	wake     chan struct{}
}

// rank orders end requests: a stronger request replaces a weaker one that
// the engine has not acted on yet (halt interrupts an abort's cleanup).
func rank(exit string) int {
	switch exit {
	case ExitStop:
		return 1
	case ExitAbort:
		return 2
	case ExitHalt:
		return 3
	}
	return 0
}

// signalLocked publishes the request state and wakes the engine.
func (c *control) signalLocked() {
	c.pending.Store(c.pauseReq || c.end != "")
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *control) begin() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return ErrRunning
	}
	c.running, c.paused, c.pauseReq, c.end, c.reason = true, false, false, "", ""
	c.pending.Store(false)
	select {
	case <-c.wake:
	default:
	}
	return nil
}

func (c *control) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running, c.paused, c.pauseReq, c.end, c.reason = false, false, false, "", ""
	c.pending.Store(false)
}

// requests returns the pending requests.
func (c *control) requests() (pause bool, end, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pauseReq, c.end, c.reason
}

func (c *control) setPaused(p bool) {
	c.mu.Lock()
	c.paused = p
	c.mu.Unlock()
}

func (c *control) request(exit, reason string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return ErrIdle
	}
	if rank(exit) > rank(c.end) {
		c.end, c.reason = exit, reason
	}
	c.signalLocked()
	return nil
}

// State reports whether the engine is idle, running a plan, or paused.
func (re *RunEngine) State() State {
	c := &re.ctl
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.running:
		return StateIdle
	case c.paused:
		return StatePaused
	}
	return StateRunning
}

// Pause asks the running plan to pause at the next message boundary: the
// engine finishes the message it is handling (a wait or sleep in progress
// runs to its end), then blocks before the next one until Resume, Abort,
// Halt, Stop or the end of Run's ctx. Outstanding statuses keep running and
// devices are not stopped. Unlike Bluesky, the engine does not rewind to
// the last checkpoint: on Resume the plan simply goes on from where it
// was. It returns ErrIdle when no Run runs.
func (re *RunEngine) Pause() error {
	c := &re.ctl
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return ErrIdle
	}
	c.pauseReq = true
	c.signalLocked()
	return nil
}

// Resume continues a paused plan (or cancels a Pause not yet taken).
func (re *RunEngine) Resume() error {
	c := &re.ctl
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return ErrIdle
	}
	c.pauseReq = false
	c.signalLocked()
	return nil
}

// Abort ends the run with exit_status "abort" and reason: at the next
// message boundary, or at once when the engine waits, sleeps or is paused.
// The engine stops the devices with outstanding statuses, closes the run,
// runs Finalize cleanups and unstages; Run returns an error wrapping
// ErrAbort.
func (re *RunEngine) Abort(reason string) error {
	if reason == "" {
		reason = "abort requested"
	}
	return re.ctl.request(ExitAbort, reason)
}

// Halt ends the run with exit_status "halt" like Abort, but skips the
// cleanup (no Finalize cleanups, no unstage), as Bluesky's halt does; the
// devices with outstanding statuses are still stopped. A Halt during an
// abort's or stop's cleanup interrupts it. Run returns an error wrapping
// ErrHalt.
func (re *RunEngine) Halt() error { return re.ctl.request(ExitHalt, "halt requested") }

// Stop ends the run with exit_status "stop", with the cleanup of Abort,
// but the run is not an error: Run returns nil.
func (re *RunEngine) Stop() error { return re.ctl.request(ExitStop, "stop requested") }
