package otlp

import "sync/atomic"

// Stats is a snapshot of a [Receiver]'s counters, all counted since [New].
// It marshals to the JSON served at /api/stats.
//
// Every export request of a supported signal ends in one of two ways: it is
// answered with success (its items then count as stored or rejected), or it
// is refused, and the refusal is counted by reason, in requests always and in
// items when the items were decoded. So for a signal, once no request is in
// flight:
//
//	ReceivedItems == StoredItems + RejectedItems + RefusedItems.Sum()
//
// Requests are counted when they arrive, except those that grpc-go refuses
// before the receiver sees them (too large, undecodable framing, unknown
// grpc-encoding), which are counted when they end.
type Stats struct {
	Traces SignalStats `json:"traces"`
	Logs   SignalStats `json:"logs"`
	// Metrics counts export requests for metrics, a signal the receiver does
	// not accept (see the package documentation).
	Metrics UnsupportedStats `json:"metrics"`
	// HTTPUnrouted counts HTTP requests answered 404 (unknown path) or 405
	// (not POST).
	HTTPUnrouted int64 `json:"http_unrouted_requests"`
	// InFlightItems is how many items are admitted and not yet stored now.
	InFlightItems int64 `json:"in_flight_items"`
	// MaxInFlightItems is the configured bound of InFlightItems.
	MaxInFlightItems int64 `json:"max_in_flight_items"`
	// InFlightBytes is how many bytes the requests being read, decoded or
	// stored hold now (see Config.MaxInFlightBytes).
	InFlightBytes int64 `json:"in_flight_bytes"`
	// MaxInFlightBytes is the configured bound of InFlightBytes.
	MaxInFlightBytes int64 `json:"max_in_flight_bytes"`
	// OpenConnections is how many connections are open now, both
	// transports together.
	OpenConnections int64 `json:"open_connections"`
	// MaxConnections is the configured bound of OpenConnections.
	MaxConnections int64 `json:"max_connections"`
	// RefusedConnections counts connections closed as soon as they were
	// accepted because MaxConnections were open.
	RefusedConnections int64 `json:"refused_connections"`
}

// SignalStats counts one signal (traces: spans; logs: log records).
type SignalStats struct {
	// Requests counts export requests by transport, whatever their outcome.
	Requests Transports `json:"requests"`
	// ReceivedItems counts the items of requests that were decoded, or
	// counted before decoding and then refused (too many items, or too much
	// memory to decode).
	ReceivedItems int64 `json:"received_items"`
	// StoredItems counts the items the sink stored.
	StoredItems int64 `json:"stored_items"`
	// RejectedItems counts the items the sink refused in a partial success.
	RejectedItems int64 `json:"rejected_items"`
	// RefusedItems counts, by reason, the decoded items of refused requests:
	// dropped here, or left to the client to retry.
	RefusedItems Reasons `json:"refused_items"`
	// RefusedRequests counts refused requests by reason, including those
	// whose items were never decoded (too large, malformed, wrong media).
	RefusedRequests Reasons `json:"refused_requests"`
}

// UnsupportedStats counts the requests of a signal that is not accepted.
type UnsupportedStats struct {
	Requests Transports `json:"requests"`
}

// Transports splits a count by transport.
type Transports struct {
	GRPC int64 `json:"grpc"`
	HTTP int64 `json:"http"`
}

// Reasons splits a count of refusals by reason.
type Reasons struct {
	// QueueFull: MaxInFlightItems would have been exceeded (retryable).
	QueueFull int64 `json:"queue_full"`
	// TooLarge: over MaxRequestBytes, raw or decompressed, or more items
	// than MaxInFlightItems in one request (not retryable).
	TooLarge int64 `json:"too_large"`
	// Malformed: the payload, or its gzip stream, could not be decoded.
	Malformed int64 `json:"malformed"`
	// UnsupportedMedia: Content-Type or Content-Encoding not accepted.
	UnsupportedMedia int64 `json:"unsupported_media"`
	// SinkError: the sink failed (or panicked); nothing was stored.
	SinkError int64 `json:"sink_error"`
	// Canceled: the client went away, or the receiver shut down, before the
	// request was read or while it waited for its turn.
	Canceled int64 `json:"canceled"`
	// Memory: MaxInFlightBytes would have been exceeded (retryable). Such
	// requests are refused before they are read, so they have no items.
	Memory int64 `json:"memory"`
	// ForwardQueueFull: the sink's forwarding queue was full (retryable;
	// see [ErrForwardQueueFull]): serve with --forward and
	// --forward-when-full block, while the upstream is away.
	ForwardQueueFull int64 `json:"forward_queue_full"`
}

