package plan

import (
	"context"
	"sort"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/telemetry/attrs"
)

// msgAttrCap is the most attributes a message's span gets (msgAttrs).
const msgAttrCap = 5

// command starts the span of a command that takes time, a child of pctx,
// with the message's attributes (computed only when the span records).
func (r *runner) command(pctx context.Context, m *Msg) (context.Context, trace.Span) {
	ctx, span := r.re.tracer.Start(pctx, r.re.commandName(m.Command))
	if span.IsRecording() {
		r.setMsgAttrs(span, m)
	}
	return ctx, span
}

// setMsgAttrs sets the attributes of message m on span. They are built in
// the run's buffer, reused from span to span: SetAttributes copies them
// (the SDK appends them to the span's own slice), so a span costs no
// attribute slice of its own.
func (r *runner) setMsgAttrs(span trace.Span, m *Msg) {
	if r.attrBuf == nil {
		r.attrBuf = make([]attribute.KeyValue, 0, msgAttrCap)
	}
	r.attrBuf = r.msgAttrs(r.attrBuf[:0], m)
	span.SetAttributes(r.attrBuf...)
	clear(r.attrBuf) // keeps no value alive until the next span
}

// msgAttrs appends the attributes of a message's span to kv. Under
// NamingBluesky, msg.args is there also when empty and msg.kwargs is
// spaced as Python's json.dumps, as Bluesky's spans show them.
func (r *runner) msgAttrs(kv []attribute.KeyValue, m *Msg) []attribute.KeyValue {
	re := r.re
	kv = append(kv, commandKey.String(m.Command))
	switch {
	case len(m.Args) > 0:
		kv = append(kv, argsAttr(m.Args))
	case re.bluesky:
		kv = append(kv, attribute.StringSlice(argsKey, []string{}))
	}
	kv = append(kv, kwargsKey.String(r.kwargsText(m.Kwargs)))
	switch {
	case m.Obj != nil && re.objRepr:
		kv = append(kv, objKey.String(device.Repr(m.Obj)))
	case m.Obj != nil:
		kv = append(kv, objKey.String(m.Obj.Name()))
	default:
		kv = append(kv, noObjKey.Bool(true))
	}
	if m.Command == CmdWait {
		kv = append(kv, groupAttr(groupOf(m)))
	}
	return kv
}

// argsAttr is msg.args as attrs.Value makes it of args; for the usual one
// number (a set's value), the same one-item array made directly, without
// boxing args in an interface and copying it.
func argsAttr(args []any) attribute.KeyValue {
	if len(args) == 1 {
		switch x := args[0].(type) {
		case float64:
			return attribute.Float64Slice(argsKey, []float64{x})
		case int:
			return attribute.Int64Slice(argsKey, []int64{int64(x)})
		case int64:
			return attribute.Int64Slice(argsKey, []int64{x})
		}
	}
	return attrs.Value(argsKey, args)
}

func groupAttr(group string, has bool) attribute.KeyValue {
	if has {
		return groupKey.String(group)
	}
	return noGroupKey.Bool(true)
}

// kwargsText is msg.kwargs: the JSON text of kwargs, spaced as Python's
// under NamingBluesky. The text of the last {"group": g} is kept, since a
// set or trigger and the wait for it carry the same one.
func (r *runner) kwargsText(kw map[string]any) string {
	g, single := "", false
	if len(kw) == 1 {
		g, single = kw["group"].(string)
		if single && r.kwText != "" && g == r.kwGroup {
			return r.kwText
		}
	}
	var s string
	if single && plainJSON(g) {
		s = `{"group":"` + g + `"}`
	} else {
		s = kwargsJSON(kw)
	}
	if r.re.bluesky {
		s = pySpacing(s)
	}
	if single {
		r.kwGroup, r.kwText = g, s
	}
	return s
}

// kwargsJSON is the JSON text of kwargs, with a fast path for the usual
// few keys of strings, integers and booleans (the same text as
// encoding/json: sorted keys).
func kwargsJSON(kw map[string]any) string {
	if len(kw) == 0 {
		return "{}"
	}
	if len(kw) == 1 { // the usual {"group": "..."}
		for k, v := range kw {
			if s, ok := v.(string); ok && plainJSON(k) && plainJSON(s) {
				return `{"` + k + `":"` + s + `"}`
			}
		}
	}
	if len(kw) > 4 {
		return attrs.JSON(kw)
	}
	keys := make([]string, 0, 4)
	for k := range kw {
		if !plainJSON(k) {
			return attrs.JSON(kw)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := make([]byte, 0, 64)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, '"', ':')
		switch v := kw[k].(type) {
		case string:
			if !plainJSON(v) {
				return attrs.JSON(kw)
			}
			b = append(b, '"')
			b = append(b, v...)
			b = append(b, '"')
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case bool:
			b = strconv.AppendBool(b, v)
		case nil:
			b = append(b, "null"...)
		default:
			return attrs.JSON(kw)
		}
	}
	b = append(b, '}')
	return string(b)
}

// plainJSON reports whether s needs no escaping in JSON (encoding/json
// also escapes <, > and &).
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
