package task

import (
	"context"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

func TestSpanCacheOncePerFunction(t *testing.T) {
	var c spanCache
	made := 0
	mk := func(function string) *fnSpans {
		made++
		return newRunSpans(function)
	}
	a, b := c.get("add", mk), c.get("add", mk)
	if a != b || made != 1 {
		t.Errorf("two gets of add: same %v, made %d times, want the same fnSpans made once", a == b, made)
	}
	if a.run != "add task.run" || a.start != "add task.start" || a.function != attribute.String("task.function", "add") {
		t.Errorf("fnSpans of add = %+v", a)
	}
	for i := range maxCachedFunctions {
		c.get("f"+strconv.Itoa(i), mk)
	}
	if len(c.m) != maxCachedFunctions {
		t.Errorf("%d functions cached, want the bound %d", len(c.m), maxCachedFunctions)
	}
	over := c.get("one-too-many", mk)
	if over.run != "one-too-many task.run" || len(c.m) != maxCachedFunctions {
		t.Errorf("past the bound: run %q, %d cached; want the name made anyway, nothing more cached", over.run, len(c.m))
	}
}

func TestNewSubmitSpans(t *testing.T) {
	local := newSubmitSpans("add", "add", "")
	if local.submit != "add task.submit" || len(local.producer) != 1 {
		t.Errorf("in process: %q, %v; want one attribute, task.function", local.submit, local.producer)
	}
	nats := newSubmitSpans("add", "p.run.add", "nats")
	want := []attribute.KeyValue{
		attribute.String("task.function", "add"),
		attribute.String("messaging.system", "nats"),
		attribute.String("messaging.destination.name", "p.run.add"),
	}
	if len(nats.producer) != len(want) {
		t.Fatalf("on NATS: %v, want %v", nats.producer, want)
	}
	for i := range want {
		if nats.producer[i] != want[i] {
			t.Errorf("on NATS: attribute %d = %v, want %v", i, nats.producer[i], want[i])
		}
	}
}

// allocTracer is an SDK tracer whose spans record (and go nowhere).
func allocTracer(t *testing.T) *sdktrace.TracerProvider {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}

// TestSpanStartsAllocateNoMoreThanTheSDK checks that the PRODUCER and
// CONSUMER spans of a task cost no allocation beyond what the SDK makes for
// a span with a constant name and a ready attribute slice: their names,
// start options and attribute slices are made once, not per task.
func TestSpanStartsAllocateNoMoreThanTheSDK(t *testing.T) {
	tp := allocTracer(t)
	ctx := context.Background()
	tracer := tp.Tracer(tracerName)
	ready := make([]attribute.KeyValue, 9)
	for i := range ready {
		ready[i] = attribute.Int("k"+strconv.Itoa(i), i)
	}
	sdk := func(n int) float64 {
		return testing.AllocsPerRun(200, func() {
			_, s := tracer.Start(ctx, "constant", producerStart...)
			s.SetAttributes(ready[:n]...)
			s.End()
		})
	}

	c := newClient(common{tp: tp})
	c.t = &natsTransport{prefix: "p"}
	id := newID()
	submit := testing.AllocsPerRun(200, func() {
		_, s, _ := c.startSubmit(ctx, "add", id)
		s.End()
	})
	if base := sdk(4); submit > base {
		t.Errorf("PRODUCER span: %v allocations, the SDK alone %v", submit, base)
	}

	reg := NewRegistry()
	if err := RegisterIn(reg, "add", func(context.Context, int) (int, error) { return 0, nil }); err != nil {
		t.Fatal(err)
	}
	e := newExecutor(executorConfig{common: common{tp: tp}, remote: true, consumer: "workers", reg: reg})
	req := &request{id: id, function: "add"}
	run := testing.AllocsPerRun(200, func() {
		_, s, _ := e.startRun(ctx, req, 1, "p.run.add", nil)
		s.End()
	})
	if base := sdk(9); run > base {
		t.Errorf("CONSUMER span: %v allocations, the SDK alone %v", run, base)
	}
}

// TestSpanAttributesOnlyWhenRecording checks that a span that does not
// record gets no attributes built: starting it allocates only what the SDK
// does for any span.
func TestSpanAttributesOnlyWhenRecording(t *testing.T) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2},
	}))
	c := newClient(common{tp: tp})
	c.t = &natsTransport{prefix: "p"}
	reg := NewRegistry()
	if err := RegisterIn(reg, "add", func(context.Context, int) (int, error) { return 0, nil }); err != nil {
		t.Fatal(err)
	}
	e := newExecutor(executorConfig{common: common{tp: tp}, remote: true, reg: reg})
	req := &request{id: newID(), function: "add"}
	tracer := tp.Tracer(tracerName)
	base := testing.AllocsPerRun(200, func() {
		_, s := tracer.Start(ctx, "constant", producerStart...)
		s.End()
		_, s = tracer.Start(ctx, "constant", consumerStart...)
		s.End()
	})
	n := testing.AllocsPerRun(200, func() {
		_, s, _ := c.startSubmit(ctx, "add", req.id)
		s.End()
		_, s, _ = e.startRun(ctx, req, 1, "p.run.add", nil)
		s.End()
	})
	if n != base {
		t.Errorf("spans that do not record: %v allocations, want the SDK's own %v", n, base)
	}
}

// TestAttemptMarkPooled checks that arranging the mark of an attempt and
// canceling it (an attempt shorter than the mark delay, the usual case)
// allocates nothing, and that a canceled mark never fires.
func TestAttemptMarkPooled(t *testing.T) {
	tp := allocTracer(t)
	e := newExecutor(executorConfig{common: common{tp: tp}, markDelay: time.Hour})
	ctx, span := tp.Tracer("test").Start(context.Background(), "run")
	defer span.End()
	fs := newRunSpans("add")
	req := &request{id: newID(), function: "add"}
	n := testing.AllocsPerRun(200, func() {
		e.markAttempt(ctx, fs, req, 1, nil).unmark()
	})
	if n != 0 {
		t.Errorf("a mark arranged and canceled: %v allocations, want 0", n)
	}
	// e.attempts is nil: a mark that fired would panic in record.
}

// TestRunSpansCachedOnlyForRegisteredFunctions: a worker caches the span
// names of the functions it has, not of any name a message carries.
func TestRunSpansCachedOnlyForRegisteredFunctions(t *testing.T) {
	reg := NewRegistry()
	if err := RegisterIn(reg, "add", func(context.Context, int) (int, error) { return 0, nil }); err != nil {
		t.Fatal(err)
	}
	e := newExecutor(executorConfig{common: common{tp: sdktrace.NewTracerProvider()}, remote: true, reg: reg})
	for _, name := range []string{"add", "junk-1", "junk-2"} {
		_, s, fs := e.startRun(context.Background(), &request{id: "t", function: name}, 1, "p.run."+name, nil)
		s.End()
		if fs.run != name+" task.run" {
			t.Errorf("%s: span name %q", name, fs.run)
		}
	}
	if _, ok := e.spans.m["add"]; !ok || len(e.spans.m) != 1 {
		t.Errorf("cached %d names, want only the registered add", len(e.spans.m))
	}
}
