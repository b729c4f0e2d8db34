package plan

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/telemetry/attrs"
)

// Attribute keys of the engine's spans (docs/plan-tracing.md).
const (
	commandKey     = attribute.Key("msg.command")
	argsKey        = "msg.args"
	kwargsKey      = attribute.Key("msg.kwargs")
	objKey         = attribute.Key("msg.obj")
	noObjKey       = attribute.Key("msg.no_obj_given")
	groupKey       = attribute.Key("group")
	noGroupKey     = attribute.Key("no_group_given")
	interruptedKey = attribute.Key("interrupted")
	runUIDKey      = attribute.Key("run.uid")
	planNameKey    = attribute.Key("plan_name")
	scanIDKey      = attribute.Key("scan_id")
	exitStatusKey  = attribute.Key("exit_status")
	reasonKey      = attribute.Key("reason")
)

// Trace wraps p in a span named name, made with tracer: the span starts at
// the plan's first message and ends when the plan ends, when the engine
// stops it early (with an error status when the message it stopped at has
// an Err) and when it panics (the panic is recorded, the span ended and the
// panic re-raised for the engine to recover).
//
// To find its parent, Trace first yields a Msg{Command: "context"}, whose
// Result the engine sets to the context the message belongs to: the open
// run's context inside a run, else the context of the enclosing Trace,
// else Run's ctx. It then sets Ctx on every message of p that has none, so
// the innermost Trace wins. The engine parents a message's spans to the
// span in its Ctx, except inside a run opened by a message of that same
// Trace span: there it uses the run span. So a traced scan gives
//
//	scan (Trace) > run scan > set > MoveStatus motor
//
// and a Trace around a sub-plan inside a run nests under the run span.
func Trace(tracer trace.Tracer, name string, p Plan) Plan {
	return func(yield func(*Msg) bool) {
		cm := &Msg{Command: CmdContext}
		if !yield(cm) {
			return
		}
		parent, _ := cm.Result.(context.Context)
		if parent == nil {
			parent = context.Background()
		}
		ctx, span := tracer.Start(parent, name)
		finished := false
		defer func() {
			if finished {
				return
			}
			if v := recover(); v != nil {
				span.RecordError(panicError("panic", v), trace.WithStackTrace(true))
				span.SetStatus(codes.Error, fmt.Sprint("panic: ", v))
				span.End()
				panic(v)
			}
			span.End() // runtime.Goexit
		}()
		for m := range p {
			if m.Ctx == nil {
				m.Ctx = ctx
			}
			if !yield(m) {
				if m.Err != nil {
					span.RecordError(m.Err)
					span.SetStatus(codes.Error, m.Err.Error())
				}
				break
			}
		}
		finished = true
		span.End()
	}
}

// command starts the span of a command that takes time, a child of pctx,
// with the message's attributes (computed only when the span records).
func (r *runner) command(pctx context.Context, m *Msg) (context.Context, trace.Span) {
	ctx, span := r.re.tracer.Start(pctx, r.re.commandName(m.Command))
	if span.IsRecording() {
		span.SetAttributes(r.re.msgAttrs(m)...)
	}
	return ctx, span
}

// msgAttrs are the attributes of a message's span. Under NamingBluesky,
// msg.args is there also when empty and msg.kwargs is spaced as Python's
// json.dumps, as Bluesky's spans show them.
func (re *RunEngine) msgAttrs(m *Msg) []attribute.KeyValue {
	kv := make([]attribute.KeyValue, 0, 5)
	kv = append(kv, commandKey.String(m.Command))
	if len(m.Args) > 0 {
		kv = append(kv, attrs.Value(argsKey, m.Args))
	} else if re.bluesky {
		kv = append(kv, attribute.StringSlice(argsKey, []string{}))
	}
	kw := kwargsJSON(m.Kwargs)
	if re.bluesky {
		kw = pySpacing(kw)
	}
	kv = append(kv, kwargsKey.String(kw))
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

func groupAttr(group string, has bool) attribute.KeyValue {
	if has {
		return groupKey.String(group)
	}
	return noGroupKey.Bool(true)
}

// endSpan ends span with err as its error.
func endSpan(span trace.Span, err error) {
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
	span.End()
}

// runEvent adds an event (pause, resume) to the open run's span.
func (r *runner) runEvent(name string) {
	if r.run != nil {
		r.run.span.AddEvent(name)
	}
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

// Kernel span names, made once.
var (
	dispatchNames = kernelNames("dispatch ", CmdOpenRun, CmdCloseRun, CmdCreate, CmdSave, CmdDrop,
		CmdCheckpt, CmdStage, CmdUnstage, CmdNull, CmdFail, CmdFinalize, CmdFinalized)
	emitNames = kernelNames("emit ", "start", "descriptor", "event", "stop")
)

func kernelNames(prefix string, cmds ...string) map[string]string {
	out := make(map[string]string, len(cmds))
	for _, c := range cmds {
		out[c] = prefix + c
	}
	return out
}

func kernelName(names map[string]string, prefix, cmd string) string {
	if n, ok := names[cmd]; ok {
		return n
	}
	return prefix + strings.Clone(cmd)
}
