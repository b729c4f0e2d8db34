package otlpgrpcenc_test

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/stats"
)

// call is one Export call a collector received.
type call struct {
	md     metadata.MD
	traces ptrace.Traces // for the trace service
	logs   plog.Logs     // for the logs service
}

// answer is what a collector answers to its n-th call (from 0) of a
// service: an error (a status), else a partial success, if any.
type answer func(ctx context.Context, n int) (rejected int64, msg string, err error)

// collector is an OTLP/gRPC server on loopback with pdata's trace and logs
// services, recording every call and answering as told.
type collector struct {
	addr string

	mu     sync.Mutex
	calls  []call
	answer answer
	wire   []wireSize
}

// wireSize is the size of a request as sent and as decompressed.
type wireSize struct{ wire, length int }

// newCollector serves on loopback until the test ends; tlsCfg, when not
// nil, makes it a TLS server.
func newCollector(t testing.TB, tlsCfg *tls.Config, a answer) *collector {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{addr: lis.Addr().String(), answer: a}
	opts := []grpc.ServerOption{grpc.StatsHandler(sizes{c})}
	if tlsCfg != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(tlsCfg)))
	}
	srv := grpc.NewServer(opts...)
	ptraceotlp.RegisterGRPCServer(srv, &traceService{c: c})
	plogotlp.RegisterGRPCServer(srv, &logService{c: c})
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	return c
}

func (c *collector) url() string { return "http://" + c.addr }

// record keeps a call and returns its number.
func (c *collector) record(ctx context.Context, cl call) int {
	cl.md, _ = metadata.FromIncomingContext(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, cl)
	return len(c.calls) - 1
}

// received is the calls so far.
func (c *collector) received() []call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]call(nil), c.calls...)
}

// sizes records the wire size and length of every request received.
type sizes struct{ c *collector }

func (sizes) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context   { return ctx }
func (sizes) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (sizes) HandleConn(context.Context, stats.ConnStats)                       {}
func (s sizes) HandleRPC(_ context.Context, st stats.RPCStats) {
	if in, ok := st.(*stats.InPayload); ok {
		s.c.mu.Lock()
		s.c.wire = append(s.c.wire, wireSize{wire: in.WireLength, length: in.Length})
		s.c.mu.Unlock()
	}
}

// wireSizes is the sizes of the requests so far.
func (c *collector) wireSizes() []wireSize {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]wireSize(nil), c.wire...)
}

func (c *collector) reply(ctx context.Context, n int) (int64, string, error) {
	if c.answer == nil {
		return 0, "", nil
	}
	return c.answer(ctx, n)
}

type traceService struct {
	ptraceotlp.UnimplementedGRPCServer
	c *collector
}

func (s *traceService) Export(ctx context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	td := ptrace.NewTraces()
	req.Traces().CopyTo(td)
	rejected, msg, err := s.c.reply(ctx, s.c.record(ctx, call{traces: td}))
	resp := ptraceotlp.NewExportResponse()
	if err != nil {
		return resp, err
	}
	resp.PartialSuccess().SetRejectedSpans(rejected)
	resp.PartialSuccess().SetErrorMessage(msg)
	return resp, nil
}

type logService struct {
	plogotlp.UnimplementedGRPCServer
	c *collector
}

func (s *logService) Export(ctx context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	ld := plog.NewLogs()
	req.Logs().CopyTo(ld)
	rejected, msg, err := s.c.reply(ctx, s.c.record(ctx, call{logs: ld}))
	resp := plogotlp.NewExportResponse()
	if err != nil {
		return resp, err
	}
	resp.PartialSuccess().SetRejectedLogRecords(rejected)
	resp.PartialSuccess().SetErrorMessage(msg)
	return resp, nil
}

// tracesJSON and logsJSON are a request in OTLP-JSON, for comparing.
func tracesJSON(t testing.TB, td ptrace.Traces) string {
	t.Helper()
	b, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func logsJSON(t testing.TB, ld plog.Logs) string {
	t.Helper()
	b, err := plogotlp.NewExportRequestFromLogs(ld).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
