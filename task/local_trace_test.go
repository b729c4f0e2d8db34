package task

import (
	"context"
	"os"
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func TestLocalSpans(t *testing.T) {
	tp, exp := newTracing(t)
	c := newLocal(t, testRegistry(t, nil), 1, WithTracerProvider(tp))
	ctx, parent := tp.Tracer("test").Start(context.Background(), "caller")
	f, err := c.Submit(ctx, "add", pair{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Wait(ctx, nil); err != nil {
		t.Fatal(err)
	}
	parent.End()

	prod := onlySpan(t, exp, "add task.submit")
	cons := onlySpan(t, exp, "add task.run")
	if prod.SpanKind != trace.SpanKindProducer || cons.SpanKind != trace.SpanKindConsumer {
		t.Errorf("kinds: producer %v, consumer %v", prod.SpanKind, cons.SpanKind)
	}
	if prod.Parent.SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("PRODUCER's parent = %v, want the caller's span", prod.Parent.SpanID())
	}
	if cons.Parent.SpanID() != prod.SpanContext.SpanID() || cons.SpanContext.TraceID() != parent.SpanContext().TraceID() {
		t.Errorf("CONSUMER's parent = %v in trace %v, want the PRODUCER %v in trace %v",
			cons.Parent.SpanID(), cons.SpanContext.TraceID(), prod.SpanContext.SpanID(), parent.SpanContext().TraceID())
	}
	if !cons.Parent.IsRemote() {
		t.Error("the CONSUMER's parent should come from the message headers (remote)")
	}
	host, _ := os.Hostname()
	for key, want := range map[string]any{
		"task.function": "add",
		"task.id":       f.ID(),
		"task.attempt":  int64(1),
		"worker.id":     f.WorkerID(),
		"worker.pid":    int64(os.Getpid()),
		"host.name":     host,
	} {
		if got := attrOf(cons, key); got != want {
			t.Errorf("CONSUMER %s = %v (%T), want %v", key, got, got, want)
		}
	}
	if attrOf(prod, "task.id") != f.ID() || attrOf(prod, "task.function") != "add" {
		t.Errorf("PRODUCER attributes: %v", prod.Attributes)
	}
	if attrOf(cons, "messaging.system") != nil {
		t.Error("in process spans should have no messaging.system")
	}
	if len(spansNamed(exp, "add task.start")) != 0 {
		t.Error("in process there is no task.start span")
	}
}

func TestLocalErrorSpans(t *testing.T) {
	tp, exp := newTracing(t)
	c := newLocal(t, testRegistry(t, nil), 1, WithTracerProvider(tp))
	ctx := context.Background()
	for name, args := range map[string]any{"divide": pair{1, 0}, "boom": "now"} {
		f, _ := c.Submit(ctx, name, args)
		_ = f.Wait(ctx, nil)
	}
	for name, kind := range map[string]string{"divide task.run": "failed", "boom task.run": "panic"} {
		s := onlySpan(t, exp, name)
		if s.Status.Code != codes.Error || s.Status.Description == "" {
			t.Errorf("%s status = %+v, want Error", name, s.Status)
		}
		if attrOf(s, "error.type") != kind {
			t.Errorf("%s error.type = %v, want %s", name, attrOf(s, "error.type"), kind)
		}
		if len(s.Events) == 0 || s.Events[0].Name != "exception" {
			t.Errorf("%s has no exception event: %v", name, s.Events)
		}
	}
}

func onlySpan(t *testing.T, exp *tracetest.InMemoryExporter, name string) tracetest.SpanStub {
	t.Helper()
	got := spansNamed(exp, name)
	if len(got) != 1 {
		var names []string
		for _, s := range exp.GetSpans() {
			names = append(names, s.Name)
		}
		t.Fatalf("%d spans named %q, want 1 (have %q)", len(got), name, names)
	}
	return got[0]
}
