package plan

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"

	"go.opentelemetry.io/otel/attribute"
)

// runAsync runs p in a goroutine of the bubble; the returned func waits for
// Run's result.
func runAsync(e *env, p Plan) func() error {
	done := make(chan error, 1)
	go func() {
		_, err := e.re.Run(e.ctx, p)
		done <- err
	}()
	return func() error { return <-done }
}

func TestPause(t *testing.T) {
	cases := []struct {
		name   string
		then   func(e *env)
		exit   string
		events int
		errIs  error
	}{
		{name: "resume", then: func(e *env) { _ = e.re.Resume() }, exit: ExitSuccess, events: 3},
		{name: "abort while paused", then: func(e *env) { _ = e.re.Abort("paused too long") }, exit: ExitAbort, errIs: ErrAbort},
		{name: "halt while paused", then: func(e *env) { _ = e.re.Halt() }, exit: ExitHalt, errIs: ErrHalt},
		{name: "stop while paused", then: func(e *env) { _ = e.re.Stop() }, exit: ExitStop},
		{name: "ctx cancelled while paused", then: func(e *env) { e.cancel() }, exit: ExitAbort, errIs: context.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t)
				e.d.onRead = func(n int) {
					if n == 1 {
						_ = e.re.Pause() // takes effect before the next message
					}
				}
				wait := runAsync(e, e.scan())
				synctest.Wait()
				if st := e.re.State(); st != StatePaused {
					t.Fatalf("state %s, want paused", st)
				}
				if n := len(e.docs.all("event")); n != 0 {
					t.Errorf("%d events while paused at the first point", n)
				}
				if r := e.d.readCount(); r != 1 {
					t.Errorf("%d reads while paused, want 1", r)
				}
				tc.then(e)
				err := wait()
				if tc.errIs == nil && err != nil || tc.errIs != nil && !errors.Is(err, tc.errIs) {
					t.Errorf("Run: %v, want %v", err, tc.errIs)
				}
				stop := e.docs.all("stop")[0]
				if stop["exit_status"] != tc.exit || len(e.docs.all("event")) != tc.events {
					t.Errorf("exit_status %v with %d events, want %s with %d", stop["exit_status"], len(e.docs.all("event")), tc.exit, tc.events)
				}
				var events []string
				for _, ev := range e.tr.find("run scan")[0].Events {
					events = append(events, ev.Name)
				}
				if !slices.Equal(events, []string{"pause", "resume"}) && !slices.Equal(events, []string{"pause"}) {
					t.Errorf("run span events %q", events)
				}
				e.tr.checkAllEnded(t)
			})
		})
	}
}

// TestPauseDuringWait: a Pause does not interrupt a wait; the engine
// pauses after it.
func TestPauseDuringWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.m.manual = true
		p := Chain(OpenRun(nil), Set(e.m, 1.0, "", true), Read(e.m), CloseRun("", ""))
		wait := runAsync(e, p)
		synctest.Wait()
		if err := e.re.Pause(); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if st := e.re.State(); st != StateRunning {
			t.Errorf("state %s during the wait, want running", st)
		}
		e.m.finishMoves(nil)
		synctest.Wait()
		if st := e.re.State(); st != StatePaused {
			t.Errorf("state %s after the wait, want paused", st)
		}
		_ = e.re.Resume()
		if err := wait(); err != nil {
			t.Fatal(err)
		}
		if ws := e.tr.find("wait"); len(ws) != 1 || ws[0].Status.Code != 0 {
			t.Errorf("wait spans %v", ws)
		}
	})
}

// TestStopDuringWaitSpan: a wait cut short by Stop is marked interrupted,
// not an error.
func TestStopDuringWaitSpan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		if _, err := e.runWhileMoving(func() { _ = e.re.Stop() }); err != nil {
			t.Fatal(err)
		}
		wantAttrs(t, e.tr.find("wait")[0], map[string]attribute.Value{"interrupted": attribute.StringValue("stop")})
	})
}

func TestControlWhenIdle(t *testing.T) {
	re := NewRunEngine()
	for name, f := range map[string]func() error{
		"Pause": re.Pause, "Resume": re.Resume, "Halt": re.Halt, "Stop": re.Stop,
		"Abort": func() error { return re.Abort("x") },
	} {
		if err := f(); !errors.Is(err, ErrIdle) {
			t.Errorf("%s when idle: %v, want ErrIdle", name, err)
		}
	}
	if re.State() != StateIdle {
		t.Errorf("state %s", re.State())
	}
}

func TestRunWhileRunning(t *testing.T) {
	re := NewRunEngine()
	var inner error
	p := Func(func(yield func(*Msg) bool) {
		_, inner = re.Run(context.Background(), Null())
		yield(&Msg{Command: CmdNull})
	})
	if _, err := re.Run(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(inner, ErrRunning) {
		t.Errorf("nested Run: %v, want ErrRunning", inner)
	}
}
