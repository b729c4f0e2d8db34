package plan

import (
	"context"
	"maps"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestTracedScanSpanTree checks the exact tree of a traced scan: the Trace
// span, the run span under it, the command spans under the run, and the
// Status spans under their set and trigger.
func TestTracedScanSpanTree(t *testing.T) {
	tr := newTracing(t)
	m := &motor{name: "motor", tracer: tr.tp.Tracer("device")}
	d := &det{name: "det", tracer: tr.tp.Tracer("device"), motor: m}
	re := NewRunEngine(WithTracerProvider(tr.tp))
	var got docs
	re.Subscribe(got.handle)

	uids, err := re.Run(context.Background(), Trace(tr.tracer(), "scan", Scan(readables(d), m, 0, 1, 2)))
	if err != nil || len(uids) != 1 {
		t.Fatalf("Run = %v, %v", uids, err)
	}
	point := `    set
      MoveStatus motor
    wait
    trigger
      Status det
    wait
    read
    read
`
	want := "scan\n  run scan\n" + point + point
	if tree := tr.tree(false); tree != want {
		t.Errorf("user span tree:\n%s\nwant:\n%s", tree, want)
	}
	tr.checkAllEnded(t)

	run := tr.find("run scan")[0]
	wantAttrs(t, run, map[string]attribute.Value{
		"run.uid": attribute.StringValue(uids[0]), "plan_name": attribute.StringValue("scan"),
		"scan_id": attribute.IntValue(1), "exit_status": attribute.StringValue("success"),
		"reason": attribute.StringValue(""),
	})
	if run.Status.Code == codes.Error {
		t.Errorf("run span status %v", run.Status)
	}

	set := tr.find("set")[1]
	wantAttrs(t, set, map[string]attribute.Value{
		"msg.command": attribute.StringValue("set"), "msg.obj": attribute.StringValue("motor"),
		"msg.args": attribute.Float64SliceValue([]float64{1}),
	})
	kw, _ := attr(set, "msg.kwargs")
	if !strings.HasPrefix(kw.AsString(), `{"group":"set-`) {
		t.Errorf("set msg.kwargs = %q", kw.AsString())
	}
	setGroup := strings.TrimSuffix(strings.TrimPrefix(kw.AsString(), `{"group":"`), `"}`)
	wait := tr.find("wait")[2]
	wantAttrs(t, wait, map[string]attribute.Value{
		"msg.command": attribute.StringValue("wait"), "msg.no_obj_given": attribute.BoolValue(true),
		"group": attribute.StringValue(setGroup), "msg.kwargs": attribute.StringValue(`{"group":"` + setGroup + `"}`),
	})
	if _, ok := attr(wait, "msg.args"); ok {
		t.Error("wait has msg.args")
	}
	read := tr.find("read")[0]
	wantAttrs(t, read, map[string]attribute.Value{
		"msg.obj": attribute.StringValue("det"), "msg.kwargs": attribute.StringValue("{}"),
	})

	// Kernel spans: the dispatch of the messages without a command span,
	// under the span the message belongs to; documents are emitted under
	// the run span.
	traceSpan := tr.find("scan")[0]
	kernel := map[string]int{}
	for _, s := range tr.spans() {
		if !isKernel(s) {
			continue
		}
		kernel[s.Name]++
		parent := run.SpanContext.SpanID()
		switch s.Name {
		case "dispatch stage", "dispatch open_run", "dispatch unstage":
			parent = traceSpan.SpanContext.SpanID()
		}
		if s.Parent.SpanID() != parent {
			t.Errorf("kernel span %s has the wrong parent", s.Name)
		}
	}
	wantKernel := map[string]int{"dispatch stage": 2, "dispatch open_run": 1, "emit start": 1, "dispatch checkpoint": 2,
		"dispatch create": 2, "dispatch save": 2, "emit descriptor": 1, "emit event": 2, "dispatch close_run": 1,
		"emit stop": 1, "dispatch unstage": 2}
	if !maps.Equal(kernel, wantKernel) {
		t.Errorf("kernel spans %v, want %v", kernel, wantKernel)
	}
}

// TestTraceNesting checks the context rules of Trace: a Trace inside a run
// nests under the run span; nested Traces outside a run nest in each other.
func TestTraceNesting(t *testing.T) {
	tr := newTracing(t)
	m := &motor{name: "motor", tracer: tr.tp.Tracer("device")}
	re := NewRunEngine(WithTracerProvider(tr.tp))
	tt := tr.tracer()
	p := Trace(tt, "outer", Chain(
		Trace(tt, "before", Set(m, 1.0, "g", false)),
		OpenRun(map[string]any{"plan_name": "custom"}),
		Trace(tt, "sub", Chain(Set(m, 2.0, "", true), Trace(tt, "inner", Read(m)))),
		Wait(""),
		CloseRun("", ""),
		Read(m),
	))
	if _, err := re.Run(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	want := `outer
  before
    set
      MoveStatus motor
  run custom
    sub
      set
        MoveStatus motor
      wait
      inner
        read
    wait
  read
`
	if tree := tr.tree(false); tree != want {
		t.Errorf("span tree:\n%s\nwant:\n%s", tree, want)
	}
	wantAttrs(t, tr.find("wait")[1], map[string]attribute.Value{"no_group_given": attribute.BoolValue(true)})
	tr.checkAllEnded(t)
}

func wantAttrs(t *testing.T, s tracetest.SpanStub, want map[string]attribute.Value) {
	t.Helper()
	for k, v := range want {
		got, ok := attr(s, k)
		if !ok {
			t.Errorf("span %s: no attribute %s", s.Name, k)
			continue
		}
		if got.String() != v.String() || got.Type() != v.Type() {
			t.Errorf("span %s: %s = %s (%s), want %s (%s)", s.Name, k, got.String(), got.Type(), v.String(), v.Type())
		}
	}
}
