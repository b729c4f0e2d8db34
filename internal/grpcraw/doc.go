// Package grpcraw carries protobuf messages that are already serialized
// through grpc-go: a codec ([Codec], for [google.golang.org/grpc.ForceCodecV2])
// that sends a [Message]'s bytes as they are and receives a response's
// bytes undecoded, so that a caller that encodes OTLP itself (the forward
// queue, telemetry's otlpgrpcenc) calls ClientConn.Invoke without
// generated structs and without a second encoding.
//
// A [Lender] is for a caller that reuses its buffers: grpc-go may still
// reference the request's bytes after Invoke returns (its transport writes
// them from its own goroutine, and an answer or a cancellation can end the
// call before that), so a Lender hands them over as a reference-counted
// buffer and learns through its [mem.BufferPool] when grpc-go has let the
// last reference go.
package grpcraw
