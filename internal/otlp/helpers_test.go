package otlp

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/stats"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// testTimeout bounds every wait of a test, so that a bug fails the test
// instead of hanging it.
const testTimeout = 30 * time.Second

// gotSpan and gotLog are what the fake sink records of each item.
type gotSpan struct {
	name    string
	traceID string
	spanID  string
	attrs   map[string]any
	service string
}

type gotLog struct {
	body     string
	severity string
	attrs    map[string]any
	traceID  string
}

// sinkBehavior is what the fake sink does on each call.
type sinkBehavior struct {
	reject  int           // reject this many items (at most all)
	message string        // partial success message
	err     error         // fail the call
	panic   any           // panic with this value
	gate    chan struct{} // block each call until closed or ctx ends
}

// fakeSink is a Sink that a test controls. Every call that enters it is
// announced on entered (buffered; tests that block read from it).
type fakeSink struct {
	entered chan string

	mu       sync.Mutex
	behavior sinkBehavior
	spans    []gotSpan
	logs     []gotLog
	canceled []error
}

func newFakeSink() *fakeSink { return &fakeSink{entered: make(chan string, 64)} }

func (s *fakeSink) set(b sinkBehavior) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.behavior = b
}

func (s *fakeSink) call(ctx context.Context, what string, n int, record func()) (int, string, error) {
	s.mu.Lock()
	b := s.behavior
	s.mu.Unlock()
	select {
	case s.entered <- what:
	default:
	}
	if b.gate != nil {
		select {
		case <-b.gate:
		case <-ctx.Done():
			s.mu.Lock()
			s.canceled = append(s.canceled, context.Cause(ctx))
			s.mu.Unlock()
			return 0, "", fmt.Errorf("fake sink: %w", ctx.Err())
		}
	}
	if b.panic != nil {
		panic(b.panic)
	}
	if b.err != nil {
		return 0, "", b.err
	}
	s.mu.Lock()
	record()
	s.mu.Unlock()
	return min(b.reject, n), b.message, nil
}

func (s *fakeSink) AppendTraces(ctx context.Context, td ptrace.Traces) (int, string, error) {
	return s.call(ctx, "traces", td.SpanCount(), func() {
		for _, rs := range td.ResourceSpans().All() {
			svc, _ := rs.Resource().Attributes().Get("service.name")
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					s.spans = append(s.spans, gotSpan{
						name:    sp.Name(),
						traceID: sp.TraceID().String(),
						spanID:  sp.SpanID().String(),
						attrs:   sp.Attributes().AsRaw(),
						service: svc.AsString(),
					})
				}
			}
		}
	})
}

func (s *fakeSink) AppendLogs(ctx context.Context, ld plog.Logs) (int, string, error) {
	return s.call(ctx, "logs", ld.LogRecordCount(), func() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					s.logs = append(s.logs, gotLog{
						body:     lr.Body().AsString(),
						severity: lr.SeverityText(),
						attrs:    lr.Attributes().AsRaw(),
						traceID:  lr.TraceID().String(),
					})
				}
			}
		}
	})
}

func (s *fakeSink) gotSpans() []gotSpan {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]gotSpan(nil), s.spans...)
}

func (s *fakeSink) gotLogs() []gotLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]gotLog(nil), s.logs...)
}

func (s *fakeSink) canceledCalls() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.canceled...)
}

// waitEntered waits for a call to enter the sink.
func (s *fakeSink) waitEntered(t *testing.T) string {
	t.Helper()
	select {
	case what := <-s.entered:
		return what
	case <-time.After(testTimeout):
		t.Fatal("no call entered the sink")
		return ""
	}
}

// testConfig is DefaultConfig on free loopback ports.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.GRPCAddr = "127.0.0.1:0"
	cfg.HTTPAddr = "127.0.0.1:0"
	return cfg
}

// startReceiver starts a receiver and shuts it down when the test ends.
func startReceiver(t *testing.T, cfg Config, sink Sink) *Receiver {
	t.Helper()
	return startReceiverSetup(t, cfg, sink, nil)
}

// startReceiverEnds starts a receiver that announces on the returned channel
// every OTLP gRPC call that ended and was counted (grpc-go may answer the
// client before that).
func startReceiverEnds(t *testing.T, cfg Config, sink Sink) (*Receiver, <-chan struct{}) {
	t.Helper()
	ends := make(chan struct{}, 64)
	return startReceiverSetup(t, cfg, sink, nil, withRPCEnds(ends)), ends
}

