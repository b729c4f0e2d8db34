package sightlinetest

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// retryDelay is what a refusal in failing mode asks clients to wait, as
// Retry-After over HTTP and RetryInfo over gRPC.
const retryDelay = time.Second

// grpcTraces is the OTLP/gRPC trace service.
type grpcTraces struct {
	ptraceotlp.UnimplementedGRPCServer
	r *Receiver
}

func (g *grpcTraces) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	if err := g.r.refuseGRPC(); err != nil {
		return ptraceotlp.NewExportResponse(), err
	}
	g.r.store.addTraces(req.Traces(), TransportGRPC)
	g.r.okReqs.Add(1)
	return ptraceotlp.NewExportResponse(), nil
}

// grpcLogs is the OTLP/gRPC logs service.
type grpcLogs struct {
	plogotlp.UnimplementedGRPCServer
	r *Receiver
}

func (g *grpcLogs) Export(_ context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	if err := g.r.refuseGRPC(); err != nil {
		return plogotlp.NewExportResponse(), err
	}
	g.r.store.addLogs(req.Logs(), TransportGRPC)
	g.r.okReqs.Add(1)
	return plogotlp.NewExportResponse(), nil
}

// refuseGRPC returns the UNAVAILABLE status to answer with, and counts the
// refusal, when the receiver is failing; otherwise nil.
func (r *Receiver) refuseGRPC() error {
	if !r.failing.Load() {
		return nil
	}
	r.failReqs.Add(1)
	st := status.New(codes.Unavailable, errFailing.Error())
	if withInfo, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(retryDelay)}); err == nil {
		st = withInfo
	}
	return st.Err()
}
