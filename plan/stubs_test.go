package plan

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/sightline-dev/sightline/device"
)

func TestStubs(t *testing.T) {
	re, got := newDocEngine()
	m := &motor{name: "motor", pos: 2}
	d := &det{name: "det"}
	var trig, read *Msg
	p := Func(func(yield func(*Msg) bool) {
		if !YieldFrom(yield, RelSet(m, 1.5, "", true)) || !YieldFrom(yield, AbsSet(m, 1.0, "g", false)) ||
			!YieldFrom(yield, Wait("g")) || !YieldFrom(yield, OpenRun(map[string]any{"plan_name": "stubs"})) {
			return
		}
		trig = &Msg{Command: CmdTrigger, Obj: d, Kwargs: map[string]any{"group": "t"}}
		read = &Msg{Command: CmdRead, Obj: d}
		if !yield(trig) || !YieldFrom(yield, Trigger(d, "", true)) || !YieldFrom(yield, Create("")) || !yield(read) ||
			!YieldFrom(yield, Drop()) || !YieldFrom(yield, Null()) || !YieldFrom(yield, Checkpoint()) {
			return
		}
		YieldFrom(yield, CloseRun(ExitFail, "declared by the plan"))
	})
	if _, err := re.Run(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.moves(), []float64{3.5, 1}) {
		t.Errorf("moves %v", m.moves())
	}
	if _, ok := trig.Result.(*device.Status); !ok {
		t.Errorf("trigger Result %T", trig.Result)
	}
	if r := read.Result.(map[string]device.Reading); r["det"].Value != 2.0 {
		t.Errorf("read Result %v", r)
	}
	if want := []string{"start", "stop"}; !slices.Equal(got.names(), want) {
		t.Errorf("documents %q (drop emits nothing)", got.names())
	}
	if stop := got.all("stop")[0]; stop["exit_status"] != ExitFail || stop["reason"] != "declared by the plan" {
		t.Errorf("stop %v", stop)
	}
}

// odd reads values of several types and describes none of them.
type odd struct{}

func (odd) Name() string { return "odd" }
func (odd) Read(context.Context) (map[string]device.Reading, error) {
	return map[string]device.Reading{"i": {Value: 3}, "s": {Value: "x"}, "b": {Value: true}, "a": {Value: []float64{1}}}, nil
}
func (odd) Describe(context.Context) (map[string]device.DataKey, error) { return nil, nil }

func TestInferredDataKeys(t *testing.T) {
	re, got := newDocEngine()
	if _, err := re.Run(context.Background(), Count(readables(odd{}), 1, 0)); err != nil {
		t.Fatal(err)
	}
	keys := got.all("descriptor")[0]["data_keys"].(map[string]any)
	for k, want := range map[string]string{"i": "integer", "s": "string", "b": "boolean", "a": "array"} {
		if dt := keys[k].(map[string]any)["dtype"]; dt != want {
			t.Errorf("dtype of %s = %v, want %s", k, dt, want)
		}
	}
}

func TestUnsubscribe(t *testing.T) {
	re := NewRunEngine()
	n := 0
	unsubscribe := re.Subscribe(func(string, Document) { n++ })
	if _, err := re.Run(context.Background(), Count(readables(&det{name: "d"}), 1, 0)); err != nil {
		t.Fatal(err)
	}
	unsubscribe()
	unsubscribe()
	if _, err := re.Run(context.Background(), Count(readables(&det{name: "d"}), 1, 0)); err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("%d documents, want the 4 of the first run", n)
	}
}

func TestRdErrors(t *testing.T) {
	re := NewRunEngine()
	multi := Func(func(yield func(*Msg) bool) { Rd(yield, odd{}) })
	if _, err := re.Run(context.Background(), multi); err == nil || err.Error() != `rd odd: no reading named "odd" among 4` {
		t.Errorf("Run: %v", err)
	}
	str := &strMotor{motor{name: "s"}}
	if _, err := re.Run(context.Background(), RelSet(str, 1, "", true)); err == nil || err.Error() != "rel_set s: value x (string) is not a number" {
		t.Errorf("Run: %v", err)
	}
}

// strMotor reads a string.
type strMotor struct{ motor }

func (s *strMotor) Read(context.Context) (map[string]device.Reading, error) {
	return map[string]device.Reading{"s": {Value: "x"}}, nil
}

// TestHaltDuringCleanup: a Halt interrupts an abort's cleanup; the
// statuses the cleanup left running are stopped and their spans end.
func TestHaltDuringCleanup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		back := &motor{name: "back", tracer: e.tr.tp.Tracer("device"), journal: e.j, manual: true, moved: make(chan float64, 1)}
		e.d.onRead = func(int) { _ = e.re.Abort("") }
		wait := runAsync(e, Finalize(Chain(OpenRun(nil), Read(e.d)), Set(back, 0.0, "", true)))
		<-back.moved
		synctest.Wait()
		_ = e.re.Halt()
		err := wait()
		if !errors.Is(err, ErrAbort) || !errors.Is(err, ErrHalt) {
			t.Errorf("Run: %v", err)
		}
		if !reflect.DeepEqual(e.j.list(), []string{"set back 0", "stop back"}) {
			t.Errorf("journal %q", e.j.list())
		}
		e.tr.checkAllEnded(t)
	})
}
