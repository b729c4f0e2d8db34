package task

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

func header(kv ...string) nats.Header {
	h := nats.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = append(h[kv[i]], kv[i+1])
	}
	return h
}

func TestDecodeRequest(t *testing.T) {
	good := []string{HeaderTaskID, "abc-123_X", HeaderFunction, "image.resize", HeaderReply, "_INBOX.x.abc",
		HeaderDeadline, "2030-01-02T03:04:05.123456789Z"}
	r, err := decodeRequest(header(good...), []byte(`{"w":1}`), true)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2030, 1, 2, 3, 4, 5, 123456789, time.UTC)
	if r.id != "abc-123_X" || r.function != "image.resize" || r.reply != "_INBOX.x.abc" || !r.deadline.Equal(want) || string(r.args) != `{"w":1}` {
		t.Errorf("decoded %+v", r)
	}
	// Header names match without case when there is no exact match.
	if r, err := decodeRequest(header("sightline-task-id", "a", "SIGHTLINE-TASK-FUNCTION", "f"), nil, false); err != nil || r.id != "a" || r.function != "f" {
		t.Errorf("lower-case headers: %+v, %v", r, err)
	}

	for _, tc := range []struct {
		name  string
		h     nats.Header
		reply bool
		want  string
	}{
		{"no headers", nil, false, "missing header Sightline-Task-Id"},
		{"bad id", header(HeaderTaskID, "a b"), false, "has ' '"},
		{"long id", header(HeaderTaskID, strings.Repeat("a", 65)), false, "more than 64"},
		{"no function", header(HeaderTaskID, "a"), false, "missing header Sightline-Task-Function"},
		{"bad function", header(HeaderTaskID, "a", HeaderFunction, "x.>"), false, "contains '>'"},
		{"no reply", header(HeaderTaskID, "a", HeaderFunction, "f"), true, "missing header Sightline-Task-Reply"},
		{"bad reply", header(HeaderTaskID, "a", HeaderFunction, "f", HeaderReply, "a.*"), false, "contains '*'"},
		{"bad deadline", header(HeaderTaskID, "a", HeaderFunction, "f", HeaderDeadline, "soon"), false, "Sightline-Task-Deadline"},
	} {
		_, err := decodeRequest(tc.h, nil, tc.reply)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			continue
		}
		wantKind(t, err, KindMalformed)
	}
}

func TestDecodeResult(t *testing.T) {
	r, err := decodeResult([]byte(`{"id":"a","result":{"sum":3},"attempt":2,"worker":"w"}`))
	if err != nil || string(r.Result) != `{"sum":3}` || r.Attempt != 2 || r.Worker != "w" || r.Error != nil {
		t.Errorf("success: %+v, %v", r, err)
	}
	if r, err := decodeResult([]byte(`{"id":"a"}`)); err != nil || string(r.Result) != "null" {
		t.Errorf("no result: %+v, %v", r, err)
	}
	r, err = decodeResult([]byte(`{"id":"a","result":1,"error":{"kind":"panic","message":"x"}}`))
	if err != nil || r.Error == nil || r.Error.Kind != KindPanic || r.Error.TaskID != "a" || r.Result != nil {
		t.Errorf("failure: %+v, %v", r, err)
	}
	for in, want := range map[string]string{
		``:                              "decode result message",
		`[]`:                            "decode result message",
		`{"result":1}`:                  "empty task id",
		`{"id":"a.b"}`:                  "has '.'",
		`{"id":"a","attempt":-1}`:       "negative attempt",
		`{"id":"a","error":{}}`:         "error without a kind",
		`{"id":"a","error":{"kind":1}}`: "decode result message",
	} {
		if _, err := decodeResult([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("decodeResult(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestDecodeAttempts(t *testing.T) {
	good := `[{"attempt":1,"trace_id":"0102030405060708090a0b0c0d0e0f10","span_id":"0102030405060708","worker":"w","pid":7}]`
	recs, err := decodeAttempts([]byte(good))
	if err != nil || len(recs) != 1 || recs[0].PID != 7 {
		t.Fatalf("decodeAttempts = %+v, %v", recs, err)
	}
	links := attemptLinks(recs)
	if len(links) != 1 || links[0].SpanContext.SpanID().String() != "0102030405060708" || !links[0].SpanContext.IsRemote() {
		t.Errorf("links = %+v", links)
	}
	for _, bad := range []string{`{}`, `[{"attempt":0}]`, `[{"attempt":1,"trace_id":"x","span_id":"0102030405060708"}]`,
		`[{"attempt":1,"trace_id":"0102030405060708090a0b0c0d0e0f10","span_id":"0000000000000000"}]`} {
		if _, err := decodeAttempts([]byte(bad)); err == nil {
			t.Errorf("decodeAttempts(%s) succeeded", bad)
		}
	}
}

func TestHeaderCarrier(t *testing.T) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled,
	})
	h := nats.Header{}
	propagation.TraceContext{}.Inject(trace.ContextWithSpanContext(context.Background(), sc), headerCarrier(h))
	if len(h["traceparent"]) != 1 {
		t.Fatalf("injected %v, want a lower-case traceparent", h)
	}
	// A client that canonicalises the name still joins the trace.
	h2 := nats.Header{"Traceparent": h["traceparent"]}
	got := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), headerCarrier(h2)))
	if got.TraceID() != sc.TraceID() || got.SpanID() != sc.SpanID() {
		t.Errorf("extracted %v, want %v", got, sc)
	}
	if keys := headerCarrier(h).Keys(); len(keys) != 1 || keys[0] != "traceparent" {
		t.Errorf("Keys = %v", keys)
	}
}

func TestSummariseStack(t *testing.T) {
	stack := `goroutine 7 [running]:
runtime/debug.Stack()
	/go/src/runtime/debug/stack.go:26 +0x5e
github.com/sightline-dev/sightline/task.callEntry.func1()
	/w/task/execute.go:170 +0x1
panic({0x1, 0x2})
	/go/src/runtime/panic.go:783 +0x132
example.com/app.(*T).index(...)
	/app/t.go:12
runtime.goPanicIndex(0x1, 0x0)
	/go/src/runtime/panic.go:115 +0x1
example.com/app.resize(0xc0001, 0x2)
	/app/resize.go:40 +0x2a
` + registerPrefix + `...].func1({0x1})
	/w/task/registry.go:80 +0x4c2
github.com/sightline-dev/sightline/task.callEntry(0x1)
	/w/task/execute.go:177 +0x164
`
	want := "example.com/app.(*T).index (/app/t.go:12)\nexample.com/app.resize (/app/resize.go:40)"
	if got := summariseStack(stack); got != want {
		t.Errorf("summariseStack:\n%s\nwant\n%s", got, want)
	}
}
