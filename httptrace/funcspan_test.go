package httptrace

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// panicValue recovers the panic of f.
func panicValue(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// checkPanicSpan checks the status and the exception event of a span that
// saw the panic msg.
func checkPanicSpan(t *testing.T, s tracetest.SpanStub, msg, typ string) {
	t.Helper()
	if s.Status.Code != codes.Error || s.Status.Description != "panic: "+msg {
		t.Errorf("status %+v, want Error %q", s.Status, "panic: "+msg)
	}
	if len(s.Events) != 1 || s.Events[0].Name != semconv.ExceptionEventName {
		t.Fatalf("events %+v, want one exception", s.Events)
	}
	got := attribute.NewSet(s.Events[0].Attributes...)
	if v, _ := got.Value(semconv.ExceptionTypeKey); v.AsString() != typ {
		t.Errorf("exception.type %q, want %q", v.AsString(), typ)
	}
	if v, _ := got.Value(semconv.ExceptionMessageKey); v.AsString() != msg {
		t.Errorf("exception.message %q, want %q", v.AsString(), msg)
	}
	if v, _ := got.Value(semconv.ExceptionStacktraceKey); !strings.Contains(v.AsString(), "panic(") {
		t.Errorf("exception.stacktrace %q", v.AsString())
	}
	if s.EndTime.IsZero() {
		t.Error("span not ended")
	}
}

func TestDo(t *testing.T) {
	tp, exp := newRecorder(t)
	tracer := tp.Tracer("test")
	ran := false
	err := Do(context.Background(), "work", func(ctx context.Context) error {
		ran = trace.SpanFromContext(ctx).IsRecording()
		return nil
	}, WithTracer(tracer), WithSpanKind(trace.SpanKindProducer), WithAttributes(attribute.String("job", "index")))
	if err != nil || !ran {
		t.Fatalf("err %v, ran with a recording span %v", err, ran)
	}
	s := onlySpan(t, exp)
	if s.Name != "work" || s.SpanKind != trace.SpanKindProducer || s.Status.Code != codes.Unset {
		t.Errorf("span %q kind %v status %v", s.Name, s.SpanKind, s.Status)
	}
	if v, _ := attr(s, "job"); v.AsString() != "index" {
		t.Errorf("job %q", v.AsString())
	}
}

func TestDoError(t *testing.T) {
	tp, exp := newRecorder(t)
	want := errors.New("disk full")
	err := Do(context.Background(), "work", func(context.Context) error { return want }, WithTracer(tp.Tracer("test")))
	if err != want {
		t.Fatalf("err %v, want %v", err, want)
	}
	s := onlySpan(t, exp)
	if s.Status.Code != codes.Error || s.Status.Description != "disk full" {
		t.Errorf("status %+v", s.Status)
	}
	if len(s.Events) != 1 || s.Events[0].Name != semconv.ExceptionEventName {
		t.Errorf("events %+v", s.Events)
	}
	if s.SpanKind != trace.SpanKindInternal {
		t.Errorf("kind %v", s.SpanKind)
	}
}

func TestDoPanic(t *testing.T) {
	tp, exp := newRecorder(t)
	want := errors.New("index corrupt")
	got := panicValue(func() {
		_ = Do(context.Background(), "work", func(context.Context) error { panic(want) }, WithTracer(tp.Tracer("test")))
	})
	if got != want {
		t.Fatalf("panic value %v, want the same %v", got, want)
	}
	checkPanicSpan(t, onlySpan(t, exp), "index corrupt", "*errors.errorString")
}

func TestDoNested(t *testing.T) {
	tp, exp := newRecorder(t)
	opt := WithTracer(tp.Tracer("test"))
	err := Do(context.Background(), "outer", func(ctx context.Context) error {
		return Do(ctx, "inner", func(context.Context) error { return nil }, opt)
	}, opt)
	if err != nil {
		t.Fatal(err)
	}
	outer, inner := spanNamed(t, exp, "outer"), spanNamed(t, exp, "inner")
	if inner.Parent.SpanID() != outer.SpanContext.SpanID() || inner.SpanContext.TraceID() != outer.SpanContext.TraceID() {
		t.Errorf("inner's parent %v, want %v", inner.Parent.SpanID(), outer.SpanContext.SpanID())
	}
}

func TestDoNilAndGlobalTracer(t *testing.T) {
	if err := Do(context.Background(), "x", nil); err == nil {
		t.Error("no error for a nil function")
	}
	if _, err := Func[int, int]("x", nil)(context.Background(), 1); err == nil {
		t.Error("no error from Func of a nil function")
	}

	tp, exp := newRecorder(t)
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	if err := Do(context.Background(), "global", func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if s := onlySpan(t, exp); s.InstrumentationScope.Name != ScopeName {
		t.Errorf("scope %q, want %q", s.InstrumentationScope.Name, ScopeName)
	}
}

type scanRequest struct {
	ID    string
	Depth int
}

func scanOne(_ context.Context, req scanRequest) (int, error) {
	if req.Depth < 0 {
		return 0, errors.New("negative depth")
	}
	return req.Depth * 2, nil
}

func TestFunc(t *testing.T) {
	tp, exp := newRecorder(t)
	scan := Func("", scanOne,
		WithTracer(tp.Tracer("test")),
		WithAttributes(attribute.String("component", "scanner")),
		WithArgAttributes(func(r scanRequest) []attribute.KeyValue {
			return []attribute.KeyValue{attribute.String("scan.id", r.ID)}
		}),
		WithArgAttributes(func(r scanRequest) []attribute.KeyValue {
			return []attribute.KeyValue{attribute.Int("scan.depth", r.Depth)}
		}),
	)
	if n, err := scan(context.Background(), scanRequest{ID: "a", Depth: 3}); n != 6 || err != nil {
		t.Fatalf("got %d %v", n, err)
	}
	if _, err := scan(context.Background(), scanRequest{ID: "b", Depth: -1}); err == nil {
		t.Fatal("no error")
	}
	spans := exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}
	for i, want := range []struct {
		id    string
		depth int64
		code  codes.Code
	}{{"a", 3, codes.Unset}, {"b", -1, codes.Error}} {
		s := spans[i]
		if s.Name != "httptrace.scanOne" {
			t.Errorf("name %q", s.Name)
		}
		id, _ := attr(s, "scan.id")
		depth, _ := attr(s, "scan.depth")
		comp, _ := attr(s, "component")
		if id.AsString() != want.id || depth.AsInt64() != want.depth || comp.AsString() != "scanner" || s.Status.Code != want.code {
			t.Errorf("span %d: scan.id %q scan.depth %d component %q status %v", i, id.AsString(), depth.AsInt64(), comp.AsString(), s.Status)
		}
	}
}

func TestFuncPanic(t *testing.T) {
	tp, exp := newRecorder(t)
	f := Func("explode", func(_ context.Context, n int) (int, error) { panic(n) }, WithTracer(tp.Tracer("test")))
	if got := panicValue(func() { _, _ = f(context.Background(), 7) }); got != 7 {
		t.Fatalf("panic value %v, want 7", got)
	}
	checkPanicSpan(t, onlySpan(t, exp), "7", "int")
}

func TestFuncArgAttributesMismatch(t *testing.T) {
	var mu sync.Mutex
	var handled []error
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, err)
	}))
	t.Cleanup(func() { otel.SetErrorHandler(prev) })

	tp, exp := newRecorder(t)
	f := Func("typed", scanOne, WithTracer(tp.Tracer("test")),
		WithArgAttributes(func(s string) []attribute.KeyValue { return []attribute.KeyValue{attribute.String("wrong", s)} }))
	if _, err := f(context.Background(), scanRequest{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(handled) != 1 || !strings.Contains(handled[0].Error(), "scanRequest") {
		t.Errorf("errors handled: %v", handled)
	}
	if _, ok := attr(onlySpan(t, exp), "wrong"); ok {
		t.Error("a mismatched WithArgAttributes was applied")
	}
}

type scanner struct{}

func (*scanner) scan(context.Context, string) (int, error) { return 0, nil }

func TestFuncName(t *testing.T) {
	closure := func(context.Context, int) (int, error) { return 0, nil }
	tests := []struct {
		fn   any
		want string
	}{
		{scanOne, "httptrace.scanOne"},
		{(&scanner{}).scan, "httptrace.(*scanner).scan"},
		{(*scanner).scan, "httptrace.(*scanner).scan"},
		{closure, "httptrace.TestFuncName.func1"},
		{strings.ToUpper, "strings.ToUpper"},
		{Seq[int], "httptrace.Seq[...]"},
		{nil, "func"},
		{42, "func"},
	}
	for _, tt := range tests {
		if got := funcName(tt.fn); got != tt.want {
			t.Errorf("funcName(%T) = %q, want %q", tt.fn, got, tt.want)
		}
	}
}
