package plan

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/sightline-dev/sightline/device"
)

// attrSpan is a span that keeps a copy of the attributes it is given, as
// an SDK does; keep false makes it drop them (nothing allocated).
type attrSpan struct {
	trace.Span
	keep bool
	got  []attribute.KeyValue
}

func (s *attrSpan) SetAttributes(kv ...attribute.KeyValue) {
	if s.keep {
		s.got = append(s.got, kv...)
	}
}

func newAttrSpan(keep bool) *attrSpan {
	_, span := noop.NewTracerProvider().Tracer("").Start(context.Background(), "")
	return &attrSpan{Span: span, keep: keep}
}

// TestMsgAttrsReused: the run's reused attribute buffer and the kept
// msg.kwargs text of the last group give every span its own message's
// attributes, under both namings.
func TestMsgAttrsReused(t *testing.T) {
	mo := &motor{name: "motor"}
	g1, g2 := map[string]any{"group": "set-1"}, map[string]any{"group": "set-2"}
	msgs := []*Msg{
		{Command: CmdSet, Obj: mo, Args: []any{1.5}, Kwargs: g1},
		{Command: CmdWait, Kwargs: map[string]any{"group": "set-1"}},
		{Command: CmdRead, Obj: mo},
		{Command: CmdSet, Obj: mo, Args: []any{2}, Kwargs: g2},
		{Command: CmdWait, Kwargs: g2},
		{Command: CmdWait},
		{Command: CmdSleep, Args: []any{0.5, "x"}, Kwargs: map[string]any{"group": `a"b`}},
	}
	for _, tc := range []struct {
		naming device.Naming
		want   []map[string]attribute.Value
	}{
		{device.NamingSightline, []map[string]attribute.Value{
			{"msg.command": str("set"), "msg.obj": str("motor"), "msg.args": attribute.Float64SliceValue([]float64{1.5}),
				"msg.kwargs": str(`{"group":"set-1"}`)},
			{"msg.command": str("wait"), "msg.no_obj_given": attribute.BoolValue(true), "msg.kwargs": str(`{"group":"set-1"}`),
				"group": str("set-1")},
			{"msg.command": str("read"), "msg.obj": str("motor"), "msg.kwargs": str(`{}`)},
			{"msg.command": str("set"), "msg.obj": str("motor"), "msg.args": attribute.Int64SliceValue([]int64{2}),
				"msg.kwargs": str(`{"group":"set-2"}`)},
			{"msg.command": str("wait"), "msg.no_obj_given": attribute.BoolValue(true), "msg.kwargs": str(`{"group":"set-2"}`),
				"group": str("set-2")},
			{"msg.command": str("wait"), "msg.no_obj_given": attribute.BoolValue(true), "msg.kwargs": str(`{}`),
				"no_group_given": attribute.BoolValue(true)},
			{"msg.command": str("sleep"), "msg.no_obj_given": attribute.BoolValue(true), "msg.args": str(`[0.5,"x"]`),
				"msg.kwargs": str(`{"group":"a\"b"}`)},
		}},
		{device.NamingBluesky, []map[string]attribute.Value{
			{"msg.command": str("set"), "msg.obj": str("TestMotor(name='motor')"), "msg.args": attribute.Float64SliceValue([]float64{1.5}),
				"msg.kwargs": str(`{"group": "set-1"}`)},
			{"msg.command": str("wait"), "msg.no_obj_given": attribute.BoolValue(true), "msg.args": attribute.StringSliceValue([]string{}),
				"msg.kwargs": str(`{"group": "set-1"}`), "group": str("set-1")},
			{"msg.command": str("read"), "msg.obj": str("TestMotor(name='motor')"), "msg.args": attribute.StringSliceValue([]string{}),
				"msg.kwargs": str(`{}`)},
			{"msg.command": str("set"), "msg.obj": str("TestMotor(name='motor')"), "msg.args": attribute.Int64SliceValue([]int64{2}),
				"msg.kwargs": str(`{"group": "set-2"}`)},
			{"msg.command": str("wait"), "msg.no_obj_given": attribute.BoolValue(true), "msg.args": attribute.StringSliceValue([]string{}),
				"msg.kwargs": str(`{"group": "set-2"}`), "group": str("set-2")},
			{"msg.command": str("wait"), "msg.no_obj_given": attribute.BoolValue(true), "msg.args": attribute.StringSliceValue([]string{}),
				"msg.kwargs": str(`{}`), "no_group_given": attribute.BoolValue(true)},
			{"msg.command": str("sleep"), "msg.no_obj_given": attribute.BoolValue(true), "msg.args": str(`[0.5,"x"]`),
				"msg.kwargs": str(`{"group": "a\"b"}`)},
		}},
	} {
		t.Run(string(tc.naming), func(t *testing.T) {
			r := &runner{re: NewRunEngine(WithTracerProvider(noop.NewTracerProvider()), WithNaming(tc.naming))}
			for i, m := range msgs {
				span := newAttrSpan(true)
				r.setMsgAttrs(span, m)
				got := map[string]attribute.Value{}
				for _, kv := range span.got {
					if _, dup := got[string(kv.Key)]; dup {
						t.Errorf("message %d (%s): %s set twice", i, m.Command, kv.Key)
					}
					got[string(kv.Key)] = kv.Value
				}
				if !sameAttrs(got, tc.want[i]) {
					t.Errorf("message %d (%s): attributes\n%v\nwant\n%v", i, m.Command, got, tc.want[i])
				}
			}
			for i, kv := range r.attrBuf[:cap(r.attrBuf)] {
				if kv.Key != "" {
					t.Errorf("buffer keeps %s at %d after the span", kv.Key, i)
				}
			}
		})
	}
}

// TestMsgAttrsAllocations: a command span's attributes cost the engine no
// allocation (the buffer is the run's, a group's msg.kwargs text is made
// once for the set and the wait), but the typed array of a set's value
// (the attribute API copies the []float64 it is given into an array).
func TestMsgAttrsAllocations(t *testing.T) {
	mo := &motor{name: "motor"}
	kw := map[string]any{"group": "set-1"}
	set := &Msg{Command: CmdSet, Obj: mo, Args: []any{1.5}, Kwargs: kw}
	wait := &Msg{Command: CmdWait, Kwargs: kw}
	read := &Msg{Command: CmdRead, Obj: mo}
	r := &runner{re: NewRunEngine(WithTracerProvider(noop.NewTracerProvider()))}
	span := newAttrSpan(false)
	r.setMsgAttrs(span, set) // the run's first span makes the buffer
	for _, tc := range []struct {
		m    *Msg
		want float64
	}{{set, 2}, {wait, 0}, {read, 0}} {
		if got := testing.AllocsPerRun(100, func() { r.setMsgAttrs(span, tc.m) }); got > tc.want {
			t.Errorf("%s span attributes: %v allocations, want at most %v", tc.m.Command, got, tc.want)
		}
	}
}

func str(s string) attribute.Value { return attribute.StringValue(s) }

func sameAttrs(a, b map[string]attribute.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
