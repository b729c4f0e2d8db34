package otlp

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"google.golang.org/grpc/codes"
	grpcencoding "google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
)

// grpc-go decodes a request before any interceptor runs and answers a
// decoding failure itself with INTERNAL, which the OTLP client table reads
// as not retryable but which names no bad data. To answer INVALID_ARGUMENT
// (spec: OTLP/gRPC Response, Failures) and count the request, the server
// codec below lets a failed OTLP decode through and files the error under
// the request message; the interceptor takes it back out and refuses the
// request. The stats handler forgets, when the RPC ends, an error that the
// interceptor never took (a client that sent a second message on the unary
// call makes grpc-go fail the RPC before the interceptor runs).

// otlpMessage is implemented by pdata's OTLP request messages.
type otlpMessage interface {
	UnmarshalProto([]byte) error
}

// malformedRequests maps a request message that failed to decode to its
// decoding error, from the codec to the interceptor.
type malformedRequests struct{ m sync.Map }

// take returns and forgets the decoding error of msg; nil if it decoded.
func (m *malformedRequests) take(msg any) error {
	v, ok := m.m.LoadAndDelete(msg)
	if !ok {
		return nil
	}
	err, _ := v.(error)
	return err
}

// grpcCodec wraps the registered "proto" codec (pdata's, for OTLP messages).
type grpcCodec struct {
	delegate  grpcencoding.CodecV2
	malformed *malformedRequests
}

func (c *grpcCodec) Name() string { return c.delegate.Name() }

func (c *grpcCodec) Marshal(v any) (mem.BufferSlice, error) { return c.delegate.Marshal(v) }

// Unmarshal decodes with the delegate; when an OTLP request fails to decode
// it files the error for the interceptor and reports success.
func (c *grpcCodec) Unmarshal(data mem.BufferSlice, v any) (err error) {
	if _, ok := v.(otlpMessage); !ok {
		return c.delegate.Unmarshal(data, v)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("decoder panicked: %v", p)
		}
		if err != nil {
			c.malformed.m.Store(v, err)
			err = nil
		}
	}()
	return c.delegate.Unmarshal(data, v)
}

// rpcNote follows one RPC of an OTLP method from TagRPC to its End.
type rpcNote struct {
	sig     signal
	handled atomic.Bool  // the interceptor saw the request (and counted it)
	payload atomic.Value // the request message, once received
}

type rpcNoteKey struct{}

func markHandled(ctx context.Context) {
	if n, ok := ctx.Value(rpcNoteKey{}).(*rpcNote); ok {
		n.handled.Store(true)
	}
}

// grpcStats counts, when they end, the OTLP RPCs that grpc-go refused
// before the interceptor ran (which counts the others): a message over
// MaxRecvMsgSize (RESOURCE_EXHAUSTED), a truncated one, an unknown
// grpc-encoding (UNIMPLEMENTED), a client that canceled.
type grpcStats struct{ r *Receiver }

func (h grpcStats) TagRPC(ctx context.Context, info *stats.RPCTagInfo) context.Context {
	sig, ok := signalOfMethod(info.FullMethodName)
	if !ok {
		return ctx
	}
	return context.WithValue(ctx, rpcNoteKey{}, &rpcNote{sig: sig})
}

func (h grpcStats) HandleRPC(ctx context.Context, s stats.RPCStats) {
	note, ok := ctx.Value(rpcNoteKey{}).(*rpcNote)
	if !ok {
		return
	}
	if in, ok := s.(*stats.InPayload); ok && in.Payload != nil && note.payload.Load() == nil {
		note.payload.Store(in.Payload)
		return
	}
	end, ok := s.(*stats.End)
	if !ok {
		return
	}
	if p := note.payload.Load(); p != nil {
		h.r.malformed.m.Delete(p)
	}
	switch {
	case note.handled.Load():
	case note.sig == signalMetrics:
		h.r.counters.metrics[transportGRPC].Add(1)
	default:
		// Refused by grpc-go before the interceptor: count it here.
		c := h.r.countersOf(note.sig)
		c.requests[transportGRPC].Add(1)
		switch status.Code(end.Error) {
		case codes.ResourceExhausted:
			c.refuse(reasonTooLarge, 0)
		case codes.Unimplemented:
			c.refuse(reasonUnsupportedMedia, 0)
		case codes.Canceled, codes.DeadlineExceeded, codes.Unavailable:
			c.refuse(reasonCanceled, 0)
		default:
			c.refuse(reasonMalformed, 0)
		}
	}
	if h.r.testHookRPCEnd != nil {
		h.r.testHookRPCEnd()
	}
}

func (grpcStats) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }

func (grpcStats) HandleConn(context.Context, stats.ConnStats) {}
