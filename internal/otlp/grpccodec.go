package otlp

import (
	"fmt"
	"reflect"
	"sync"

	grpcencoding "google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
)

// grpc-go decodes a request before any interceptor runs and answers a
// decoding failure itself with INTERNAL, which the OTLP client table reads
// as not retryable but which names no bad data. The server codec below
// decodes OTLP requests itself, in three steps:
//
//  1. it walks the message once without decoding it (cost.go) to count its
//     items and estimate what decoding will allocate, and reserves that
//     estimate of MaxInFlightBytes: a request that could never be admitted,
//     or does not fit now, or is malformed or nested too deep, is not
//     decoded at all;
//  2. it decodes the rest with pdata;
//  3. it files the outcome under the request message: the refusal to answer
//     (INVALID_ARGUMENT for bad data, per spec: OTLP/gRPC Response,
//     Failures; RESOURCE_EXHAUSTED for memory), and the reservation.
//
// It then reports success to grpc-go, so that the interceptor runs: it takes
// the outcome back out, refuses the request or handles it, and releases the
// reservation once the handler (and so the sink) has returned. The stats
// handler releases and forgets, when the RPC ends, an outcome that the
// interceptor never took (a client that sent a second message on the unary
// call makes grpc-go fail the RPC before the interceptor runs). Metrics and
// profiles requests are not decoded at all: they are answered UNIMPLEMENTED.

// otlpMessage is implemented by pdata's OTLP request messages.
type otlpMessage interface {
	UnmarshalProto([]byte) error
}

// decodeOutcome is what decoding one OTLP request came to.
type decodeOutcome struct {
	refusal *exportError // nil when the request was decoded
	items   int          // counted before decoding; -1 when not counted
	// need is what the decoded request holds of MaxInFlightBytes (its cost);
	// res the part of it the codec reserved beyond the tap's reservation
	// (see Unmarshal), which the tap's shrinks to the rest once the message
	// is read.
	need int64
	res  *reservation
}

// peek returns the outcome of msg without taking it; nil if there is none.
func (d *decodedRequests) peek(msg any) *decodeOutcome {
	v, _ := d.m.Load(msg)
	o, _ := v.(*decodeOutcome)
	return o
}

// decodedRequests maps a request message to its decodeOutcome, from the
// codec to the interceptor (or the stats handler).
type decodedRequests struct{ m sync.Map }

// put files o under msg. grpc-go decodes a second message of a unary call
// into the same msg before it fails the call: the outcome it replaces gives
// its bytes back.
func (d *decodedRequests) put(msg any, o *decodeOutcome) {
	if old, loaded := d.m.Swap(msg, o); loaded {
		if prev, ok := old.(*decodeOutcome); ok {
			prev.res.release()
		}
	}
}

// take returns and forgets the outcome of msg; nil if there is none.
func (d *decodedRequests) take(msg any) *decodeOutcome {
	v, ok := d.m.LoadAndDelete(msg)
	if !ok {
		return nil
	}
	o, _ := v.(*decodeOutcome)
	return o
}

// signalOfRequest tells which OTLP request v is. pdata's gRPC services
// decode into its internal request types, which cannot be named outside
// pdata; their type names are pinned by TestSignalOfRequest.
func signalOfRequest(v any) (signal, bool) {
	switch reflect.TypeOf(v).String() {
	case "*internal.ExportTraceServiceRequest":
		return signalTraces, true
	case "*internal.ExportLogsServiceRequest":
		return signalLogs, true
	}
	return signalMetrics, false
}

// grpcCodec wraps the registered "proto" codec (pdata's, for OTLP messages).
type grpcCodec struct {
	delegate grpcencoding.CodecV2
	r        *Receiver
}

func (c *grpcCodec) Name() string { return c.delegate.Name() }

func (c *grpcCodec) Marshal(v any) (mem.BufferSlice, error) { return c.delegate.Marshal(v) }

// Unmarshal decodes OTLP trace and logs requests as described above and
// other messages with the delegate.
func (c *grpcCodec) Unmarshal(data mem.BufferSlice, v any) error {
	msg, ok := v.(otlpMessage)
	if !ok {
		return c.delegate.Unmarshal(data, v)
	}
	sig, ok := signalOfRequest(v)
	if !ok {
		return nil // metrics, profiles: refused without being decoded
	}
	buf := data.MaterializeToBuffer(mem.DefaultBufferPool())
	defer buf.Free() // pdata copies what it keeps
	raw := buf.ReadOnlyData()
	out := &decodeOutcome{items: -1}
	defer c.r.decoded.put(v, out)
	cst, err := protoCost(raw, sig)
	if err != nil {
		out.refusal = decodeFailure(sig, encodingProto, err)
		return nil
	}
	out.items = cst.items
	// The tap reserved MaxRequestBytes for this message (every OTLP RPC
	// comes through it); decoding needs the message's bytes, twice while
	// grpc-go's buffers and their contiguous copy both live, and its cost,
	// and reserves only what the tap's reservation does not cover. Once the
	// message is read the stats handler shrinks the tap's reservation, so
	// that the two together hold the cost (need) until the RPC ends.
	out.need = cst.bytes
	resident := int64(len(raw))
	if len(data) > 1 {
		resident *= 2
	}
	if out.res, out.refusal = c.r.admitCost(cst, sig, resident, c.r.cfg.MaxRequestBytes); out.refusal != nil {
		return nil
	}
	if err := decodeProto(msg, raw); err != nil {
		out.refusal = decodeFailure(sig, encodingProto, err)
	}
	return nil
}

// decodeProto unmarshals raw into msg; a panic of the decoder is an error.
func decodeProto(msg otlpMessage, raw []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("decoder panicked: %v", p)
		}
	}()
	return msg.UnmarshalProto(raw)
}
