package forward

import "time"

// Stats are a [Forwarder]'s counters and state, JSON-ready (`sightline
// serve` shows them at /api/stats). Counters count since New; the queue's
// sizes are as of now.
type Stats struct {
	// Upstream is the upstream URL without credentials (no userinfo; the
	// headers are never shown).
	Upstream string `json:"upstream"`
	// State is what the forwarder does now: "not_started", "idle" (all
	// forwarded, waiting for appends), "sending", "backing_off" (waiting
	// to retry, until BackoffUntilUnixNano) or "stopped".
	State string `json:"state"`
	// Connected says the last attempt got an answer from the upstream
	// (success or refusal); false before any attempt and while it cannot
	// be reached.
	Connected bool `json:"connected"`
	// BackoffUntilUnixNano is when the next attempt is due while
	// backing off; 0 otherwise.
	BackoffUntilUnixNano int64 `json:"backoff_until_unix_nano"`

	// QueueBytes is what the queue's segment files take on disk, the size
	// Config.MaxBytes bounds; MaxBytes is that bound.
	QueueBytes int64 `json:"queue_bytes"`
	MaxBytes   int64 `json:"max_bytes"`
	// QueueRecords and QueuePayloadBytes are the requests appended and not
	// yet forwarded (nor dropped), and their OTLP bytes.
	QueueRecords      int64 `json:"queue_records"`
	QueuePayloadBytes int64 `json:"queue_payload_bytes"`
	// Segments is the number of segment files.
	Segments int `json:"segments"`
	// OldestUnixNano is when the oldest request not yet forwarded was
	// appended, and Lag how long ago that is; both 0 when everything was
	// forwarded.
	OldestUnixNano int64         `json:"oldest_unix_nano"`
	Lag            time.Duration `json:"lag_ns"`

	// ForwardedRequests counts the requests sent upstream and accepted,
	// ForwardedRecords the appended requests they held (consecutive ones
	// of a signal are sent together), ForwardedBytes their OTLP bytes
	// (before compression).
	ForwardedRequests int64 `json:"forwarded_requests"`
	ForwardedRecords  int64 `json:"forwarded_records"`
	ForwardedBytes    int64 `json:"forwarded_bytes"`
	// Retries counts attempts that failed and were retried.
	Retries int64 `json:"retries"`
	// Dropped counts what was given up, by reason.
	Dropped Dropped `json:"dropped"`
	// UpstreamRejectedSpans and UpstreamRejectedLogs are what the upstream
	// refused in partial success answers (not retried).
	UpstreamRejectedSpans int64 `json:"upstream_rejected_spans"`
	UpstreamRejectedLogs  int64 `json:"upstream_rejected_logs"`
	// TruncatedBytes are the torn tails (an append cut short by a crash)
	// cut off the last segment when the queue was opened; CorruptBytes
	// the other damaged parts of segments skipped, at open or when read.
	TruncatedBytes int64 `json:"truncated_bytes"`
	CorruptBytes   int64 `json:"corrupt_bytes"`
	// LastError is the last failure (a send, a read of the queue, or what
	// opening the queue repaired), and LastErrorUnixNano when it
	// happened; "" and 0 when there was none.
	LastError         string `json:"last_error"`
	LastErrorUnixNano int64  `json:"last_error_unix_nano"`
	// Sampling is the sampling's state and counters; nil when
	// Config.Sampling is not set. Then ForwardedRecords counts the
	// records whose traces were all decided (and the kept ones sent).
	Sampling *SamplingStats `json:"sampling,omitempty"`
}

// Dropped counts what was given up, by reason.
type Dropped struct {
	// Full: whole oldest segments deleted to make room (WhenFull
	// drop-oldest).
	Full Count `json:"full"`
	// Rejected: batches the upstream refused with a non-retryable answer
	// (HTTP 400, gRPC INVALID_ARGUMENT...).
	Rejected Count `json:"rejected"`
}

// Count is a number of records (appended OTLP requests, not spans) and
// their OTLP bytes.
type Count struct {
	Records int64 `json:"records"`
	Bytes   int64 `json:"bytes"`
}

// stats fills in the queue's part of st.
func (q *queue) stats(st *Stats, now time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	st.QueueBytes = q.disk
	st.MaxBytes = q.opts.maxBytes
	st.QueueRecords = q.pendingRecords
	st.QueuePayloadBytes = q.pendingPayload
	st.Segments = len(q.segs)
	if !q.closed {
		st.OldestUnixNano = q.headUnixNano()
	}
	if st.OldestUnixNano != 0 {
		st.Lag = max(now.Sub(time.Unix(0, st.OldestUnixNano)), 0)
	}
	st.Dropped.Full = q.droppedFull
	st.TruncatedBytes = q.truncatedBytes
	st.CorruptBytes = q.corruptBytes
}
