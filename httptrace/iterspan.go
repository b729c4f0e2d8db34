package httptrace

import (
	"context"
	"iter"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Attributes of the iterator spans.
const (
	// IterItemsKey is the number of items handed to the loop body,
	// counting the one the loop broke on.
	IterItemsKey = attribute.Key("iter.items")
	// IterStoppedEarlyKey is true when the loop body stopped the iteration
	// (break, return) before the sequence ended; absent otherwise.
	IterStoppedEarlyKey = attribute.Key("iter.stopped_early")
)

// Seq returns a sequence that yields the values of seq inside a span named
// name, a child of the span in ctx. The span starts when a range over the
// sequence starts (each range gets its own span) and ends when the sequence
// ends, the loop breaks or something panics; a panic, of the producer or of
// the loop body, is recorded and goes on with the same value. The span has
// the attribute iter.items, and iter.stopped_early=true after a break.
//
// Spans that seq makes are not children of the iteration's span, since seq
// has no context from it: use SeqCtx for that. An empty name is seq's
// function name; a nil seq is empty.
func Seq[V any](ctx context.Context, name string, seq iter.Seq[V], opts ...SpanOption) iter.Seq[V] {
	if name == "" {
		name = funcName(seq)
	}
	return SeqCtx(ctx, name, func(context.Context) iter.Seq[V] { return seq }, opts...)
}

// SeqCtx is Seq for a producer that takes the context of the iteration's
// span: produce is called when a range starts, with a context holding the
// span, so the spans the sequence makes are its children.
func SeqCtx[V any](ctx context.Context, name string, produce func(ctx context.Context) iter.Seq[V], opts ...SpanOption) iter.Seq[V] {
	if name == "" {
		name = funcName(produce)
	}
	c := newSpanConfig(opts)
	return func(yield func(V) bool) {
		ctx, span := c.tracerOrGlobal().Start(ctx, name, c.startOptions()...)
		var st iterState
		defer func() { st.end(span, recover()) }()
		if produce == nil {
			return
		}
		seq := produce(ctx)
		if seq == nil {
			return
		}
		seq(func(v V) bool {
			if st.stopped {
				return false
			}
			st.items++
			if !yield(v) {
				st.stopped = true
				return false
			}
			return true
		})
	}
}

// Seq2 is Seq for a sequence of pairs. When V is error, a non-nil error
// yielded is recorded on the span (RecordError, status Error), as for
// iter.Seq2[T, error] sequences that report their failure as the last pair.
func Seq2[K, V any](ctx context.Context, name string, seq iter.Seq2[K, V], opts ...SpanOption) iter.Seq2[K, V] {
	if name == "" {
		name = funcName(seq)
	}
	return Seq2Ctx(ctx, name, func(context.Context) iter.Seq2[K, V] { return seq }, opts...)
}

// Seq2Ctx is SeqCtx for a sequence of pairs; see Seq2 for errors.
func Seq2Ctx[K, V any](ctx context.Context, name string, produce func(ctx context.Context) iter.Seq2[K, V], opts ...SpanOption) iter.Seq2[K, V] {
	if name == "" {
		name = funcName(produce)
	}
	c := newSpanConfig(opts)
	_, isErr := any((*V)(nil)).(*error)
	return func(yield func(K, V) bool) {
		ctx, span := c.tracerOrGlobal().Start(ctx, name, c.startOptions()...)
		var st iterState
		defer func() { st.end(span, recover()) }()
		if produce == nil {
			return
		}
		seq := produce(ctx)
		if seq == nil {
			return
		}
		seq(func(k K, v V) bool {
			if st.stopped {
				return false
			}
			st.items++
			if isErr {
				if err, _ := any(v).(error); err != nil {
					recordError(span, err)
				}
			}
			if !yield(k, v) {
				st.stopped = true
				return false
			}
			return true
		})
	}
}

// iterState is what an iteration span learns while it runs.
type iterState struct {
	items   int64
	stopped bool // the loop body returned false
}

// end sets the attributes and ends the span; a recovered panic value p is
// recorded and panics again.
func (st *iterState) end(span trace.Span, p any) {
	if st.stopped {
		span.SetAttributes(IterItemsKey.Int64(st.items), IterStoppedEarlyKey.Bool(true))
	} else {
		span.SetAttributes(IterItemsKey.Int64(st.items))
	}
	endSpan(span, nil, p)
}
