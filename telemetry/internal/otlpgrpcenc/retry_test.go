package otlpgrpcenc_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpgrpcenc"
)

// failFirst answers the first n calls with st, then accepts.
func failFirst(n int, st *status.Status) answer {
	return func(_ context.Context, i int) (int64, string, error) {
		if i < n {
			return 0, "", st.Err()
		}
		return 0, "", nil
	}
}

// withRetryInfo is st with a RetryInfo detail asking for delay.
func withRetryInfo(t testing.TB, st *status.Status, delay time.Duration) *status.Status {
	t.Helper()
	st, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(delay)})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestRetry checks which answers are retried, as the SDK's gRPC exporters
// retry them, for spans and logs: the retryable codes until the collector
// accepts (the same request every time), RESOURCE_EXHAUSTED only with
// RetryInfo, the others not at all, failing at once with the code and the
// collector's message.
func TestRetry(t *testing.T) {
	unavailable := status.New(codes.Unavailable, "collector restarting")
	exhausted := status.New(codes.ResourceExhausted, "queue full")
	tests := []struct {
		name      string
		answer    answer
		calls     int
		wantCode  codes.Code // codes.OK: success
		wantInMsg string
	}{
		{"unavailable twice", failFirst(2, unavailable), 3, codes.OK, ""},
		{"aborted", failFirst(1, status.New(codes.Aborted, "conflict")), 2, codes.OK, ""},
		{"data loss", failFirst(1, status.New(codes.DataLoss, "lost")), 2, codes.OK, ""},
		{"exhausted with RetryInfo", failFirst(1, withRetryInfo(t, exhausted, time.Millisecond)), 2, codes.OK, ""},
		{"exhausted without RetryInfo", failFirst(1, exhausted), 1, codes.ResourceExhausted, "queue full"},
		{"invalid argument", failFirst(5, status.New(codes.InvalidArgument, "bad batch")), 1, codes.InvalidArgument, "bad batch"},
		{"permission denied", failFirst(5, status.New(codes.PermissionDenied, "who are you")), 1, codes.PermissionDenied, "who are you"},
	}
	spans, records := otlpenctest.Spans(5), otlpenctest.BridgeRecords(5)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, signal := range []string{"spans", "logs"} {
				col := newCollector(t, nil, tt.answer)
				var err error
				if signal == "spans" {
					err = newExporter(t, fastRetry(col.url())).ExportSpans(context.Background(), spans)
				} else {
					err = newLogExporter(t, fastRetry(col.url())).Export(context.Background(), records)
				}
				calls := col.received()
				if len(calls) != tt.calls {
					t.Errorf("%s: %d calls, want %d", signal, len(calls), tt.calls)
				}
				if got := status.Code(err); got != tt.wantCode {
					t.Fatalf("%s: export error %v (code %v), want code %v", signal, err, got, tt.wantCode)
				}
				if err != nil && (!strings.Contains(err.Error(), tt.wantInMsg) || !strings.Contains(err.Error(), col.addr)) {
					t.Errorf("%s: error %q does not name the message %q and the target %s", signal, err, tt.wantInMsg, col.addr)
				}
				for i := 1; i < len(calls); i++ {
					if signal == "spans" && tracesJSON(t, calls[i].traces) != tracesJSON(t, calls[0].traces) ||
						signal == "logs" && logsJSON(t, calls[i].logs) != logsJSON(t, calls[0].logs) {
						t.Errorf("%s: attempt %d sent another request than the first", signal, i+1)
					}
				}
			}
		})
	}
}

// TestRetryInfoDelay checks that the wait before a retry is at least the
// collector's RetryInfo delay, though the backoff is 1 ms.
func TestRetryInfoDelay(t *testing.T) {
	const delay = 300 * time.Millisecond
	col := newCollector(t, nil, failFirst(1, withRetryInfo(t, status.New(codes.Unavailable, "busy"), delay)))
	start := time.Now()
	if err := newExporter(t, fastRetry(col.url())).ExportSpans(context.Background(), otlpenctest.Spans(3)); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < delay {
		t.Errorf("export took %v, want at least the RetryInfo delay %v", elapsed, delay)
	}
	if n := len(col.received()); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}

// TestTimeoutBoundsExport checks that Timeout bounds the whole export:
// retries stop at it, a call the collector holds ends at it, a RetryInfo
// delay that would pass it fails the export at once, and without retries
// one failure ends the export.
func TestTimeoutBoundsExport(t *testing.T) {
	const timeout = 300 * time.Millisecond
	unavailable := status.New(codes.Unavailable, "collector restarting")
	// hold (nil in the table) answers only when its subtest ends: the
	// server's own deadline (sent with the call) must not answer before
	// the client gives up.
	var hold answer
	tests := []struct {
		name       string
		answer     answer
		retry      bool
		minElapsed time.Duration
		maxCalls   int // 0: more than 1
		wantInMsg  string
	}{
		// Retries end when the next wait (1 to 2 ms with fastRetry) would
		// pass the deadline, so just before it.
		{"unavailable until the timeout", failFirst(1<<30, unavailable), true, timeout - 50*time.Millisecond, 0, "collector restarting"},
		{"held until the timeout", hold, true, timeout, 1, "DeadlineExceeded"},
		{"RetryInfo past the deadline", failFirst(1<<30, withRetryInfo(t, unavailable, 2*time.Second)), true, 0, 1, "would pass the export deadline"},
		{"no retry", failFirst(1<<30, unavailable), false, 0, 1, "collector restarting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.answer == nil {
				release := make(chan struct{})
				tt.answer = func(context.Context, int) (int64, string, error) {
					<-release
					return 0, "", status.Error(codes.Unavailable, "held")
				}
				defer close(release)
			}
			col := newCollector(t, nil, tt.answer)
			cfg := fastRetry(col.url())
			cfg.Timeout, cfg.Retry.Enabled = timeout, tt.retry
			start := time.Now()
			err := newExporter(t, cfg).ExportSpans(context.Background(), otlpenctest.Spans(3))
			elapsed := time.Since(start)
			if err == nil || !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Fatalf("export error %v, want one saying %q", err, tt.wantInMsg)
			}
			if elapsed < tt.minElapsed || elapsed > timeout+time.Second {
				t.Errorf("export took %v, want between %v and the timeout %v (and scheduling slack)", elapsed, tt.minElapsed, timeout)
			}
			if calls := len(col.received()); tt.maxCalls == 0 && calls < 2 || tt.maxCalls != 0 && calls > tt.maxCalls {
				t.Errorf("%d calls, want %d at most (0: several)", calls, tt.maxCalls)
			}
		})
	}
}

// TestMaxElapsedTime checks that retries stop once MaxElapsedTime has
// passed, well before the timeout.
func TestMaxElapsedTime(t *testing.T) {
	col := newCollector(t, nil, failFirst(1<<30, status.New(codes.Unavailable, "down")))
	cfg := fastRetry(col.url())
	cfg.Retry.MaxElapsedTime = 50 * time.Millisecond
	start := time.Now()
	err := newExporter(t, cfg).ExportSpans(context.Background(), otlpenctest.Spans(1))
	if err == nil || !strings.Contains(err.Error(), "the most allowed is 50ms") {
		t.Fatalf("export error %v, want the retry limit named", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("export took %v, want about the 50ms limit", elapsed)
	}
	if errors.Is(err, otlpgrpcenc.ErrShutdown) {
		t.Errorf("error %v is ErrShutdown, want not", err)
	}
}
