package plan

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/otel/codes"

	"github.com/sightline-dev/sightline/device"
)

// env is one engine with a motor and a detector, traced into memory.
type env struct {
	tr     *tracing
	re     *RunEngine
	m      *motor
	d      *det
	j      *journal
	docs   docs
	ctx    context.Context
	cancel context.CancelFunc
}

func newEnv(t *testing.T) *env {
	tr := newTracing(t)
	j := &journal{}
	m := &motor{name: "motor", tracer: tr.tp.Tracer("device"), journal: j}
	e := &env{tr: tr, j: j, m: m, d: &det{name: "det", tracer: tr.tp.Tracer("device"), motor: m, journal: j},
		re: NewRunEngine(WithTracerProvider(tr.tp))}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	t.Cleanup(e.cancel)
	e.re.Subscribe(e.docs.handle)
	return e
}

func (e *env) scan() Plan {
	return Trace(e.tr.tracer(), "scan", Scan(readables(e.d), e.m, 0, 2, 3))
}

// runWhileMoving runs the scan with a manual motor and calls act once the
// engine waits for the first move.
func (e *env) runWhileMoving(act func()) ([]string, error) {
	e.m.manual = true
	e.m.moved = make(chan float64, 1)
	type result struct {
		uids []string
		err  error
	}
	done := make(chan result)
	go func() {
		uids, err := e.re.Run(e.ctx, e.scan())
		done <- result{uids, err}
	}()
	<-e.m.moved
	synctest.Wait() // the engine waits for the move
	act()
	r := <-done
	return r.uids, r.err
}

var (
	errFire = errors.New("detector on fire")
	errAny  = errors.New("any error")
)