// withRPCEnds announces on ends every gRPC call that ended, once the
// receiver's own stats handler has counted it: a stats handler added
// after the receiver's, which grpc-go calls in order.
func withRPCEnds(ends chan<- struct{}) Option {
	return withGRPCServerOptions(grpc.StatsHandler(rpcEnds(ends)))
}

// rpcEnds is a gRPC stats handler that sends on the channel when an RPC
// ends.
type rpcEnds chan<- struct{}

func (e rpcEnds) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }

func (e rpcEnds) HandleRPC(_ context.Context, s stats.RPCStats) {
	if _, ok := s.(*stats.End); ok {
		e <- struct{}{}
	}
}

func (e rpcEnds) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }

func (e rpcEnds) HandleConn(context.Context, stats.ConnStats) {}

// waitEnd waits for one gRPC call's end.
func waitEnd(t *testing.T, ends <-chan struct{}) {
	t.Helper()
	select {
	case <-ends:
	case <-time.After(testTimeout):
		t.Fatal("no gRPC call ended")
	}
}

// startReceiverSetup starts a receiver, running setup (if not nil) between
// New and Start.
func startReceiverSetup(t *testing.T, cfg Config, sink Sink, setup func(*Receiver), opts ...Option) *Receiver {
	t.Helper()
	r, err := New(cfg, sink, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if setup != nil {
		setup(r)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := r.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return r
}

// dial opens a gRPC client connection to the receiver.
func dial(t *testing.T, r *Receiver) *grpc.ClientConn {
	t.Helper()
	addr, _ := r.Addrs()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// sampleTraces returns n spans named span-0.. in one resource and scope.
func sampleTraces(n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "sample")
	ss := rs.ScopeSpans().AppendEmpty()
	for i := range n {
		sp := ss.Spans().AppendEmpty()
		sp.SetName(fmt.Sprintf("span-%d", i))
		sp.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
		sp.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, byte(i + 1)})
		sp.Attributes().PutInt("i", int64(i))
	}
	return td
}

// sampleLogs returns n log records with bodies log-0...
func sampleLogs(n int) plog.Logs {
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	for i := range n {
		lr := sl.LogRecords().AppendEmpty()
		lr.Body().SetStr(fmt.Sprintf("log-%d", i))
		lr.SetSeverityText("INFO")
		lr.Attributes().PutInt("i", int64(i))
	}
	return ld
}

// gzipped compresses b.
func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// httpResult is an HTTP answer, read whole.
type httpResult struct {
	status int
	header http.Header
	body   []byte
}

// post sends body to the receiver's OTLP/HTTP path. A nil-length reader
// (unknownLength) makes the client send the body chunked.
func post(t *testing.T, r *Receiver, path, contentType, contentEncoding string, body io.Reader) httpResult {
	t.Helper()
	_, addr := r.Addrs()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if contentEncoding != "" {
		req.Header.Set("Content-Encoding", contentEncoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response of POST %s: %v", path, err)
	}
	return httpResult{status: resp.StatusCode, header: resp.Header, body: b}
}

// rpcStatus decodes an error answer's google.rpc.Status in the response's
// encoding.
func (h httpResult) rpcStatus(t *testing.T) *spb.Status {
	t.Helper()
	st := &spb.Status{}
	var err error
	switch ct := h.header.Get("Content-Type"); ct {
	case contentTypeJSON:
		err = protojson.Unmarshal(h.body, st)
	case contentTypeProto:
		err = proto.Unmarshal(h.body, st)
	default:
		t.Fatalf("error answer has Content-Type %q, body %q", ct, h.body)
	}
	if err != nil {
		t.Fatalf("decode Status (%s): %v; body %q", h.header.Get("Content-Type"), err, h.body)
	}
	return st
}

// unknownLength hides the length of a reader, so the client sends chunked.
type unknownLength struct{ io.Reader }

// httpClientPost posts protobuf and reads the answer, without a
// *testing.T (for goroutines).
func httpClientPost(url string, body []byte) (httpResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return httpResult{}, err
	}
	req.Header.Set("Content-Type", contentTypeProto)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return httpResult{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return httpResult{status: resp.StatusCode, header: resp.Header, body: b}, err
}

// lockedWriter is a writer safe for the receiver's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}
