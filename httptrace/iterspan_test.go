package httptrace

import (
	"context"
	"errors"
	"iter"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// checkIterAttrs checks iter.items and iter.stopped_early of s.
func checkIterAttrs(t *testing.T, s tracetest.SpanStub, items int64, stopped bool) {
	t.Helper()
	if v, ok := attr(s, IterItemsKey); !ok || v.AsInt64() != items {
		t.Errorf("iter.items %v (present %v), want %d", v.String(), ok, items)
	}
	v, ok := attr(s, IterStoppedEarlyKey)
	if stopped && (!ok || !v.AsBool()) {
		t.Errorf("iter.stopped_early %v (present %v), want true", v.String(), ok)
	}
	if !stopped && ok {
		t.Errorf("iter.stopped_early %v, want absent", v.String())
	}
	if s.EndTime.IsZero() {
		t.Error("span not ended")
	}
}

func TestSeq(t *testing.T) {
	tp, exp := newRecorder(t)
	seq := Seq(context.Background(), "numbers", slices.Values([]int{1, 2, 3}), WithTracer(tp.Tracer("test")))
	if n := len(exp.GetSpans()); n != 0 {
		t.Fatalf("%d spans before the range started", n)
	}
	if got := slices.Collect(seq); !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("values %v", got)
	}
	s := onlySpan(t, exp)
	if s.Name != "numbers" || s.Status.Code != codes.Unset {
		t.Errorf("span %q status %v", s.Name, s.Status)
	}
	checkIterAttrs(t, s, 3, false)

	// Each range gets its own span.
	exp.Reset()
	for range seq {
	}
	for range seq {
	}
	if n := len(exp.GetSpans()); n != 2 {
		t.Errorf("%d spans for two ranges", n)
	}
}

func TestSeqEarlyBreak(t *testing.T) {
	tp, exp := newRecorder(t)
	produced := 0
	naturals := func(yield func(int) bool) {
		for i := 0; ; i++ {
			produced++
			if !yield(i) {
				return
			}
		}
	}
	var got []int
	for v := range Seq(context.Background(), "naturals", naturals, WithTracer(tp.Tracer("test"))) {
		got = append(got, v)
		if v == 1 {
			break
		}
	}
	if !slices.Equal(got, []int{0, 1}) || produced != 2 {
		t.Fatalf("values %v, produced %d", got, produced)
	}
	checkIterAttrs(t, onlySpan(t, exp), 2, true)
}

func TestSeqProducerIgnoresStop(t *testing.T) {
	tp, exp := newRecorder(t)
	rude := func(yield func(int) bool) {
		for i := range 5 {
			yield(i) // goes on after false: the wrapper must not call the loop body again
		}
	}
	n := 0
	for range Seq(context.Background(), "rude", rude, WithTracer(tp.Tracer("test"))) {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("loop body ran %d times", n)
	}
	checkIterAttrs(t, onlySpan(t, exp), 1, true)
}

func TestSeqPanicInProducer(t *testing.T) {
	tp, exp := newRecorder(t)
	want := errors.New("read failed")
	broken := func(yield func(string) bool) {
		if !yield("first") {
			return
		}
		panic(want)
	}
	var got []string
	v := panicValue(func() {
		for s := range Seq(context.Background(), "broken", broken, WithTracer(tp.Tracer("test"))) {
			got = append(got, s)
		}
	})
	if v != want || !slices.Equal(got, []string{"first"}) {
		t.Fatalf("panic %v, values %v", v, got)
	}
	s := onlySpan(t, exp)
	checkPanicSpan(t, s, "read failed", "*errors.errorString")
	checkIterAttrs(t, s, 1, false)
}

func TestSeqPanicInLoopBody(t *testing.T) {
	tp, exp := newRecorder(t)
	v := panicValue(func() {
		for n := range Seq(context.Background(), "numbers", slices.Values([]int{1, 2, 3}), WithTracer(tp.Tracer("test"))) {
			if n == 2 {
				panic("bad item 2")
			}
		}
	})
	if v != "bad item 2" {
		t.Fatalf("panic value %v", v)
	}
	s := onlySpan(t, exp)
	checkPanicSpan(t, s, "bad item 2", "string")
	checkIterAttrs(t, s, 2, false)
}

