package sightlinetest_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/sightline-dev/sightline/sightlinetest"
)

// postSpans posts one request with spans of the given names, as protobuf.
// It reports failures with t.Errorf, so any goroutine may call it.
func postSpans(t *testing.T, recv *sightlinetest.Receiver, names ...string) {
	t.Helper()
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for _, n := range names {
		spans.AppendEmpty().SetName(n)
	}
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		t.Errorf("marshal: %v", err)
		return
	}
	resp, err := tryPost(t, http.MethodPost, recv.HTTPEndpoint()+"/v1/traces", "application/x-protobuf", "", body)
	if err != nil {
		t.Error(err)
		return
	}
	if resp.status != http.StatusOK {
		t.Errorf("status %d: %q", resp.status, resp.body)
	}
}

func TestWaitForSpansTimesOut(t *testing.T) {
	recv := sightlinetest.NewReceiver(t)
	postSpans(t, recv, "only")
	start := time.Now()
	got := recv.WaitForSpans(2, 50*time.Millisecond)
	if len(got) != 1 {
		t.Errorf("got %d spans, want the 1 received", len(got))
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("returned after %v, before the timeout", d)
	}
	if logs := recv.WaitForLogs(1, time.Millisecond); len(logs) != 0 {
		t.Errorf("got %d logs", len(logs))
	}
}

func TestWaitForSpansWakesOnArrival(t *testing.T) {
	recv := sightlinetest.NewReceiver(t)
	const senders, perSender = 8, 5
	var wg sync.WaitGroup
	for i := range senders {
		wg.Go(func() {
			for j := range perSender {
				postSpans(t, recv, fmt.Sprintf("s%d-%d", i, j))
			}
		})
	}
	got := recv.WaitForSpans(senders*perSender, waitTimeout)
	wg.Wait()
	if len(got) != senders*perSender {
		t.Fatalf("got %d spans, want %d", len(got), senders*perSender)
	}
	if ok, failed := recv.Requests(); ok != senders*perSender || failed != 0 {
		t.Errorf("Requests() = %d, %d", ok, failed)
	}
}

func TestReset(t *testing.T) {
	recv := sightlinetest.NewReceiver(t)
	postSpans(t, recv, "a", "b")
	kept := recv.Spans()
	recv.Reset()
	if n := len(recv.Spans()); n != 0 {
		t.Errorf("%d spans after Reset", n)
	}
	if kept[0].Name() != "a" || kept[1].Name() != "b" {
		t.Errorf("spans returned before Reset changed: %q %q", kept[0].Name(), kept[1].Name())
	}
	postSpans(t, recv, "c")
	if got := recv.SpanNames(); len(got) != 1 || got[0] != "c" {
		t.Errorf("SpanNames() = %q, want [c]", got)
	}
	if ok, _ := recv.Requests(); ok != 2 {
		t.Errorf("ok requests %d, want 2 (Reset keeps the counters)", ok)
	}
}

// fatalRecorder records Fatalf instead of stopping the test.
type fatalRecorder struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msg = fmt.Sprintf(format, args...)
}

func TestRequireSpansFailsWithNames(t *testing.T) {
	tb := &fatalRecorder{TB: t}
	recv := sightlinetest.NewReceiver(tb)
	postSpans(t, recv, "first", "second")
	recv.RequireSpans(3, 10*time.Millisecond)
	want := `sightlinetest: want at least 3 spans within 10ms, got 2: ["first" "second"]`
	if tb.msg != want {
		t.Errorf("Fatalf(%q), want %q", tb.msg, want)
	}
	tb.msg = ""
	recv.RequireSpans(2, time.Millisecond)
	if tb.msg != "" {
		t.Errorf("RequireSpans failed with 2 spans there: %q", tb.msg)
	}
	recv.RequireLogs(1, time.Millisecond)
	if !strings.HasPrefix(tb.msg, "sightlinetest: want at least 1 log records within 1ms, got 0") {
		t.Errorf("RequireLogs: %q", tb.msg)
	}
}

func TestEndpoints(t *testing.T) {
	recv := sightlinetest.NewReceiver(t)
	for _, ep := range []struct{ got, prefix string }{
		{recv.GRPCEndpoint(), "grpc://127.0.0.1:"},
		{recv.HTTPEndpoint(), "http://127.0.0.1:"},
	} {
		if !strings.HasPrefix(ep.got, ep.prefix) || len(ep.got) == len(ep.prefix) || strings.Count(ep.got, "/") != 2 {
			t.Errorf("endpoint %q, want %sPORT", ep.got, ep.prefix)
		}
	}
	if recv.GRPCEndpoint()[len("grpc://"):] == recv.HTTPEndpoint()[len("http://"):] {
		t.Errorf("gRPC and HTTP share %s", recv.HTTPEndpoint())
	}
}
