package otlp

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Sink is where a [Receiver] stores what it receives: the store.
//
// Each method returns once the data is durably stored, or fails. rejected
// counts the items (spans, log records) that were refused while the rest was
// stored, and message says why; the receiver answers them as an OTLP partial
// success. A non-nil err means nothing was stored; the receiver answers with
// a retryable error (gRPC UNAVAILABLE, HTTP 503, both asking to retry after
// Config.RetryAfter), so a sink that is closing or overloaded just returns an
// error. An err that wraps [ErrForwardQueueFull] is answered as a full
// receiver is: 429 / RESOURCE_EXHAUSTED with the retry delay.
//
// ctx ends when the client gives up or the receiver is forced to stop; a
// sink must then return promptly, or [Receiver.Shutdown] waits for it (at
// most a few seconds). The data must not be used after the method returns.
// Methods are called concurrently.
type Sink interface {
	AppendTraces(ctx context.Context, td ptrace.Traces) (rejected int, message string, err error)
	AppendLogs(ctx context.Context, ld plog.Logs) (rejected int, message string, err error)
}

// ErrForwardQueueFull is what a [Sink] returns (wrapped, with a message
// that says which queue and what to do) when it queues what it receives
// for forwarding before storing it, and that queue is full: serve with
// --forward and --forward-when-full block. Nothing was stored. The
// receiver answers 429 / RESOURCE_EXHAUSTED with a retry delay
// (Retry-After, RetryInfo), so the sender keeps the data and retries, and
// counts the request as forward_queue_full ([Reasons].ForwardQueueFull).
var ErrForwardQueueFull = errors.New("forward queue full")
