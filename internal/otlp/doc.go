// Package otlp is the OTLP receiver of `sightline serve`: OTLP/gRPC and
// OTLP/HTTP servers that accept traces and logs, bound the memory that
// requests hold, push back on clients when the store falls behind, and count
// every item they receive, store, or refuse.
//
// # What is served
//
// OTLP/gRPC (default 127.0.0.1:4317): the TraceService and LogsService
// Export methods, registered through pdata's ptraceotlp and plogotlp
// helpers; gzip-compressed messages are accepted; the maximum message size
// is Config.MaxRequestBytes (after decompression). The MetricsService is
// registered too and answers UNIMPLEMENTED (see Spec decisions).
//
// OTLP/HTTP (default 127.0.0.1:4318): POST /v1/traces and /v1/logs, with
// Content-Type application/x-protobuf or application/json, and
// Content-Encoding gzip or none. The response, success or error, is in the
// request's encoding. POST /v1/metrics answers 501.
//
// Both default addresses are loopback. The receiver listens on every
// interface only when the address says so ("0.0.0.0:4317", "[::]:4318"); an
// address without a host (":4317") is refused by [Config.Validate] rather
// than widened silently.
//
// # Limits and backpressure
//
// Every limit refuses with a message that names the value and the limit,
// and is counted (see Counting). Process-wide, across both transports:
//
//   - Config.MaxRequestBytes (16 MiB) caps an HTTP body as sent and after
//     decompression: the gzip reader is itself limited, so a small body that
//     inflates past the cap (a gzip bomb) is stopped at the cap plus one byte.
//     A Content-Length over the cap is refused before reading. grpc-go caps a
//     gRPC message the same way (MaxRecvMsgSize).
//   - Config.MaxInFlightBytes (256 MiB) caps the memory of the requests
//     being read, decoded or stored. An HTTP request reserves its
//     Content-Length (MaxRequestBytes when the body is gzipped or chunked)
//     before its body is read; a gRPC request reserves MaxRequestBytes when
//     its headers arrive, before grpc-go reads the message (grpc.InTapHandle,
//     see grpctap.go). Once read, and before it is decoded, one pass over
//     its bytes that allocates nothing counts its items and estimates what
//     pdata will allocate to decode it (cost.go: small fields decode into a
//     hundred times their size, so the size alone bounds nothing), and the
//     request reserves that cost, which it holds until the sink returns. A
//     request that does not fit is refused at once and retryably (429 /
//     RESOURCE_EXHAUSTED with a retry delay), counted as memory; one that
//     could never fit, or that carries more items than MaxInFlightItems, is
//     refused as too large without being decoded.
//   - Config.MaxInFlightItems (100,000) caps the spans and log records of
//     requests decoded, admitted and not yet stored by the [Sink]. A request
//     that would go over it is refused at once, retryably: the receiver never
//     queues beyond it. When the cap is reached, an HTTP request is refused
//     before its body is even read. A request with more items than the cap
//     on its own is refused as too large (it could never be admitted).
//   - Nesting: pdata's protobuf decoder refuses values that nest more than
//     100 messages (its proto.RecursionLimit). A JSON body is first checked,
//     in one pass that allocates nothing, to nest at most jsondepth.OTLP
//     (160) levels of objects and arrays, the depth of the deepest request
//     the protobuf decoder accepts, so that pdata's recursive JSON decoder
//     never sees a deeper one. Both are refused as malformed (400 /
//     INVALID_ARGUMENT), naming the limit.
//   - At most 2*GOMAXPROCS+2 HTTP bodies are decoded at once; other
//     requests wait for a slot, as long as their context lives. Bodies being
//     read hold bytes, not slots, so clients that send slowly cannot stop
//     others from being served. A body, or a gRPC message after its
//     headers, must arrive within a minute; a gRPC stream whose message does
//     not is canceled (counted as canceled), so that a stalled client holds
//     its reserved bytes no longer. What a refused request left of its body
//     is read for at most 5 s, then the connection is closed.
//   - At most 32 gRPC RPCs run at once per connection.
//   - Config.MaxConnections (1024) caps the connections open at once over
//     both listeners; one past it is closed as soon as it is accepted
//     (Stats.RefusedConnections). A connection that has not sent its
//     request headers or HTTP/2 preface within 10 s, or is idle for two
//     minutes, is closed.
//
// So the memory requests hold is bounded by MaxInFlightBytes, times what
// decoding adds to the bytes: with 64 clients sending a 15 MB span at once,
// serve's peak RSS measured 358-496 MiB over gRPC and 262-390 MiB over HTTP
// with the defaults; the bound stated and tested is 100 MiB + 2 x
// MaxInFlightBytes (docs/security.md).
//
// # Answers
//
//	situation                             HTTP                     gRPC                          retry
//	stored (all, or partly: partial)      200 Export*Response      OK Export*Response            -
//	malformed payload or gzip stream,     400 Status+BadRequest    INVALID_ARGUMENT+BadRequest   no
//	or nested deeper than the limit
//	unknown path                          404 Status               (grpc-go: UNIMPLEMENTED)      no
//	method other than POST                405 Status, Allow: POST  -                             no
//	body over MaxRequestBytes             413 Status               RESOURCE_EXHAUSTED (grpc-go)  no
//	more items than MaxInFlightItems      413 Status               RESOURCE_EXHAUSTED            no
//	Content-Type / Content-Encoding       415 Status               (grpc-go: UNIMPLEMENTED)      no
//	MaxInFlightItems would be exceeded    429 Status, Retry-After  RESOURCE_EXHAUSTED+RetryInfo  yes
//	MaxInFlightBytes would be exceeded    429 Status, Retry-After  RESOURCE_EXHAUSTED+RetryInfo  yes
//	sink's forward queue full             429 Status, Retry-After  RESOURCE_EXHAUSTED+RetryInfo  yes
//	(the sink returned ErrForwardQueueFull)
//	sink panicked                         500 Status               INTERNAL                      no
//	metrics (unsupported signal)          501 Status               UNIMPLEMENTED                 no
//	sink error, closing, client canceled  503 Status, Retry-After  UNAVAILABLE+RetryInfo         yes
//
// Status is a google.rpc.Status whose message names what was wrong, for
// example "decode traces protobuf: ...", "decode traces JSON: JSON nests
// deeper than the limit of 160 levels (level 161 opens at byte 208)" or
// "body is 20 MiB, over the 16 MiB limit"; its code is the gRPC code of the
// same row. A gRPC request refused for memory is refused by the tap, before
// its message is read: grpc-go sends the status, RetryInfo included, and
// resets the stream. Retry-After is
// Config.RetryAfter rounded up to whole seconds; RetryInfo carries it
// exactly. A partial success sets partial_success.rejected_spans (or
// rejected_log_records) and error_message from what the sink returned.
//
// # Spec decisions
//
// The OTLP specification (opentelemetry-proto, docs/specification.md) is
// followed in these sections:
//
//   - "OTLP/gRPC Request" and "OTLP/HTTP Request": the server MUST limit the
//     request size, after decompression too; 413 over HTTP, RESOURCE_EXHAUSTED
//     over gRPC, both not retryable. The default is 16 MiB (the spec
//     recommends 20 MiB for HTTP and accepts 4 MiB for gRPC).
//   - Protocol Details: servers MUST support gzip and none.
//   - "Full Success" and "Partial Success" (both transports): 200 / OK with
//     Export*ServiceResponse; partial_success unset on full success, set with
//     the rejected count and an English error_message otherwise; an empty
//     request is a success.
//   - "Failures" (OTLP/gRPC Response): UNAVAILABLE with RetryInfo for
//     retryable errors, INVALID_ARGUMENT with BadRequest for bad data; the
//     retryability table decides the rest (INTERNAL, UNIMPLEMENTED: no).
//   - "OTLP/gRPC Throttling": RESOURCE_EXHAUSTED is retryable only with a
//     RetryInfo, so a full queue sends RetryInfo and an oversized request
//     does not.
//   - "Failures" (OTLP/HTTP Response): every 4xx/5xx body is a Status in the
//     request's encoding; "Retryable Response Codes": 429 and 503 are
//     retried, 400, 413, 415, 500, 501 are not; "Bad Data": 400 with
//     BadRequest; "OTLP/HTTP Throttling": 429 or 503 with Retry-After.
//   - "OTLP/HTTP Connection": protobuf and JSON on the same port, chosen by
//     Content-Type.
//
// The specification does not say what a server answers for a signal it does
// not support. sightline stores no metrics, so it answers metrics exports
// with a permanent, explicit error rather than a partial success that would
// hide the loss or a 404 that looks like a wrong URL: gRPC UNIMPLEMENTED
// (what grpc-go itself answers for an unregistered service, and not
// retryable per the "Failures" table) and, for HTTP, 501 Not Implemented,
// the HTTP mapping of UNIMPLEMENTED, which is outside "Retryable Response
// Codes"; both with a message saying to stop sending metrics. Such requests
// are counted in [Stats].Metrics.
//
// # Counting
//
// [Receiver.Stats] returns counters per signal: requests by transport, items
// received, stored and rejected, and refusals by reason (queue_full,
// too_large, malformed, unsupported_media, sink_error, canceled, memory,
// forward_queue_full), in
// requests and, when the request was decoded, in items. Nothing is dropped
// without being counted: refusals that grpc-go answers itself are counted by
// a gRPC stats handler.
//
// # Example
//
//	rcv, err := otlp.New(otlp.DefaultConfig(), store, otlp.WithLogger(logger))
//	if err != nil {
//		return err
//	}
//	if err := rcv.Start(ctx); err != nil {
//		return err // names the address that could not be bound
//	}
//	grpcAddr, httpAddr := rcv.Addrs()
//	logger.Info("receiving OTLP", "grpc", grpcAddr, "http", httpAddr)
//	<-ctx.Done()
//	stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
//	defer cancel()
//	return rcv.Shutdown(stop)
package otlp
