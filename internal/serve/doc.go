// Package serve is what `sightline serve` and `sightline demo` start: the
// OTLP receivers (internal/otlp, gRPC and HTTP), the store they write into
// (internal/store, one SQLite file in the data directory; the receivers'
// log records that announce in-flight spans, the partial-span heartbeat
// convention of docs/api.md, are routed there as open and finished spans,
// not stored as log records, and spans not heard from are marked lost by
// the store's own goroutine), the query API
// and viewer over it (internal/web, on the UI address, with the counters
// of both at GET /api/stats), a line of counters per interval, and the
// server's own telemetry (a telemetry component named sightline-serve,
// configured from the environment: off unless enabled, its receiver spans
// of the kernel topic).
//
// With Config.ForwardURL (--forward), every request is also queued on
// disk for forwarding (internal/forward, in <data>/forward) before it is
// stored, and acknowledged only once both are done; the forwarder sends
// the queue upstream at least once. A request that does not fit in a full
// queue under the block policy is refused with otlp.ErrForwardQueueFull:
// 429 / RESOURCE_EXHAUSTED with a retry delay, counted as
// forward_queue_full. /api/stats then has a "forward" object
// ([ForwardStats]; null without forwarding).
//
// A [Config] holds the settings, one field per flag of `sightline serve`
// (its documentation names the flag), with [DefaultConfig] and
// [Config.Validate]; cmd/sightline only parses flags into it. [New] builds
// a [Server] from it; [Server.Start] and [Server.Shutdown] run it, or
// [Server.Run] does both around a context. Nothing here touches
// process-wide state: the command sets the Go memory limit
// ([Config.MemoryLimit]) and installs the telemetry globals.
//
// # Output
//
// With [WithOutput], the server writes lines that scripts may parse, each
// beginning with [LinePrefix]. Once everything listens:
//
//	sightline serve: otlp grpc 127.0.0.1:4317     ("off" when disabled)
//	sightline serve: otlp http 127.0.0.1:4318
//	sightline serve: ui http://127.0.0.1:8760
//	sightline serve: forward grpc://gw:4317 (queue 2GiB at /home/me/.local/share/sightline/forward, when full: block)
//	sightline serve: data /home/me/.local/share/sightline/sightline.db
//
// (the forward line only when forwarding; data comes last), then, each
// Config.StatsInterval in which a counter grew, one line with what was
// received, stored, rejected and refused (by reason), what was forwarded,
// retried and dropped with the queue and its lag, the spans in flight
// (open, lost) and announcements received, and what the store's limits
// cut; at Shutdown, "stopping", a last counters line
// for what grew since the previous one (so nothing received goes
// unreported), and "stopped". The rare warnings of the parts (a failed
// retention pass, a forced shutdown) are log/slog text lines.
//
// # Stopping
//
// Shutdown stops the receivers from accepting first, lets the requests
// they admitted be stored and acknowledged, then stops the query API,
// commits the store's queue and closes it, stops the forwarder (what it
// did not send stays queued for the next start), and flushes the server's
// telemetry: a sender that got 200 / OK has its data on disk (and, with
// Config.Fsync, through a power loss), in the store and, when forwarding,
// in the forward queue.
package serve
