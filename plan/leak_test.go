package plan

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.uber.org/goleak"
)

// TestEarlyStop: a plan the engine stops is not resumed, its deferred
// functions run, its Trace span ends, and no goroutine is left.
func TestEarlyStop(t *testing.T) {
	defer goleak.VerifyNone(t)
	tr := newTracing(t)
	re := NewRunEngine(WithTracerProvider(tr.tp))
	d := &det{name: "det", onRead: func(n int) {
		if n == 3 {
			_ = re.Abort("seen enough")
		}
	}}
	deferred, yields := false, 0
	p := Trace(tr.tracer(), "endless", Func(func(yield func(*Msg) bool) {
		defer func() { deferred = true }()
		for {
			yields++
			if !yield(&Msg{Command: CmdRead, Obj: d}) {
				return
			}
		}
	}))
	_, err := re.Run(context.Background(), p)
	if !errors.Is(err, ErrAbort) {
		t.Fatalf("Run: %v", err)
	}
	if !deferred || yields != 4 {
		t.Errorf("deferred %v, %d yields (want true, 4: the 4th is refused)", deferred, yields)
	}
	span := tr.find("endless")[0]
	if span.Status.Code != codes.Error || !strings.Contains(span.Status.Description, "seen enough") {
		t.Errorf("Trace span status %v", span.Status)
	}
	tr.checkAllEnded(t)
}

// TestPanickingPlan: a panic in a traced plan ends the Trace span with the
// panic recorded, and Run returns it as an error.
func TestPanickingPlan(t *testing.T) {
	defer goleak.VerifyNone(t)
	tr := newTracing(t)
	re := NewRunEngine(WithTracerProvider(tr.tp))
	p := Trace(tr.tracer(), "outer", Trace(tr.tracer(), "fragile", Func(func(yield func(*Msg) bool) {
		if yield(&Msg{Command: CmdNull}) {
			panic(errors.New("kaboom"))
		}
	})))
	_, err := re.Run(context.Background(), p)
	if err == nil || err.Error() != "plan panicked: kaboom" {
		t.Fatalf("Run: %v", err)
	}
	for _, name := range []string{"outer", "fragile"} {
		s := tr.find(name)[0]
		if s.Status.Code != codes.Error || len(s.Events) != 1 || s.Events[0].Name != "exception" {
			t.Errorf("%s: status %v events %v", name, s.Status, s.Events)
		}
	}
	tr.checkAllEnded(t)
}

// TestMisbehavingPlan: a plan that yields again after the engine stopped
// it makes Go panic; Run returns that as an error too.
func TestMisbehavingPlan(t *testing.T) {
	re := NewRunEngine()
	bad := Func(func(yield func(*Msg) bool) {
		yield(&Msg{Command: CmdFail, Err: errors.New("first")})
		yield(&Msg{Command: CmdNull}) // not allowed: yield returned false
	})
	_, err := re.Run(context.Background(), bad)
	if err == nil || !strings.Contains(err.Error(), "first") || !strings.Contains(err.Error(), "plan panicked") {
		t.Errorf("Run: %v", err)
	}
}

// TestCancelDuringSleep: cancelling Run's ctx interrupts a sleep at once.
func TestCancelDuringSleep(t *testing.T) {
	defer goleak.VerifyNone(t)
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		start := time.Now()
		wait := runAsync(e, Trace(e.tr.tracer(), "nap", Chain(OpenRun(nil), Sleep(time.Hour), CloseRun("", ""))))
		synctest.Wait()
		e.cancel()
		if err := wait(); !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("slept %v", d)
		}
		s := e.tr.find("sleep")[0]
		if s.Status.Code != codes.Error {
			t.Errorf("sleep span status %v", s.Status)
		}
		e.tr.checkAllEnded(t)
	})
}
