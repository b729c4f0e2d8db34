package otlpenc

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
)

// SpanBatch is a trace request built one span at a time: [SpanBatch.Add]
// encodes an ended leanspan span at once, so the batch holds bytes (which
// the garbage collector does not scan) instead of the spans, which are
// free to go as soon as they end; [Encoder.AppendSpanBatch] then writes
// the request around them. The bytes are exactly those
// [Encoder.AppendLeanTraces] writes for the same spans in the same order.
//
// The zero SpanBatch is empty and ready to use; [SpanBatch.Reset] empties
// it keeping its memory. It is not safe for concurrent use.
type SpanBatch struct {
	groups []batchGroup // the first ng in use; the rest keep buffers for reuse
	ng     int
	prev   int // the group of the span added last
	n      int
}

// batchGroup is the encoded spans of one resource attribute set and
// scope, in the order added: Span fields of a ScopeSpans, each as
// appendSpan writes it. res is the first resource seen with the set, which
// the request carries, as the Encoder's grouping does.
type batchGroup struct {
	key   attribute.Distinct
	res   *resource.Resource
	scope instrumentation.Scope
	spans []byte
}

// Add encodes s, which has ended, into the batch. A nil span is skipped.
func (b *SpanBatch) Add(s *leanspan.Span) {
	if s == nil {
		return
	}
	g := &b.groups[b.group(s.Resource(), s.InstrumentationScope())]
	g.spans = appendSpan(g.spans, s)
	b.n++
}

// group returns the index of the group of res's attribute set and scope,
// adding it when it is new. Groups are few (a component has one resource
// and a few scopes): the last one first (by pointer), then a scan.
func (b *SpanBatch) group(res *resource.Resource, scope instrumentation.Scope) int {
	if b.n > 0 && b.groups[b.prev].res == res && b.groups[b.prev].scope == scope {
		return b.prev
	}
	key := res.Equivalent() // nil-safe: a nil resource groups with the empty one, as in Encoder.find
	for i := range b.ng {
		if g := &b.groups[i]; g.key == key && g.scope == scope {
			b.prev = i
			return i
		}
	}
	if b.ng == len(b.groups) {
		b.groups = append(b.groups, batchGroup{})
	}
	i := b.ng
	b.ng++
	g := &b.groups[i]
	g.key, g.res, g.scope, g.spans = key, res, scope, g.spans[:0]
	b.prev = i
	return i
}

// Len is the number of spans in the batch.
func (b *SpanBatch) Len() int { return b.n }

// Size is the number of bytes the batch's spans take.
func (b *SpanBatch) Size() int {
	n := 0
	for i := range b.ng {
		n += len(b.groups[i].spans)
	}
	return n
}

// Reset empties the batch, keeping its buffers, and lets its resources
// and scopes go.
func (b *SpanBatch) Reset() {
	for i := range b.groups {
		g := &b.groups[i]
		g.key, g.res, g.scope, g.spans = attribute.Distinct{}, nil, instrumentation.Scope{}, g.spans[:0]
	}
	b.ng, b.prev, b.n = 0, 0, 0
}

// AppendSpanBatch appends to dst the protobuf encoding of an OTLP
// ExportTraceServiceRequest holding the spans of b, grouped as
// [Encoder.AppendTraces] groups them, and returns the extended buffer. An
// empty batch appends nothing. b is not changed.
func (e *Encoder) AppendSpanBatch(dst []byte, b *SpanBatch) []byte {
	n := b.ng
	e.reset(n)
	for i := range n {
		e.add(i, b.groups[i].res, b.groups[i].scope)
	}
	return e.appendRequest(dst, notNil, func(out []byte, i int) []byte { return append(out, b.groups[i].spans...) })
}