// Sum returns the total over all reasons.
func (r Reasons) Sum() int64 {
	return r.QueueFull + r.TooLarge + r.Malformed + r.UnsupportedMedia + r.SinkError + r.Canceled + r.Memory + r.ForwardQueueFull
}

// reason is why a request was refused.
type reason int

const (
	reasonQueueFull reason = iota
	reasonTooLarge
	reasonMalformed
	reasonUnsupportedMedia
	reasonSinkError
	reasonCanceled
	reasonMemory
	reasonForwardQueueFull
	numReasons
)

var reasonNames = [numReasons]string{"queue_full", "too_large", "malformed", "unsupported_media", "sink_error", "canceled", "memory", "forward_queue_full"}

func (r reason) String() string {
	if r >= 0 && r < numReasons {
		return reasonNames[r]
	}
	return "unknown"
}

// transport is the protocol a request came in by.
type transport int

const (
	transportGRPC transport = iota
	transportHTTP
	numTransports
)

func (t transport) String() string {
	if t == transportGRPC {
		return "grpc"
	}
	return "http"
}

// signalCounters are the live counters of one signal.
type signalCounters struct {
	requests        [numTransports]atomic.Int64
	received        atomic.Int64
	stored          atomic.Int64
	rejected        atomic.Int64
	refusedItems    [numReasons]atomic.Int64
	refusedRequests [numReasons]atomic.Int64
}

// refuse counts one refused request and its items (0 when not decoded).
// refuseCounted counts a request refused before decoding, whose items were
// counted (items < 0: not counted): they are received and refused.
func (c *signalCounters) refuseCounted(why reason, items int) {
	if items > 0 {
		c.received.Add(int64(items))
	}
	c.refuse(why, items)
}

func (c *signalCounters) refuse(why reason, items int) {
	c.refusedRequests[why].Add(1)
	if items > 0 {
		c.refusedItems[why].Add(int64(items))
	}
}

func (c *signalCounters) snapshot() SignalStats {
	return SignalStats{
		Requests:        Transports{GRPC: c.requests[transportGRPC].Load(), HTTP: c.requests[transportHTTP].Load()},
		ReceivedItems:   c.received.Load(),
		StoredItems:     c.stored.Load(),
		RejectedItems:   c.rejected.Load(),
		RefusedItems:    reasonsOf(&c.refusedItems),
		RefusedRequests: reasonsOf(&c.refusedRequests),
	}
}

func reasonsOf(a *[numReasons]atomic.Int64) Reasons {
	return Reasons{
		QueueFull:        a[reasonQueueFull].Load(),
		TooLarge:         a[reasonTooLarge].Load(),
		Malformed:        a[reasonMalformed].Load(),
		UnsupportedMedia: a[reasonUnsupportedMedia].Load(),
		SinkError:        a[reasonSinkError].Load(),
		Canceled:         a[reasonCanceled].Load(),
		Memory:           a[reasonMemory].Load(),
		ForwardQueueFull: a[reasonForwardQueueFull].Load(),
	}
}

// counters are all of a receiver's counters.
type counters struct {
	traces       signalCounters
	logs         signalCounters
	metrics      [numTransports]atomic.Int64
	httpUnrouted atomic.Int64
}

// Stats returns a snapshot of the receiver's counters. Each counter is read
// atomically; the snapshot as a whole is not, so counters of a request that
// is being answered may disagree by that request.
func (r *Receiver) Stats() Stats {
	return Stats{
		Traces:             r.counters.traces.snapshot(),
		Logs:               r.counters.logs.snapshot(),
		Metrics:            UnsupportedStats{Requests: Transports{GRPC: r.counters.metrics[transportGRPC].Load(), HTTP: r.counters.metrics[transportHTTP].Load()}},
		HTTPUnrouted:       r.counters.httpUnrouted.Load(),
		InFlightItems:      r.admission.inFlight(),
		MaxInFlightItems:   r.admission.max,
		InFlightBytes:      r.admission.inFlightBytes(),
		MaxInFlightBytes:   r.admission.maxBytes,
		OpenConnections:    r.conns.Open(),
		MaxConnections:     r.conns.Max(),
		RefusedConnections: r.conns.Refused(),
	}
}
