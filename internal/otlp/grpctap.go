package otlp

import (
	"context"
	"errors"
	"time"

	"google.golang.org/grpc/tap"
)

// The gRPC side of MaxInFlightBytes.
//
// grpc-go reads a whole message, decompresses and decodes it before any
// interceptor or handler runs, and the stats handler hears of it
// (InPayload) only then: reserving there would come after the memory is
// spent. The tap handle (grpc.InTapHandle) is the one hook that runs when a
// stream's headers arrive, before its message is read, so bytes are
// reserved there: MaxRequestBytes, as the message's size is not known yet.
// When they do not fit, the tap refuses the stream with RESOURCE_EXHAUSTED
// and a RetryInfo; grpc-go sends that status, details included, as the
// stream's trailers (transport: writeEarlyAbort) and resets the stream, so
// the client stops sending the message. Such streams never reach the stats
// handler, so the tap counts them.
//
// The reservation rides in the stream's context, which grpc-go passes to
// the stats handler's TagRPC: InPayload shrinks it to the message's size
// after decompression, End releases it once the handler, and so the sink,
// has returned. A stream that grpc-go drops between the tap and TagRPC
// (its deadline already passed) never ends there: a context.AfterFunc
// releases its bytes when the stream's context ends, unless TagRPC took the
// reservation over first.
//
// A client that sends headers and then its message slowly, or never, would
// hold MaxRequestBytes all along: the tap gives the stream's context a
// cause-carrying cancel that fires bodyReadTimeout after the headers unless
// the message has been read by then (as HTTP bodies have a read deadline).
// grpc-go's stream reads wait on that context, so the RPC then ends
// (CANCELLED, counted as canceled) and its bytes are released.

// tap reserves the bytes of an OTLP RPC, or refuses it. grpc-go calls it
// on the connection's reading goroutine, with a transport lock held: it
// must not block, and does not.
func (r *Receiver) tap(ctx context.Context, info *tap.Info) (context.Context, error) {
	sig, ok := signalOfMethod(info.FullMethodName)
	if !ok {
		return ctx, nil // grpc-go answers UNIMPLEMENTED without reading it
	}
	res, rerr := r.reserveBytes(r.cfg.MaxRequestBytes)
	if rerr != nil {
		if sig == signalMetrics {
			r.counters.metrics[transportGRPC].Add(1)
		} else {
			c := r.countersOf(sig)
			c.requests[transportGRPC].Add(1)
			c.refuse(rerr.why, 0)
		}
		return ctx, r.grpcErr(rerr)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	note := &rpcNote{sig: sig, res: res, cancel: cancel}
	note.readTimer = time.AfterFunc(r.readTimeout, func() { cancel(errMessageTimeout) })
	note.stopRelease = context.AfterFunc(ctx, func() {
		if !note.tagged.Load() {
			note.readTimer.Stop()
			res.release()
		}
	})
	return context.WithValue(ctx, rpcNoteKey{}, note), nil
}

// errMessageTimeout is the cause of a stream canceled because its message
// did not arrive within bodyReadTimeout.
var errMessageTimeout = errors.New("otlp: the gRPC message did not arrive within the read timeout")
