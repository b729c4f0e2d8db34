package otlp

import (
	"fmt"
	"sync"

	grpcencoding "google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
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