func TestSeqCtxNested(t *testing.T) {
	tp, exp := newRecorder(t)
	opt := WithTracer(tp.Tracer("test"))
	rows := func(ctx context.Context) iter.Seq[int] {
		return func(yield func(int) bool) {
			for i := range 2 {
				var row int
				_ = Do(ctx, "fetch row", func(context.Context) error { row = i * 10; return nil }, opt)
				if !yield(row) {
					return
				}
			}
		}
	}
	var got []int
	for v := range SeqCtx(context.Background(), "rows", rows, opt) {
		got = append(got, v)
	}
	if !slices.Equal(got, []int{0, 10}) {
		t.Fatalf("values %v", got)
	}
	parent := spanNamed(t, exp, "rows")
	checkIterAttrs(t, parent, 2, false)
	children := 0
	for _, s := range exp.GetSpans() {
		if s.Name == "fetch row" {
			children++
			if s.Parent.SpanID() != parent.SpanContext.SpanID() {
				t.Errorf("fetch row's parent %v, want the iteration %v", s.Parent.SpanID(), parent.SpanContext.SpanID())
			}
		}
	}
	if children != 2 {
		t.Errorf("%d child spans", children)
	}
}

func TestSeq2(t *testing.T) {
	tp, exp := newRecorder(t)
	opt := WithTracer(tp.Tracer("test"))
	var keys []string
	for k := range Seq2(context.Background(), "pairs", slices.All([]string{"a", "b", "c"}), opt) {
		if k == 1 {
			break
		}
		keys = append(keys, "x")
	}
	if len(keys) != 1 {
		t.Fatalf("keys %v", keys)
	}
	checkIterAttrs(t, onlySpan(t, exp), 2, true)

	// An iter.Seq2[T, error] that ends with an error.
	exp.Reset()
	fail := errors.New("page 2 unreadable")
	pages := func(yield func(int, error) bool) {
		if !yield(1, nil) {
			return
		}
		yield(0, fail)
	}
	var errs []error
	for _, err := range Seq2(context.Background(), "pages", pages, opt) {
		errs = append(errs, err)
	}
	if len(errs) != 2 || errs[1] != fail {
		t.Fatalf("errors %v", errs)
	}
	s := onlySpan(t, exp)
	if s.Status.Code != codes.Error || s.Status.Description != fail.Error() || len(s.Events) != 1 {
		t.Errorf("status %+v events %d", s.Status, len(s.Events))
	}
	checkIterAttrs(t, s, 2, false)
}

func TestSeq2CtxNested(t *testing.T) {
	tp, exp := newRecorder(t)
	opt := WithTracer(tp.Tracer("test"))
	entries := func(ctx context.Context) iter.Seq2[string, int] {
		return func(yield func(string, int) bool) {
			_ = Do(ctx, "load", func(context.Context) error { return nil }, opt)
			yield("a", 1)
		}
	}
	for range Seq2Ctx(context.Background(), "", entries, opt) {
	}
	load := spanNamed(t, exp, "load")
	var parent tracetest.SpanStub
	for _, s := range exp.GetSpans() {
		if s.Name != "load" {
			parent = s
		}
	}
	if parent.Name == "" || load.Parent.SpanID() != parent.SpanContext.SpanID() {
		t.Errorf("load's parent %v, iteration span %q %v", load.Parent.SpanID(), parent.Name, parent.SpanContext.SpanID())
	}
	checkIterAttrs(t, parent, 1, false)
}

func TestSeqNil(t *testing.T) {
	tp, exp := newRecorder(t)
	opt := WithTracer(tp.Tracer("test"))
	for range Seq[int](context.Background(), "nil", nil, opt) {
		t.Fatal("a nil sequence yielded")
	}
	for range SeqCtx[int](context.Background(), "nil producer", nil, opt) {
		t.Fatal("a nil producer yielded")
	}
	for range Seq2[int, int](context.Background(), "nil2", nil, opt) {
		t.Fatal("a nil sequence yielded")
	}
	if n := len(exp.GetSpans()); n != 3 {
		t.Errorf("%d spans", n)
	}
}
