package telemetry

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/trace"
)

// logHandler sends slog records to OpenTelemetry logs through contrib's
// otelslog bridge (the SDK takes the trace and span ids from the context)
// and, when given, to a local handler with trace_id and span_id added.
type logHandler struct {
	otel  slog.Handler
	local slog.Handler // nil: none
}

func newLogHandler(c *Component, local slog.Handler) slog.Handler {
	h := &logHandler{otel: otelslog.NewHandler(c.name, otelslog.WithLoggerProvider(c.lp))}
	if local != nil {
		h.local = TraceContextHandler(local)
	}
	return h
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.otel.Enabled(ctx, l) || (h.local != nil && h.local.Enabled(ctx, l))
}

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	if h.local != nil && h.local.Enabled(ctx, r.Level) {
		err = h.local.Handle(ctx, r)
	}
	if h.otel.Enabled(ctx, r.Level) {
		if e := h.otel.Handle(ctx, r); err == nil {
			err = e
		}
	}
	return err
}

func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := &logHandler{otel: h.otel.WithAttrs(attrs)}
	if h.local != nil {
		n.local = h.local.WithAttrs(attrs)
	}
	return n
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	n := &logHandler{otel: h.otel.WithGroup(name)}
	if h.local != nil {
		n.local = h.local.WithGroup(name)
	}
	return n
}

// TraceContextHandler wraps next so that every record logged with a context
// holding a valid span gets trace_id and span_id attributes (lower-case hex,
// as OTLP-JSON and the viewer show them). Use it for a program's own
// console or access log:
//
//	logger := slog.New(telemetry.TraceContextHandler(slog.NewJSONHandler(os.Stderr, nil)))
//	logger.InfoContext(ctx, "request done") // ... trace_id=... span_id=...
func TraceContextHandler(next slog.Handler) slog.Handler { return traceContextHandler{next} }

type traceContextHandler struct{ next slog.Handler }

func (h traceContextHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h traceContextHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		r = r.Clone()
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.next.Handle(ctx, r)
}

func (h traceContextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceContextHandler{h.next.WithAttrs(attrs)}
}

func (h traceContextHandler) WithGroup(name string) slog.Handler {
	return traceContextHandler{h.next.WithGroup(name)}
}
