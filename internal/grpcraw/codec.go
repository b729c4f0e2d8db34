package grpcraw

import (
	"fmt"

	"google.golang.org/grpc/mem"
)

// Message is a protobuf message already serialized. As a request it is
// sent as it is; as a response it receives the answer's bytes, copied.
type Message []byte

// Lender is a request whose bytes grpc-go borrows: Lend is called once per
// attempt to send it and returns the bytes as buffers that the Lender gets
// back through its mem.BufferPool's Put once grpc-go no longer references
// them (mem.NewBuffer). A Lender should not reuse the bytes before every
// loan is returned. A loan that grpc-go never returns (an error between
// marshalling and sending) leaves the bytes to the garbage collector.
type Lender interface {
	Lend() mem.BufferSlice
}

// Codec passes serialized messages through: it marshals a *Message or a
// Lender and unmarshals into a *Message. What it carries is protobuf, so
// its calls are sent as grpc-go's default codec sends them, with the
// content type application/grpc (the SDK's OTLP exporters do too).
type Codec struct{}

// Name is empty: a forced codec's name becomes the calls' content subtype
// (application/grpc+name), and none means protobuf.
func (Codec) Name() string { return "" }

// Marshal returns the bytes of v, a *Message or a Lender, without copying.
func (Codec) Marshal(v any) (mem.BufferSlice, error) {
	switch m := v.(type) {
	case *Message:
		return mem.BufferSlice{mem.SliceBuffer(*m)}, nil
	case Lender:
		return m.Lend(), nil
	}
	return nil, fmt.Errorf("grpcraw: cannot marshal %T: want *grpcraw.Message or a grpcraw.Lender", v)
}

// Unmarshal copies data into v, a *Message. An empty answer leaves an
// empty Message and allocates nothing.
func (Codec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(*Message)
	if !ok {
		return fmt.Errorf("grpcraw: cannot unmarshal into %T: want *grpcraw.Message", v)
	}
	if data.Len() == 0 {
		*m = (*m)[:0]
		return nil
	}
	*m = data.Materialize()
	return nil
}
