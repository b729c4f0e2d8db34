// Package sampling decides which whole traces a sightline agent forwards
// upstream (`sightline serve --forward` with a "sampling" section in its
// config file): the policies, their order, the consistent probability
// decision by trace id, the per-service rate limits and the counters of
// each policy. The local store keeps everything regardless; sampling only
// chooses what leaves the host.
//
// # Policies
//
// A [Config] lists policies, tried in order for each complete trace; the
// first that decides, decides (as firewall rules do), and a trace no
// policy decides is kept (forward everything by default):
//
//   - "error": keep a trace with a span whose status is error.
//   - "latency": keep a trace whose duration (its earliest start to its
//     latest end) is at least threshold.
//   - "attribute": keep a trace with a span, or a span's resource, whose
//     attribute key has one of values (compared as text: "12" matches the
//     integer 12), for example a beamline or a plan name.
//   - "rate_limit": drop a trace once its root service has had
//     spans_per_second spans kept in the last second (a token bucket per
//     service, burst one second); under the limit the next policy decides.
//     Budget is taken only by traces finally kept.
//   - "probabilistic": keep percentage percent of traces, by trace id,
//     the same way on every host.
//
// # Consistent across hosts
//
// Two agents holding parts of one trace must keep or drop it alike without
// talking to each other. The probabilistic policy therefore uses
// OpenTelemetry's consistent probability sampling (the TraceState
// probability sampling specification): the randomness R is the explicit
// `rv` of the `ot` entry of the root span's W3C tracestate when present,
// else the trace id's last 7 bytes (56 bits, random under W3C Trace
// Context level 2); the rejection threshold is T = (1 - p) x 2^56, and a
// trace is kept when R >= T. Every agent computes the same R and T, so the
// same decision. The other policies are consistent only when each agent
// sees what they look at: an error span held by one host makes that host
// keep its part, not the other's. Facilities that need whole-trace tail
// decisions across hosts make them at their Collector gateway, behind a
// load balancer routing by trace id (docs/scaling.md).
package sampling
