package plan

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
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
