package forward_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// grpcUpstream is an OTLP/gRPC trace and logs service that answers each
// trace call with answer(n) (n from 1: spans refused in a partial
// success, or an error) and records what it got.
type grpcUpstream struct {
	ptraceotlp.UnimplementedGRPCServer
	answer func(n int) (rejected int64, err error)

	mu    sync.Mutex
	calls []grpcCall
}

type grpcCall struct {
	at    time.Time
	md    metadata.MD
	spans int
}

func (u *grpcUpstream) Export(ctx context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	u.mu.Lock()
	u.calls = append(u.calls, grpcCall{at: time.Now(), md: md, spans: req.Traces().SpanCount()})
	n := len(u.calls)
	u.mu.Unlock()
	resp := ptraceotlp.NewExportResponse()
	rejected, err := u.answer(n)
	if rejected > 0 {
		resp.PartialSuccess().SetRejectedSpans(rejected)
		resp.PartialSuccess().SetErrorMessage("too many")
	}
	return resp, err
}

func (u *grpcUpstream) get() []grpcCall {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]grpcCall(nil), u.calls...)
}

// grpcLogs answers logs calls with success.
type grpcLogs struct {
	plogotlp.UnimplementedGRPCServer
}

func (*grpcLogs) Export(context.Context, plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	return plogotlp.NewExportResponse(), nil
}

// startGRPC serves u on a free loopback port until the test ends.
func startGRPC(t *testing.T, u *grpcUpstream) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	ptraceotlp.RegisterGRPCServer(s, u)
	plogotlp.RegisterGRPCServer(s, &grpcLogs{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(l)
	}()
	t.Cleanup(func() {
		s.Stop()
		<-done
	})
	return "grpc://" + l.Addr().String()
}

func retryInfo(t *testing.T, code codes.Code, delay time.Duration) error {
	st, err := status.New(code, "busy").WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(delay)})
	if err != nil {
		t.Fatal(err)
	}
	return st.Err()
}

// TestGRPCRetryInfo waits the delay a RESOURCE_EXHAUSTED answer's
// RetryInfo asks for (far more than the backoff's), then retries, with
// the configured headers as metadata; a partial success is counted.
func TestGRPCRetryInfo(t *testing.T) {
	u := &grpcUpstream{answer: func(n int) (int64, error) {
		if n == 1 {
			return 0, retryInfo(t, codes.ResourceExhausted, 600*time.Millisecond)
		}
		return 0, nil
	}}
	cfg := testConfig(t, startGRPC(t, u))
	cfg.Headers = map[string]string{"Authorization": "Bearer t0ken"}
	f := newForwarder(t, cfg)
	if err := f.AppendTraces(traceRequest(1, 4)); err != nil {
		t.Fatal(err)
	}
	start(t, f)
	st := waitForwarded(t, f)
	calls := u.get()
	if len(calls) != 2 || st.Retries != 1 || st.ForwardedRecords != 1 || calls[1].spans != 4 {
		t.Fatalf("%d calls, stats %+v", len(calls), st)
	}
	if waited := calls[1].at.Sub(calls[0].at); waited < 600*time.Millisecond-10*time.Millisecond {
		t.Errorf("retried after %v, RetryInfo asked for 600ms", waited)
	}
	if got := calls[0].md.Get("authorization"); len(got) != 1 || got[0] != "Bearer t0ken" {
		t.Errorf("authorization metadata %q", got)
	}
	if enc := calls[0].md.Get("grpc-encoding"); len(enc) == 1 && enc[0] != "gzip" {
		t.Errorf("grpc-encoding %q", enc)
	}
	if strings.Contains(st.LastError, "t0ken") || !strings.Contains(st.LastError, "ResourceExhausted") {
		t.Errorf("last error %q", st.LastError)
	}
}

// TestGRPCRefusals drops what the upstream refuses for good
// (RESOURCE_EXHAUSTED without RetryInfo, INVALID_ARGUMENT) and retries
// UNAVAILABLE; a partial success is counted and not retried.
func TestGRPCRefusals(t *testing.T) {
	for _, tc := range []struct {
		name                    string
		rejected                int64
		first                   error
		calls                   int
		dropped, retries, parts int64
	}{
		{"exhausted without RetryInfo", 0, status.Error(codes.ResourceExhausted, "quota"), 1, 1, 0, 0},
		{"invalid argument", 0, status.Error(codes.InvalidArgument, "bad span"), 1, 1, 0, 0},
		{"unauthenticated", 0, status.Error(codes.Unauthenticated, "who"), 1, 1, 0, 0},
		{"unavailable", 0, status.Error(codes.Unavailable, "later"), 2, 0, 1, 0},
		{"aborted", 0, status.Error(codes.Aborted, "again"), 2, 0, 1, 0},
		{"partial success", 2, nil, 1, 0, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := &grpcUpstream{answer: func(n int) (int64, error) {
				if n == 1 {
					return tc.rejected, tc.first
				}
				return 0, nil
			}}
			f := newForwarder(t, testConfig(t, startGRPC(t, u)))
			_ = f.AppendTraces(traceRequest(1, 3))
			_ = f.AppendLogs(logsRequest(1, 3)) // a batch of its own, after
			start(t, f)
			st := waitForwarded(t, f)
			if calls := len(u.get()); calls != tc.calls || st.Dropped.Rejected.Records != tc.dropped || st.Retries != tc.retries ||
				st.UpstreamRejectedSpans != tc.parts || st.ForwardedRecords != 2-tc.dropped {
				t.Errorf("%d trace calls, stats %+v", calls, st)
			}
		})
	}
}
