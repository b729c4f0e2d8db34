package otlp

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	grpcencoding "google.golang.org/grpc/encoding"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/status"

	// Registers the gzip decompressor: OTLP servers MUST accept gzip.
	_ "google.golang.org/grpc/encoding/gzip"
)

// The OTLP/gRPC methods.
const (
	methodTraces  = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
	methodLogs    = "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
	methodMetrics = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"
)

// grpcMaxStreams bounds the concurrent RPCs of one connection. grpc-go reads
// a whole message (at most MaxRequestBytes) before the handler runs; the
// tap (grpctap.go) bounds the messages of all connections together by
// MaxInFlightBytes, this the streams one connection can open.
const grpcMaxStreams = 32

func signalOfMethod(method string) (signal, bool) {
	switch method {
	case methodTraces:
		return signalTraces, true
	case methodLogs:
		return signalLogs, true
	case methodMetrics:
		return signalMetrics, true
	}
	return 0, false
}

func (r *Receiver) newGRPCServer(extra ...grpc.ServerOption) *grpc.Server {
	s := grpc.NewServer(append([]grpc.ServerOption{
		grpc.MaxRecvMsgSize(int(r.cfg.MaxRequestBytes)),
		grpc.MaxConcurrentStreams(grpcMaxStreams),
		// Like the HTTP server's ReadHeaderTimeout and IdleTimeout: a
		// connection that has not said hello within readHeaderTimeout, or
		// has had no RPC for idleTimeout, gives its place back.
		grpc.ConnectionTimeout(readHeaderTimeout),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: idleTimeout}),
		grpc.ForceServerCodecV2(&grpcCodec{delegate: grpcencoding.GetCodecV2("proto"), r: r}),
		grpc.StatsHandler(grpcStats{r: r}),
		grpc.InTapHandle(r.tap),
		grpc.UnaryInterceptor(r.intercept),
	}, extra...)...)
	ptraceotlp.RegisterGRPCServer(s, &grpcTraces{r: r})
	plogotlp.RegisterGRPCServer(s, &grpcLogs{r: r})
	pmetricotlp.RegisterGRPCServer(s, &grpcMetrics{})
	return s
}

// intercept runs before every OTLP handler: it refuses requests that failed
// to decode and those that come after a forced stop, ties the handler's
// context to the receiver's, and turns a panic into INTERNAL.
func (r *Receiver) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	sig, ok := signalOfMethod(info.FullMethod)
	if !ok {
		return handler(ctx, req)
	}
	markHandled(ctx)
	decoded := r.decoded.take(req)
	if decoded != nil {
		// The decoded request's bytes stay reserved until the handler, and
		// so the sink, has returned.
		defer decoded.res.release()
	}
	if sig == signalMetrics {
		r.counters.metrics[transportGRPC].Add(1)
		return handler(ctx, req)
	}
	c := r.countersOf(sig)
	c.requests[transportGRPC].Add(1)
	if !r.active.enter() {
		c.refuse(reasonCanceled, 0)
		return nil, r.grpcErr(errClosing())
	}
	defer r.active.leave()
	if decoded == nil {
		// Not through the codec: cannot happen with the server's codec.
		c.refuse(reasonMalformed, 0)
		return nil, r.grpcErr(refuseErr(failMalformed, reasonMalformed, "decode %s protobuf: the request was not decoded", sig))
	}
	if decoded.refusal != nil {
		items := decoded.items
		if decoded.refusal.why == reasonMalformed {
			items = -1 // counted, but not decodable: not received
		}
		c.refuseCounted(decoded.refusal.why, items)
		return nil, r.grpcErr(decoded.refusal)
	}
	defer func() {
		if p := recover(); p != nil {
			r.logger.ErrorContext(ctx, "otlp: gRPC handler panicked", "signal", sig.String(), "panic", fmt.Sprint(p))
			resp, err = nil, status.Errorf(codes.Internal, "export %s: internal error", sig)
		}
	}()
	ctx, release := r.withForce(ctx)
	defer release()
	return handler(ctx, req)
}

// grpcTraces is the OTLP/gRPC trace service.
type grpcTraces struct {
	ptraceotlp.UnimplementedGRPCServer
	r *Receiver
}

func (g *grpcTraces) Export(ctx context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	td := req.Traces()
	store := func(ctx context.Context) (int, string, error) { return g.r.sink.AppendTraces(ctx, td) }
	rejected, message, err := g.r.export(ctx, signalTraces, transportGRPC, td.SpanCount(), store)
	resp := ptraceotlp.NewExportResponse()
	if err != nil {
		return resp, g.r.grpcErr(err)
	}
	if rejected > 0 || message != "" {
		resp.PartialSuccess().SetRejectedSpans(int64(rejected))
		resp.PartialSuccess().SetErrorMessage(message)
	}
	return resp, nil
}

// grpcLogs is the OTLP/gRPC logs service.
type grpcLogs struct {
	plogotlp.UnimplementedGRPCServer
	r *Receiver
}

func (g *grpcLogs) Export(ctx context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	ld := req.Logs()
	store := func(ctx context.Context) (int, string, error) { return g.r.sink.AppendLogs(ctx, ld) }
	rejected, message, err := g.r.export(ctx, signalLogs, transportGRPC, ld.LogRecordCount(), store)
	resp := plogotlp.NewExportResponse()
	if err != nil {
		return resp, g.r.grpcErr(err)
	}
	if rejected > 0 || message != "" {
		resp.PartialSuccess().SetRejectedLogRecords(int64(rejected))
		resp.PartialSuccess().SetErrorMessage(message)
	}
	return resp, nil
}

// grpcMetrics answers every metrics export with UNIMPLEMENTED: sightline
// stores traces and logs only (see the package documentation).
type grpcMetrics struct {
	pmetricotlp.UnimplementedGRPCServer
}

func (grpcMetrics) Export(context.Context, pmetricotlp.ExportRequest) (pmetricotlp.ExportResponse, error) {
	return pmetricotlp.NewExportResponse(), status.Error(codes.Unimplemented, errMetrics)
}

// errMetrics is the message that refuses metrics, on both transports.
const errMetrics = "sightline does not accept metrics: it stores traces and logs only; do not send metrics to this endpoint (set OTEL_METRICS_EXPORTER=none)"
