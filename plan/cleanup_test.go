package plan

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestFinalizeOrder: after an abort or stop the engine unwinds the
// Finalize cleanups last first, unstaging before each the devices staged
// inside it; a halt skips all of it; a normal end runs the cleanups in the
// plan's order.
func TestFinalizeOrder(t *testing.T) {
	for _, tc := range []struct {
		request string
		want    []string
	}{
		{"", []string{"stage A", "stage B", "unstage B", "set inner 2", "unstage A", "set outer 1"}},
		{ExitAbort, []string{"stage A", "stage B", "unstage B", "set inner 2", "unstage A", "set outer 1"}},
		{ExitStop, []string{"stage A", "stage B", "unstage B", "set inner 2", "unstage A", "set outer 1"}},
		{ExitHalt, []string{"stage A", "stage B"}},
	} {
		j := &journal{}
		a, b := &motor{name: "A", journal: j}, &motor{name: "B", journal: j}
		inner, outer := &motor{name: "inner", journal: j}, &motor{name: "outer", journal: j}
		re := NewRunEngine()
		d := &det{name: "det", onRead: func(int) {
			switch tc.request {
			case ExitAbort:
				_ = re.Abort("")
			case ExitStop:
				_ = re.Stop()
			case ExitHalt:
				_ = re.Halt()
			}
		}}
		p := Finalize(Chain(Stage(a),
			Finalize(Chain(Stage(b), OpenRun(nil), Read(d), CloseRun("", ""), Unstage(b)), Set(inner, 2.0, "", true)),
			Unstage(a)), Set(outer, 1.0, "", true))
		_, err := re.Run(context.Background(), p)
		if (err != nil) != (tc.request == ExitAbort || tc.request == ExitHalt) {
			t.Errorf("%q: Run: %v", tc.request, err)
		}
		if got := j.list(); !slices.Equal(got, tc.want) {
			t.Errorf("%q: journal %q, want %q", tc.request, got, tc.want)
		}
	}
}

// TestCleanupFailure: a failing cleanup step is returned with the main
// error, and the cleanup goes on.
func TestCleanupFailure(t *testing.T) {
	j := &journal{}
	broken := &motor{name: "broken", journal: j, setErr: errors.New("jammed")}
	other := &motor{name: "other", journal: j}
	re := NewRunEngine()
	p := Finalize(Finalize(Chain(Stage(other), Fail(errors.New("plan gave up"))), Set(broken, 1.0, "", true)), Set(other, 3.0, "", true))
	_, err := re.Run(context.Background(), p)
	if err == nil || !strings.HasPrefix(err.Error(), "plan gave up\ncleanup: wait for group set-") || !strings.HasSuffix(err.Error(), ": jammed") {
		t.Errorf("Run: %v", err)
	}
	// other was staged inside both Finalizes: unstaged before their
	// cleanups; the failed cleanup's device is stopped before the next.
	if got, want := j.list(), []string{"stage other", "unstage other", "set broken 1", "stop broken", "set other 3"}; !slices.Equal(got, want) {
		t.Errorf("journal %q, want %q", got, want)
	}
}
