package plan

import (
	"context"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sightline-dev/sightline/device"
)

// getenvOf is a getenv of fixed variables.
func getenvOf(kv ...string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == name {
				return kv[i+1], true
			}
		}
		return "", false
	}
}

// userSpans runs a one-point scan with opts and returns the user spans by
// name.
func userSpans(t *testing.T, opts ...Option) map[string]tracetest.SpanStub {
	t.Helper()
	tr := newTracing(t)
	m := &motor{name: "m1", tracer: tr.tp.Tracer("device")}
	re := NewRunEngine(append([]Option{WithTracerProvider(tr.tp)}, opts...)...)
	if _, err := re.Run(context.Background(), Scan(nil, m, 0, 1, 1)); err != nil {
		t.Fatal(err)
	}
	out := map[string]tracetest.SpanStub{}
	for _, s := range tr.exp.GetSpans() {
		if !strings.HasPrefix(s.Name, "dispatch ") && !strings.HasPrefix(s.Name, "emit ") {
			out[s.Name] = s
		}
	}
	return out
}

func spanNames(spans map[string]tracetest.SpanStub) []string {
	var out []string
	for n := range spans {
		out = append(out, n)
	}
	return out
}

// TestNamingSelection: the naming comes from WithNaming, else from
// SIGHTLINE_PLAN_SPAN_NAMING, else is sightline's; the engine's devices
// follow it (their Status spans are "Ophyd Status" under bluesky).
func TestNamingSelection(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      []Option
		run, set  string
		status    string
		objRepr   bool
		successOn bool
	}{
		{"default", nil, "run scan", "set", "MoveStatus m1", false, false},
		{"env bluesky", []Option{WithEnv(getenvOf(device.NamingEnv, "bluesky"))},
			"Bluesky RunEngine run", "Bluesky RunEngine set", "Ophyd Status", true, true},
		{"env sightline", []Option{WithEnv(getenvOf(device.NamingEnv, "sightline"))}, "run scan", "set", "MoveStatus m1", false, false},
		{"option bluesky", []Option{WithNaming(device.NamingBluesky), WithEnv(getenvOf())},
			"Bluesky RunEngine run", "Bluesky RunEngine set", "Ophyd Status", true, true},
		{"option wins over env", []Option{WithNaming(device.NamingSightline), WithEnv(getenvOf(device.NamingEnv, "bluesky"))},
			"run scan", "set", "MoveStatus m1", false, false},
		{"bluesky without repr", []Option{WithNaming(device.NamingBluesky), WithObjRepr(false)},
			"Bluesky RunEngine run", "Bluesky RunEngine set", "Ophyd Status", false, true},
		{"sightline with repr", []Option{WithObjRepr(true), WithEnv(getenvOf())}, "run scan", "set", "MoveStatus m1", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spans := userSpans(t, tc.opts...)
			for _, n := range []string{tc.run, tc.set, tc.status} {
				if _, ok := spans[n]; !ok {
					t.Fatalf("no span %q in %q", n, spanNames(spans))
				}
			}
			obj, _ := attr(spans[tc.set], "msg.obj")
			want := "m1"
			if tc.objRepr {
				want = "TestMotor(name='m1')" // device.Repr of a device without String
			}
			if obj.AsString() != want {
				t.Errorf("msg.obj = %q, want %q", obj.AsString(), want)
			}
			succ, ok := attr(spans[tc.run], "success")
			if ok != tc.successOn || (ok && !succ.AsBool()) {
				t.Errorf("run span success = %v (present %v), want present %v and true", succ.AsBool(), ok, tc.successOn)
			}
			_, hasCmd := attr(spans[tc.run], "msg.command")
			if hasCmd != tc.successOn {
				t.Errorf("run span msg.command present = %v, want %v (Bluesky's run span carries open_run's msg.*)", hasCmd, tc.successOn)
			}
		})
	}
}

// TestBlueskyRunSpanMsgAttrs: under bluesky the run span carries the
// open_run message as Bluesky's does, and msg.kwargs is spaced as Python's
// json.dumps.
func TestBlueskyRunSpanMsgAttrs(t *testing.T) {
	spans := userSpans(t, WithNaming(device.NamingBluesky))
	run := spans["Bluesky RunEngine run"]
	cmd, _ := attr(run, "msg.command")
	kw, _ := attr(run, "msg.kwargs")
	args, hasArgs := attr(run, "msg.args")
	noObj, _ := attr(run, "msg.no_obj_given")
	if cmd.AsString() != CmdOpenRun || !hasArgs || len(args.AsStringSlice()) != 0 || !noObj.AsBool() {
		t.Errorf("run span msg.command=%q msg.args=%v (%v) msg.no_obj_given=%v", cmd.AsString(), args.String(), hasArgs, noObj.AsBool())
	}
	if !strings.Contains(kw.AsString(), `"plan_name": "scan"`) {
		t.Errorf("run span msg.kwargs = %s, want Python spacing with plan_name", kw.AsString())
	}
	wait, _ := attr(spans["Bluesky RunEngine wait"], "msg.kwargs")
	if !strings.HasPrefix(wait.AsString(), `{"group": "`) {
		t.Errorf("wait msg.kwargs = %s, want {\"group\": \"...\"}", wait.AsString())
	}
}

// TestNamingInvalid: a bad naming is an error naming where it came from,
// the value and what is allowed (Validate); NewRunEngine reports it to
// otel.Handle and keeps sightline's naming.
func TestNamingInvalid(t *testing.T) {
	for _, tc := range []struct {
		opts []Option
		want string
	}{
		{[]Option{WithEnv(getenvOf(device.NamingEnv, "blusky"))}, `plan: SIGHTLINE_PLAN_SPAN_NAMING="blusky": want "sightline" or "bluesky"`},
		{[]Option{WithNaming("Bluesky")}, `plan: plan.WithNaming="Bluesky": want "sightline" or "bluesky"`},
	} {
		err := Validate(tc.opts...)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Validate = %v, want %s", err, tc.want)
		}
		var mu sync.Mutex
		var handled []error
		prev := otel.GetErrorHandler()
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { mu.Lock(); handled = append(handled, err); mu.Unlock() }))
		re := NewRunEngine(tc.opts...)
		otel.SetErrorHandler(prev)
		if len(handled) != 1 || !strings.Contains(handled[0].Error(), tc.want) {
			t.Errorf("otel.Handle got %v, want one error containing %s", handled, tc.want)
		}
		if re.naming != device.NamingSightline {
			t.Errorf("naming = %q, want sightline", re.naming)
		}
	}
	if err := Validate(WithEnv(getenvOf(device.NamingEnv, "bluesky"))); err != nil {
		t.Errorf("Validate(bluesky) = %v", err)
	}
	if err := Validate(WithEnv(getenvOf(device.NamingEnv, ""))); err != nil {
		t.Errorf("Validate(empty) = %v", err)
	}
}

func TestPySpacing(t *testing.T) {
	for in, want := range map[string]string{
		`{}`:                           `{}`,
		`{"group":null}`:               `{"group": null}`,
		`{"a":[1,2],"b":"x,y:z"}`:      `{"a": [1, 2], "b": "x,y:z"}`,
		`{"q":"say \"a:b\", c","n":1}`: `{"q": "say \"a:b\", c", "n": 1}`,
	} {
		if got := pySpacing(in); got != want {
			t.Errorf("pySpacing(%s) = %s, want %s", in, got, want)
		}
	}
}
