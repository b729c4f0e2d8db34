// Package forward is the durable forwarding queue of `sightline serve
// --forward URL`: every OTLP request serve acknowledges to an emitter
// (traces, and logs, which carry in-flight span announcements) is queued on
// disk first and then forwarded, at least once, to an upstream
// OpenTelemetry pipeline (an OpenTelemetry Collector gateway, Tempo,
// Jaeger, another sightline serve), across upstream outages of any length
// and restarts or kills of sightline itself.
//
// A [Forwarder] is made by [New] from a [Config] (plain data from flags:
// [DefaultConfig], [Config.Validate]). A receiver calls [Forwarder.Append]
// (or AppendTraces, AppendLogs) for each request before it answers;
// [Forwarder.Start] starts the one goroutine that forwards, and
// [Forwarder.Shutdown] stops it and closes the queue. [Forwarder.Stats] is
// JSON-ready for /api/stats.
//
// # The queue
//
// The queue is a log of segment files in Config.Dir with a cursor file
// (FORMAT.md has the bytes). Append writes a record (length, signal,
// append time, CRC-32C, then the request's protobuf bytes as received) in
// one write call and returns: the record is then in the operating system's
// hands and survives the process being killed (kill -9, OOM), so the
// request may be acknowledged. With Config.Fsync it also waits for the
// disk, so that it survives a power loss; concurrent appends share fsyncs.
// Open (in New) checks every record's length and CRC: a torn tail left by
// a crash in the middle of an append is cut off (Stats.TruncatedBytes),
// and a damaged record elsewhere ends its segment: the rest of that
// segment is skipped and counted (Stats.CorruptBytes). Nothing in a
// damaged file makes it panic or allocate more than the file's size.
//
// # Bound
//
// The queue's files are bounded by Config.MaxBytes. When an append would
// pass it, Config.WhenFull decides: [Block] (the default) refuses the
// append with [ErrFull], and serve answers its sender 429 /
// RESOURCE_EXHAUSTED, so nothing acknowledged is ever dropped, but senders
// back up once an outage has lasted long enough to fill the queue;
// [DropOldest] deletes whole oldest segments not yet forwarded to make
// room, counting their records (Stats.Dropped.Full), so the newest data
// is kept and senders are never held back, at the cost of the oldest
// data, already acknowledged.
//
// # Forwarding
//
// The forwarding goroutine reads the log in order from the cursor.
// Consecutive records of one signal are sent as one request, up to
// Config.BatchBytes: concatenated serialized Export*ServiceRequest
// messages are one valid message whose resource_spans (resource_logs) are
// the union, so nothing is decoded. The upstream is OTLP/gRPC
// (grpc://, grpcs://; the bytes go out as they are through a pass-through
// codec) or OTLP/HTTP protobuf (http://, https://, through internal/otlphttp),
// gzipped by default, with the configured headers (never shown). It waits
// for appends on a channel, without polling.
//
// Failures are retried as the OTLP specification's exporter rules say,
// forever (the queue holds the data; that is its point), with exponential
// backoff and ±20% jitter (Config.BackoffInitial doubling up to
// Config.BackoffMax): HTTP 429, 502, 503, 504 and connection failures,
// honouring Retry-After; gRPC UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED,
// OUT_OF_RANGE, DATA_LOSS, CANCELLED, and RESOURCE_EXHAUSTED only when the
// status carries a google.rpc.RetryInfo, whose retry delay is then waited.
// A batch the upstream refuses for good (HTTP 400, 401, 403, 404, 413,
// 500...; gRPC INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED,
// RESOURCE_EXHAUSTED without RetryInfo...) is dropped and counted
// (Stats.Dropped.Rejected, Stats.LastError) and the cursor moves on: it
// would be refused again. What a partial success refuses is counted
// (Stats.UpstreamRejectedSpans, UpstreamRejectedLogs) and not retried.
//
// Once the upstream accepted (or refused) a batch the cursor moves past
// it, and segments wholly before the cursor are deleted. The cursor file
// is rewritten (atomically: a temporary file renamed over it) at most
// every 100 ms while batches flow, whenever the queue is empty, and at
// Shutdown. Delivery is at least once: after a crash, forwarding resumes
// at the saved cursor, and what was sent after it is sent again (an
// upstream sightline serve keeps a span once; other backends may show a
// duplicate).
//
// With Config.Sampling (sampled.go), the forwarder reads ahead of the
// cursor: trace batches are decoded into a sampling.Buffer and only the
// traces its policies keep are sent, each once complete; log batches are
// sent as they are, their heartbeats holding their traces back. The
// cursor moves past a batch only once every trace with spans in it is
// decided (and sent when kept), so undecided traces are read again after
// a restart.
package forward
