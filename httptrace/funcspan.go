package httptrace

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the global tracer that Do, Func
// and the iterator helpers use when no WithTracer option is given.
const ScopeName = "github.com/sightline-dev/sightline/httptrace"

// SpanOption configures the span of Do, Func, Seq and their kin:
// WithTracer, WithSpanKind, WithAttributes, WithArgAttributes. The options
// of Middleware and Transport (Option) do not compile here, nor these
// there.
type SpanOption interface{ applySpan(*spanConfig) }

type spanOptionFunc func(*spanConfig)

func (f spanOptionFunc) applySpan(c *spanConfig) { f(c) }

type spanConfig struct {
	tracer   trace.Tracer // nil: otel.Tracer(ScopeName) at each call
	kind     trace.SpanKind
	attrs    []attribute.KeyValue
	argAttrs []any // func(A) []attribute.KeyValue, for Func only
}

func newSpanConfig(opts []SpanOption) *spanConfig {
	c := &spanConfig{kind: trace.SpanKindInternal}
	for _, o := range opts {
		if o != nil {
			o.applySpan(c)
		}
	}
	return c
}

func (c *spanConfig) tracerOrGlobal() trace.Tracer {
	if c.tracer != nil {
		return c.tracer
	}
	return otel.Tracer(ScopeName)
}

// startOptions are the span start options without argument attributes.
func (c *spanConfig) startOptions() []trace.SpanStartOption {
	opts := []trace.SpanStartOption{trace.WithSpanKind(c.kind)}
	if len(c.attrs) > 0 {
		opts = append(opts, trace.WithAttributes(c.attrs...))
	}
	return opts
}

// WithTracer makes the spans with t instead of the global tracer of scope
// ScopeName.
func WithTracer(t trace.Tracer) SpanOption {
	return spanOptionFunc(func(c *spanConfig) { c.tracer = t })
}

// WithSpanKind sets the span kind; the default is internal.
func WithSpanKind(k trace.SpanKind) SpanOption {
	return spanOptionFunc(func(c *spanConfig) { c.kind = k })
}

// WithAttributes adds attributes to the span at its start.
func WithAttributes(attrs ...attribute.KeyValue) SpanOption {
	return spanOptionFunc(func(c *spanConfig) { c.attrs = append(c.attrs, attrs...) })
}

// WithArgAttributes adds attributes derived from the argument of a function
// wrapped by Func, at the span's start. A is the argument type of the
// function (Func[A, R]); a WithArgAttributes of another type is not applied,
// and Func reports it once to otel.Handle. Do and the iterator helpers,
// which have no argument, ignore it.
func WithArgAttributes[A any](f func(A) []attribute.KeyValue) SpanOption {
	return spanOptionFunc(func(c *spanConfig) {
		if f != nil {
			c.argAttrs = append(c.argAttrs, f)
		}
	})
}

// Do runs fn with a span named name, a child of the span in ctx; fn gets
// the context that holds the new span. An error fn returns is recorded
// (RecordError, status Error with its message) and returned. A panic is
// recorded (an exception event, status Error "panic: ...") and goes on
// with the same value. The span always ends.
func Do(ctx context.Context, name string, fn func(ctx context.Context) error, opts ...SpanOption) (err error) {
	if fn == nil {
		return fmt.Errorf("httptrace: Do %q: the function is nil", name)
	}
	c := newSpanConfig(opts)
	ctx, span := c.tracerOrGlobal().Start(ctx, name, c.startOptions()...)
	defer func() { endSpan(span, err, recover()) }()
	return fn(ctx)
}

// Func wraps fn so that each call runs in a span, as Do does, with the
// attributes of WithAttributes and WithArgAttributes. An empty name is the
// function's own name without its package path ("scanner.(*Scanner).Scan",
// "scanner.Run.func1" for a closure).
//
// Func wraps a nil fn in a function that returns an error.
func Func[A, R any](name string, fn func(context.Context, A) (R, error), opts ...SpanOption) func(context.Context, A) (R, error) {
	if fn == nil {
		return func(context.Context, A) (R, error) {
			var zero R
			return zero, fmt.Errorf("httptrace: Func %q: the function is nil", name)
		}
	}
	if name == "" {
		name = funcName(fn)
	}
	c := newSpanConfig(opts)
	var argAttrs []func(A) []attribute.KeyValue
	for _, f := range c.argAttrs {
		if g, ok := f.(func(A) []attribute.KeyValue); ok {
			argAttrs = append(argAttrs, g)
		} else {
			otel.Handle(fmt.Errorf("httptrace: Func %q: WithArgAttributes of %T does not fit the argument type %s and is not applied",
				name, f, reflect.TypeFor[A]()))
		}
	}
	static := c.startOptions()
	return func(ctx context.Context, a A) (r R, err error) {
		opts := static
		if len(argAttrs) > 0 {
			var attrs []attribute.KeyValue
			for _, f := range argAttrs {
				attrs = append(attrs, f(a)...)
			}
			opts = append(opts[:len(opts):len(opts)], trace.WithAttributes(attrs...))
		}
		ctx, span := c.tracerOrGlobal().Start(ctx, name, opts...)
		defer func() { endSpan(span, err, recover()) }()
		return fn(ctx, a)
	}
}

// endSpan records err or the recovered panic value p on span and ends it;
// a panic goes on with the same value.
func endSpan(span trace.Span, err error, p any) {
	if p != nil {
		recordPanic(span, p)
		span.End()
		panic(p)
	}
	if err != nil {
		recordError(span, err)
	}
	span.End()
}

func recordError(span trace.Span, err error) {
	span.RecordError(err)
	span.SetStatus(codes.Error, err.Error())
}

// recordPanic adds an exception event for the panic value p, with the
// stack of the panic, and sets the status Error "panic: <value>".
func recordPanic(span trace.Span, p any) {
	msg := fmt.Sprint(p)
	span.AddEvent(semconv.ExceptionEventName, trace.WithAttributes(
		semconv.ExceptionType(fmt.Sprintf("%T", p)),
		semconv.ExceptionMessage(msg),
		semconv.ExceptionStacktrace(string(debug.Stack())),
	))
	span.SetStatus(codes.Error, "panic: "+msg)
}

// funcName returns the name of the function fn without its package path,
// and without the "-fm" suffix of a method value.
func funcName(fn any) string {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return "func"
	}
	f := runtime.FuncForPC(v.Pointer())
	if f == nil {
		return "func"
	}
	name := f.Name()
	// The package path ends at the last '/' before any '[' of type
	// arguments.
	head := name
	if i := strings.IndexByte(head, '['); i >= 0 {
		head = head[:i]
	}
	if i := strings.LastIndexByte(head, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.TrimSuffix(name, "-fm")
}
