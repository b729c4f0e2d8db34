package otlp

import (
	"context"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
)

// rpcNote follows one RPC of an OTLP method from the tap (or TagRPC) to its
// End.
type rpcNote struct {
	sig     signal
	handled atomic.Bool  // the interceptor saw the request (and counted it)
	payload atomic.Value // the request message, once received
	// res is the request's share of MaxInFlightBytes, reserved by the tap;
	// nil when the RPC did not come through the tap.
	res *reservation
	// tagged is set when TagRPC took the note over from the tap: End is
	// then sure to come, and releases res.
	tagged atomic.Bool
	// stopRelease cancels the tap's release of res when the stream's
	// context ends before TagRPC.
	stopRelease func() bool
	// readTimer cancels the stream's context (cancel) if the message has
	// not been read bodyReadTimeout after the headers; nil without the tap.
	readTimer *time.Timer
	cancel    context.CancelCauseFunc
}

// messageRead stops the read timer, once the message is in.
func (n *rpcNote) messageRead() {
	if n.readTimer != nil {
		n.readTimer.Stop()
	}
}

type rpcNoteKey struct{}

func markHandled(ctx context.Context) {
	if n, ok := ctx.Value(rpcNoteKey{}).(*rpcNote); ok {
		n.handled.Store(true)
	}
}

// grpcStats follows the OTLP RPCs: it shrinks an RPC's reserved bytes to
// its message's size once the message is read, releases them when the RPC
// ends, and counts, when they end, the RPCs that grpc-go refused before the
// interceptor ran (which counts the others): a message over MaxRecvMsgSize
// (RESOURCE_EXHAUSTED), a truncated one, an unknown grpc-encoding
// (UNIMPLEMENTED), a client that canceled.
type grpcStats struct{ r *Receiver }

// TagRPC takes over the note the tap left in the stream's context (grpc-go
// hands TagRPC the context the tap returned), or makes one.
func (h grpcStats) TagRPC(ctx context.Context, info *stats.RPCTagInfo) context.Context {
	if note, ok := ctx.Value(rpcNoteKey{}).(*rpcNote); ok {
		note.tagged.Store(true)
		if note.stopRelease != nil {
			note.stopRelease()
		}
		return ctx
	}
	sig, ok := signalOfMethod(info.FullMethodName)
	if !ok {
		return ctx
	}
	return context.WithValue(ctx, rpcNoteKey{}, &rpcNote{sig: sig})
}

func (h grpcStats) HandleRPC(ctx context.Context, s stats.RPCStats) {
	note, ok := ctx.Value(rpcNoteKey{}).(*rpcNote)
	if !ok {
		return
	}
	if in, ok := s.(*stats.InPayload); ok && in.Payload != nil && note.payload.Load() == nil {
		note.payload.Store(in.Payload)
		// Read and decoded: the message's bytes are gone; the decoded
		// request's cost is held, by the codec's reservation and what
		// remains of the tap's, until the end.
		note.messageRead()
		if o := h.r.decoded.peek(in.Payload); o != nil && o.refusal == nil {
			note.res.shrink(o.need - o.res.held())
		} else {
			note.res.release()
		}
		return
	}
	end, ok := s.(*stats.End)
	if !ok {
		return
	}
	note.messageRead()
	note.res.release()
	if note.cancel != nil {
		note.cancel(nil)
	}
	if p := note.payload.Load(); p != nil {
		if o := h.r.decoded.take(p); o != nil {
			o.res.release() // the interceptor never took it
		}
	}
	switch {
	case note.handled.Load():
	case note.sig == signalMetrics:
		h.r.counters.metrics[transportGRPC].Add(1)
	default:
		// Refused by grpc-go before the interceptor: count it here.
		c := h.r.countersOf(note.sig)
		c.requests[transportGRPC].Add(1)
		switch status.Code(end.Error) {
		case codes.ResourceExhausted:
			c.refuse(reasonTooLarge, 0)
		case codes.Unimplemented:
			c.refuse(reasonUnsupportedMedia, 0)
		case codes.Canceled, codes.DeadlineExceeded, codes.Unavailable:
			c.refuse(reasonCanceled, 0)
		default:
			c.refuse(reasonMalformed, 0)
		}
	}
}

func (grpcStats) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }

func (grpcStats) HandleConn(context.Context, stats.ConnStats) {}
