package otlp

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// retryInfo returns the RetryInfo delay of a status, or -1 without one.
func retryInfo(st *status.Status) time.Duration {
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return ri.GetRetryDelay().AsDuration()
		}
	}
	return -1
}

// TestBackpressure fills MaxInFlightItems with a request the sink holds,
// checks that the next requests are refused at once and retryably on both
// transports, then releases the sink and checks that requests pass again.
func TestBackpressure(t *testing.T) {
	cfg := testConfig()
	cfg.MaxInFlightItems = 100
	cfg.RetryAfter = 1500 * time.Millisecond
	sink := newFakeSink()
	gate := make(chan struct{})
	sink.set(sinkBehavior{gate: gate})
	r := startReceiver(t, cfg, sink)
	conn := dial(t, r)
	ctx := context.Background()

	// 60 spans over HTTP are held in the sink.
	held := make(chan httpResult, 1)
	body60 := tracesProto(t, 60)
	go func() { held <- postQuiet(r, pathTraces, body60) }()
	sink.waitEntered(t)

	// 41 more would exceed 100: refused at once on both transports.
	res := post(t, r, pathTraces, contentTypeProto, "", bytes.NewReader(tracesProto(t, 41)))
	if res.status != 429 || res.header.Get("Retry-After") != "2" {
		t.Errorf("HTTP: status %d Retry-After %q, want 429 and 2 (1.5s rounded up)", res.status, res.header.Get("Retry-After"))
	}
	if msg := res.rpcStatus(t).GetMessage(); !strings.Contains(msg, "receiver is busy: 60 items in flight, 41 more would exceed the limit of 100") {
		t.Errorf("HTTP message %q", msg)
	}
	_, err := ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(sampleTraces(41)))
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted || retryInfo(st) != 1500*time.Millisecond {
		t.Errorf("gRPC: %v %q RetryInfo %v, want ResourceExhausted with RetryInfo 1.5s", st.Code(), st.Message(), retryInfo(st))
	}

	// 40 log records over gRPC fit and fill the 100.
	heldGRPC := make(chan error, 1)
	go func() {
		_, err := plogotlp.NewGRPCClient(conn).Export(ctx, plogotlp.NewExportRequestFromLogs(sampleLogs(40)))
		heldGRPC <- err
	}()
	sink.waitEntered(t)
	if got := r.Stats().InFlightItems; got != 100 {
		t.Fatalf("in flight %d, want 100", got)
	}
	// Full: HTTP refuses before reading the body.
	res = post(t, r, pathTraces, contentTypeProto, "", bytes.NewReader(tracesProto(t, 1)))
	if res.status != 429 || res.header.Get("Retry-After") != "2" {
		t.Errorf("HTTP when full: status %d Retry-After %q, want 429 and 2", res.status, res.header.Get("Retry-After"))
	}

	close(gate)
	if res := <-held; res.status != 200 {
		t.Errorf("held HTTP request: status %d, want 200", res.status)
	}
	if err := <-heldGRPC; err != nil {
		t.Errorf("held gRPC request: %v", err)
	}
	if got := r.Stats().InFlightItems; got != 0 {
		t.Errorf("in flight %d after release, want 0", got)
	}

	// More items than the limit can ever admit: too large, not retryable.
	res = post(t, r, pathLogs, contentTypeProto, "", bytes.NewReader(logsProto(t, 101)))
	if res.status != 413 || res.header.Get("Retry-After") != "" {
		t.Errorf("101 items: status %d Retry-After %q, want 413 without Retry-After", res.status, res.header.Get("Retry-After"))
	}
	_, err = ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(sampleTraces(101)))
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted || retryInfo(st) != -1 {
		t.Errorf("101 items over gRPC: %v RetryInfo %v, want ResourceExhausted without RetryInfo", st.Code(), retryInfo(st))
	}

	// Released: requests pass again.
	if res := post(t, r, pathTraces, contentTypeProto, "", bytes.NewReader(tracesProto(t, 100))); res.status != 200 {
		t.Errorf("after release: HTTP status %d, want 200", res.status)
	}
	if _, err := ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(sampleTraces(100))); err != nil {
		t.Errorf("after release: gRPC: %v", err)
	}

	s := r.Stats()
	// The last HTTP refusal came before its body was read: no items.
	if s.Traces.RefusedRequests.QueueFull != 3 || s.Traces.RefusedItems.QueueFull != 82 {
		t.Errorf("queue_full traces: %d requests %d items, want 3 and 82", s.Traces.RefusedRequests.QueueFull, s.Traces.RefusedItems.QueueFull)
	}
	if s.Traces.RefusedItems.TooLarge != 101 || s.Logs.RefusedItems.TooLarge != 101 {
		t.Errorf("too_large items traces %d logs %d, want 101 each", s.Traces.RefusedItems.TooLarge, s.Logs.RefusedItems.TooLarge)
	}
	if s.Traces.StoredItems != 260 || s.Logs.StoredItems != 40 {
		t.Errorf("stored traces %d logs %d, want 260 and 40", s.Traces.StoredItems, s.Logs.StoredItems)
	}
	checkBalance(t, s.Traces)
	checkBalance(t, s.Logs)
}

