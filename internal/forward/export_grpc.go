package forward

import (
	stdgzip "compress/gzip"
	"context"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/sightline-dev/sightline/internal/grpcraw"
)

// The OTLP/gRPC export methods.
const (
	grpcMethodTraces = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
	grpcMethodLogs   = "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
)

// grpcExporter calls the OTLP/gRPC export methods with the queued bytes
// as they are. A batch is already a serialized Export*ServiceRequest (the
// concatenation of several is one too), so the request goes out through a
// codec that passes bytes through (grpcraw.Codec): nothing is decoded into
// pdata and encoded again, which would cost more than the send. Only the
// small response is decoded, for its partial success.
type grpcExporter struct {
	conn     *grpc.ClientConn
	md       metadata.MD
	timeout  time.Duration
	callOpts []grpc.CallOption
}

// gzipSpeed sets grpc-go's gzip compressor to gzip's best speed, as
// internal/otlphttp compresses: less than half the CPU of the default
// level for a slightly larger request. The level is grpc-go's, for the
// whole process (serve's own telemetry exporters too, which is as well).
var gzipSpeed sync.Once

func newGRPCExporter(cfg Config, up upstream) (*grpcExporter, error) {
	creds := insecure.NewCredentials()
	if up.tls {
		tc, err := cfg.tlsConfig()
		if err != nil {
			return nil, err
		}
		creds = credentials.NewTLS(tc)
	}
	conn, err := grpc.NewClient(up.target, grpc.WithTransportCredentials(creds), grpc.WithUserAgent("sightline-forward"))
	if err != nil {
		return nil, fmt.Errorf("gRPC client for %s: %w", up.display, err)
	}
	e := &grpcExporter{conn: conn, md: metadata.New(cfg.headers(up)), timeout: cfg.Timeout,
		callOpts: []grpc.CallOption{grpc.ForceCodecV2(grpcraw.Codec{}), grpc.MaxCallSendMsgSize(MaxRecordBytes + 1<<20)}}
	if cfg.Compression == "gzip" {
		gzipSpeed.Do(func() { _ = gzip.SetLevel(stdgzip.BestSpeed) })
		e.callOpts = append(e.callOpts, grpc.UseCompressor(gzip.Name))
	}
	return e, nil
}

func (e *grpcExporter) export(ctx context.Context, sig Signal, body []byte) outcome {
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	if len(e.md) > 0 {
		ctx = metadata.NewOutgoingContext(ctx, e.md)
	}
	method := grpcMethodTraces
	if sig == Logs {
		method = grpcMethodLogs
	}
	req, resp := grpcraw.Message(body), grpcraw.Message(nil)
	err := e.conn.Invoke(ctx, method, &req, &resp, e.callOpts...)
	if err == nil {
		out := outcome{reached: true}
		out.rejected, out.message = grpcPartialSuccess(sig, resp)
		return out
	}
	st := status.Convert(err)
	out := outcome{err: fmt.Errorf("gRPC %s to %s: %s: %s", method, e.conn.Target(), st.Code(), st.Message())}
	out.retryable, out.delay = grpcRetryable(st)
	out.reached = st.Code() != codes.Unavailable && st.Code() != codes.DeadlineExceeded && st.Code() != codes.Canceled
	return out
}

// grpcRetryable applies the OTLP/gRPC table of retryable codes
// (specification, OTLP/gRPC Failures): RESOURCE_EXHAUSTED only when the
// server says it can recover (RetryInfo). delay is RetryInfo's retry
// delay, 0 when there is none.
func grpcRetryable(st *status.Status) (retryable bool, delay time.Duration) {
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok && ri.GetRetryDelay() != nil {
			delay = max(ri.GetRetryDelay().AsDuration(), 0)
			retryable = true
		}
	}
	switch st.Code() {
	case codes.Canceled, codes.DeadlineExceeded, codes.Aborted, codes.OutOfRange, codes.Unavailable, codes.DataLoss:
		return true, delay
	case codes.ResourceExhausted:
		return retryable, delay
	}
	return false, 0
}

func grpcPartialSuccess(sig Signal, data []byte) (int64, string) {
	if sig == Logs {
		resp := plogotlp.NewExportResponse()
		if resp.UnmarshalProto(data) != nil {
			return 0, ""
		}
		return resp.PartialSuccess().RejectedLogRecords(), resp.PartialSuccess().ErrorMessage()
	}
	resp := ptraceotlp.NewExportResponse()
	if resp.UnmarshalProto(data) != nil {
		return 0, ""
	}
	return resp.PartialSuccess().RejectedSpans(), resp.PartialSuccess().ErrorMessage()
}

func (e *grpcExporter) close() { _ = e.conn.Close() }
