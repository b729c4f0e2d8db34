package otlp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestSinkForwardQueueFull: a sink error that wraps ErrForwardQueueFull is
// answered like a full receiver (429 with Retry-After, RESOURCE_EXHAUSTED
// with RetryInfo), with the sink's message, and counted as
// forward_queue_full on both signals; any other sink error stays a 503.
func TestSinkForwardQueueFull(t *testing.T) {
	sink := newFakeSink()
	full := fmt.Errorf("%w: 16 MiB queued for http://gw:4318 (--forward-queue-size 16MiB)", ErrForwardQueueFull)
	sink.set(sinkBehavior{err: full})
	cfg := testConfig()
	cfg.RetryAfter = 3 * time.Second
	r := startReceiver(t, cfg, sink)
	const wantMsg = "store traces: forward queue full: 16 MiB queued for http://gw:4318 (--forward-queue-size 16MiB); retry after 3s"

	res := post(t, r, pathTraces, contentTypeJSON, "", bytes.NewReader(tracesJSON(t, 3)))
	if res.status != 429 || res.header.Get("Retry-After") != "3" {
		t.Errorf("HTTP: status %d Retry-After %q, want 429 and 3", res.status, res.header.Get("Retry-After"))
	}
	if msg := res.rpcStatus(t).GetMessage(); msg != wantMsg {
		t.Errorf("HTTP message %q, want %q", msg, wantMsg)
	}
	conn := dial(t, r)
	_, err := ptraceotlp.NewGRPCClient(conn).Export(context.Background(), ptraceotlp.NewExportRequestFromTraces(sampleTraces(4)))
	st := status.Convert(err)
	if st.Code() != codes.ResourceExhausted || retryInfo(st) != 3*time.Second || st.Message() != wantMsg {
		t.Errorf("gRPC: %v %q RetryInfo %v, want RESOURCE_EXHAUSTED %q with 3s", st.Code(), st.Message(), retryInfo(st), wantMsg)
	}
	_, err = plogotlp.NewGRPCClient(conn).Export(context.Background(), plogotlp.NewExportRequestFromLogs(sampleLogs(2)))
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted || retryInfo(st) != 3*time.Second ||
		!strings.HasPrefix(st.Message(), "store logs: forward queue full: ") {
		t.Errorf("gRPC logs: %v %q RetryInfo %v", st.Code(), st.Message(), retryInfo(st))
	}

	s := r.Stats()
	if tr := s.Traces; tr.RefusedRequests.ForwardQueueFull != 2 || tr.RefusedItems.ForwardQueueFull != 7 ||
		tr.RefusedRequests.Sum() != 2 || tr.StoredItems != 0 {
		t.Errorf("traces stats %+v, want 7 spans in 2 requests refused for forward_queue_full", tr)
	}
	if lg := s.Logs; lg.RefusedRequests.ForwardQueueFull != 1 || lg.RefusedItems.ForwardQueueFull != 2 {
		t.Errorf("logs stats %+v, want 2 log records in 1 request refused for forward_queue_full", lg)
	}
	checkBalance(t, s.Traces)
	checkBalance(t, s.Logs)
	if got := reasonForwardQueueFull.String(); got != "forward_queue_full" {
		t.Errorf("reason name %q", got)
	}

	// Not wrapped: the sink failed, 503 as before.
	sink.set(sinkBehavior{err: errors.New("forward queue: disk full")})
	if res := post(t, r, pathTraces, contentTypeJSON, "", bytes.NewReader(tracesJSON(t, 1))); res.status != 503 {
		t.Errorf("an unwrapped sink error: %d, want 503", res.status)
	}
}