// checkBalance checks that every received item is stored, rejected or
// refused.
func checkBalance(t *testing.T, s SignalStats) {
	t.Helper()
	if s.ReceivedItems != s.StoredItems+s.RejectedItems+s.RefusedItems.Sum() {
		t.Errorf("received %d != stored %d + rejected %d + refused %d", s.ReceivedItems, s.StoredItems, s.RejectedItems, s.RefusedItems.Sum())
	}
}

// postQuiet posts protobuf without a *testing.T, for goroutines.
func postQuiet(r *Receiver, path string, body []byte) httpResult {
	_, addr := r.Addrs()
	resp, err := httpClientPost("http://"+addr+path, body)
	if err != nil {
		return httpResult{status: -1, body: []byte(err.Error())}
	}
	return resp
}

// TestSinkFailures: an error of the sink is retryable (503 / UNAVAILABLE,
// both with a retry delay); a panic is answered 500 / INTERNAL.
func TestSinkFailures(t *testing.T) {
	tests := []struct {
		name     string
		behavior sinkBehavior
		wantHTTP int
		wantCode codes.Code
		retry    bool
		wantMsg  string
	}{
		{"error", sinkBehavior{err: errors.New("store is closing")}, 503, codes.Unavailable, true, "store traces: store is closing"},
		{"panic", sinkBehavior{panic: "boom"}, 500, codes.Internal, false, "store traces: sink panicked: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newFakeSink()
			sink.set(tt.behavior)
			r := startReceiver(t, testConfig(), sink)
			res := post(t, r, pathTraces, contentTypeJSON, "", bytes.NewReader(tracesJSON(t, 3)))
			if res.status != tt.wantHTTP || (res.header.Get("Retry-After") == "1") != tt.retry {
				t.Errorf("HTTP: status %d Retry-After %q, want %d (retry %v)", res.status, res.header.Get("Retry-After"), tt.wantHTTP, tt.retry)
			}
			if msg := res.rpcStatus(t).GetMessage(); msg != tt.wantMsg {
				t.Errorf("HTTP message %q, want %q", msg, tt.wantMsg)
			}
			_, err := ptraceotlp.NewGRPCClient(dial(t, r)).Export(context.Background(), ptraceotlp.NewExportRequestFromTraces(sampleTraces(3)))
			st := status.Convert(err)
			if st.Code() != tt.wantCode || (retryInfo(st) == time.Second) != tt.retry || st.Message() != tt.wantMsg {
				t.Errorf("gRPC: %v %q RetryInfo %v, want %v %q (retry %v)", st.Code(), st.Message(), retryInfo(st), tt.wantCode, tt.wantMsg, tt.retry)
			}
			s := r.Stats().Traces
			if s.RefusedItems.SinkError != 6 || s.RefusedRequests.SinkError != 2 || s.StoredItems != 0 {
				t.Errorf("stats %+v, want 6 items in 2 requests refused for sink_error", s)
			}
			checkBalance(t, s)
		})
	}
}

func TestAdmission(t *testing.T) {
	a := newAdmission(10, 1<<20, 1)
	if !a.admit(6) || a.admit(5) || !a.admit(4) || a.admit(1) || !a.full() {
		t.Fatalf("admit does not hold the bound: in flight %d", a.inFlight())
	}
	a.release(10)
	if a.inFlight() != 0 || a.full() {
		t.Fatalf("in flight %d after release", a.inFlight())
	}

	// Concurrent admits never go over the bound.
	var wg sync.WaitGroup
	var over atomic.Bool
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				if a.admit(3) {
					if a.inFlight() > 10 {
						over.Store(true)
					}
					a.release(3)
				}
			}
		})
	}
	wg.Wait()
	if over.Load() || a.inFlight() != 0 {
		t.Errorf("over the bound %v, in flight %d", over.Load(), a.inFlight())
	}

	// Decode slots: the second waits until its context ends.
	ctx := context.Background()
	if err := a.acquireDecode(ctx); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if err := a.acquireDecode(canceled); !errors.Is(err, context.Canceled) {
		t.Errorf("acquireDecode with a canceled context = %v", err)
	}
	a.releaseDecode()
	if err := a.acquireDecode(canceled); err != nil {
		t.Errorf("acquireDecode with a free slot = %v", err)
	}
	a.releaseDecode()
}

// TestDecodeSlotCanceled: a request whose client goes away while it waits
// for a decode slot is answered 503 and counted as canceled.
func TestDecodeSlotCanceled(t *testing.T) {
	r, err := New(testConfig(), newFakeSink())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Shutdown(context.Background()) }()
	for range cap(r.admission.decodeSlot) {
		r.admission.decodeSlot <- struct{}{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, pathLogs, bytes.NewReader(logsProto(t, 1)))
	req.Header.Set("Content-Type", contentTypeProto)
	w := httptest.NewRecorder()
	r.httpHandler().ServeHTTP(w, req)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" {
		t.Errorf("status %d Retry-After %q, want 503 and 1", w.Code, w.Header().Get("Retry-After"))
	}
	if got := r.Stats().Logs.RefusedRequests.Canceled; got != 1 {
		t.Errorf("canceled requests %d, want 1", got)
	}
}