// TestExitStatus checks, for each way a run ends, the stop document, the
// run span, the error spans, what Run returns, the device cleanup, and
// that every span ended.
func TestExitStatus(t *testing.T) {
	cases := []struct {
		name     string
		setup    func(e *env)
		run      func(e *env) ([]string, error) // default: the scan, in this goroutine
		exit     string
		reason   string // substring
		errIs    []error
		events   int
		stops    int
		unstaged bool
		errSpans []string
	}{
		{name: "success", exit: ExitSuccess, events: 3, unstaged: true},
		{name: "abort", exit: ExitAbort, reason: "user abort", errIs: []error{ErrAbort}, events: 1, unstaged: true,
			setup: func(e *env) {
				e.d.onTrigger = func(n int) {
					if n == 2 {
						_ = e.re.Abort("user abort")
					}
				}
			}, errSpans: []string{"run scan", "scan"}},
		{name: "halt", exit: ExitHalt, reason: "halt requested", errIs: []error{ErrHalt}, events: 1,
			setup: func(e *env) {
				e.d.onTrigger = func(n int) {
					if n == 2 {
						_ = e.re.Halt()
					}
				}
			}, errSpans: []string{"run scan", "scan"}},
		{name: "stop", exit: ExitStop, reason: "stop requested", events: 1, unstaged: true,
			setup: func(e *env) {
				e.d.onTrigger = func(n int) {
					if n == 2 {
						_ = e.re.Stop()
					}
				}
			}},
		{name: "device error", exit: ExitFail, reason: "read det: detector on fire", errIs: []error{errFire},
			unstaged: true, setup: func(e *env) { e.d.readErr = errFire },
			errSpans: []string{"read", "run scan", "scan"}},
		{name: "failed move", exit: ExitFail, reason: "motor jammed", errIs: []error{errAny}, stops: 1, unstaged: true,
			setup:    func(e *env) { e.m.setErr = errors.New("motor jammed") },
			errSpans: []string{"MoveStatus motor", "wait", "run scan", "scan"}},
		{name: "device panic", exit: ExitFail, reason: "read det: panicked: det exploded", errIs: []error{errAny}, unstaged: true,
			setup:    func(e *env) { e.d.onRead = func(int) { panic("det exploded") } },
			errSpans: []string{"read", "run scan", "scan"}},
		{name: "subscriber panic", exit: ExitFail, reason: "subscriber panicked on event document: bad table", errIs: []error{errAny},
			unstaged: true, events: 1, setup: func(e *env) {
				e.re.Subscribe(func(name string, _ Document) {
					if name == "event" {
						panic("bad table")
					}
				})
			}, errSpans: []string{"run scan", "scan"}},
		{name: "plan panic", exit: ExitFail, reason: "plan panicked: boom", errIs: []error{errAny}, unstaged: true,
			run: func(e *env) ([]string, error) {
				return e.re.Run(e.ctx, Trace(e.tr.tracer(), "scan", Chain(Stage(e.m), OpenRun(map[string]any{"plan_name": "scan"}),
					Set(e.m, 1.0, "", true), Func(func(func(*Msg) bool) { panic("boom") }))))
			}, errSpans: []string{"run scan", "scan"}},
		{name: "ctx cancelled", exit: ExitAbort, reason: "context canceled", errIs: []error{ErrAbort, context.Canceled},
			events: 1, unstaged: true, setup: func(e *env) {
				e.d.onRead = func(n int) {
					if n == 2 {
						e.cancel()
					}
				}
			}, errSpans: []string{"run scan", "scan"}},
		{name: "abort during wait", exit: ExitAbort, reason: "during move", errIs: []error{ErrAbort}, stops: 1, unstaged: true,
			run: func(e *env) ([]string, error) {
				return e.runWhileMoving(func() { _ = e.re.Abort("during move") })
			}, errSpans: []string{"MoveStatus motor", "wait", "run scan", "scan"}},
		{name: "halt during wait", exit: ExitHalt, reason: "halt requested", errIs: []error{ErrHalt}, stops: 1,
			run:      func(e *env) ([]string, error) { return e.runWhileMoving(func() { _ = e.re.Halt() }) },
			errSpans: []string{"MoveStatus motor", "wait", "run scan", "scan"}},
		{name: "stop during wait", exit: ExitStop, reason: "stop requested", stops: 1, unstaged: true,
			run:      func(e *env) ([]string, error) { return e.runWhileMoving(func() { _ = e.re.Stop() }) },
			errSpans: []string{"MoveStatus motor"}},
		{name: "ctx cancelled during wait", exit: ExitAbort, reason: "context canceled",
			errIs: []error{ErrAbort, context.Canceled}, stops: 1, unstaged: true,
			run:      func(e *env) ([]string, error) { return e.runWhileMoving(e.cancel) },
			errSpans: []string{"MoveStatus motor", "wait", "run scan", "scan"}},
		{name: "status timeout", exit: ExitFail, reason: "did not finish within 1s", errIs: []error{device.ErrTimeout},
			stops: 1, unstaged: true, setup: func(e *env) { e.m.manual, e.m.timeout = true, time.Second },
			errSpans: []string{"MoveStatus motor", "wait", "run scan", "scan"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t)
				if tc.setup != nil {
					tc.setup(e)
				}
				var uids []string
				var err error
				if tc.run != nil {
					uids, err = tc.run(e)
				} else {
					uids, err = e.re.Run(e.ctx, e.scan())
				}
				checkRunError(t, err, tc.errIs)
				if len(uids) != 1 {
					t.Fatalf("uids %v", uids)
				}
				stops := e.docs.all("stop")
				if len(stops) != 1 {
					t.Fatalf("%d stop documents", len(stops))
				}
				stop := stops[0]
				if stop["exit_status"] != tc.exit || !strings.Contains(stop["reason"].(string), tc.reason) {
					t.Errorf("stop document exit_status %v reason %q, want %s %q", stop["exit_status"], stop["reason"], tc.exit, tc.reason)
				}
				if stop["run_start"] != uids[0] {
					t.Errorf("stop run_start %v, want %s", stop["run_start"], uids[0])
				}
				if n := stop["num_events"].(map[string]int)["primary"]; n != tc.events || len(e.docs.all("event")) != tc.events {
					t.Errorf("num_events %d, %d events, want %d", n, len(e.docs.all("event")), tc.events)
				}
				run := e.tr.find("run scan")
				if len(run) != 1 {
					t.Fatalf("%d run spans", len(run))
				}
				if v, _ := attr(run[0], "exit_status"); v.AsString() != tc.exit {
					t.Errorf("run span exit_status %q", v.AsString())
				}
				if v, _ := attr(run[0], "reason"); v.AsString() != stop["reason"] {
					t.Errorf("run span reason %q, stop document %q", v.AsString(), stop["reason"])
				}
				isErr := tc.exit == ExitAbort || tc.exit == ExitHalt || tc.exit == ExitFail
				if (run[0].Status.Code == codes.Error) != isErr {
					t.Errorf("run span status %v", run[0].Status)
				}
				var errNames []string
				for _, s := range e.tr.spans() {
					if s.Status.Code == codes.Error && !isKernel(s) && !slices.Contains(errNames, s.Name) {
						errNames = append(errNames, s.Name)
					}
				}
				slices.Sort(errNames)
				want := slices.Clone(tc.errSpans)
				slices.Sort(want)
				if !slices.Equal(errNames, want) {
					t.Errorf("error spans %q, want %q", errNames, want)
				}
				if e.m.stops != tc.stops {
					t.Errorf("motor stopped %d times, want %d", e.m.stops, tc.stops)
				}
				journal := e.j.list()
				if unstaged := slices.Contains(journal, "unstage motor"); unstaged != tc.unstaged {
					t.Errorf("unstaged %v, want %v: %q", unstaged, tc.unstaged, journal)
				}
				e.tr.checkAllEnded(t)
				if st := e.re.State(); st != StateIdle {
					t.Errorf("state after Run: %s", st)
				}
			})
		})
	}
}

func checkRunError(t *testing.T, err error, want []error) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Errorf("Run: %v, want nil", err)
		}
		return
	}
	for _, w := range want {
		if err == nil || w != errAny && !errors.Is(err, w) {
			t.Errorf("Run: %v, want an error wrapping %v", err, w)
		}
	}
}
