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
// A batch made by [NewJSONSpanBatch] holds OTLP-JSON instead, for
// [Encoder.AppendSpanBatchJSON]: exactly what [Encoder.AppendTracesJSON]
// writes for the spans' snapshots.
//
// The zero SpanBatch (protobuf) is empty and ready to use;
// [SpanBatch.Reset] empties it keeping its memory. It is not safe for
// concurrent use.
type SpanBatch struct {
	groups []batchGroup // the first ng in use; the rest keep buffers for reuse
	ng     int
	prev   int // the group of the span added last
	n      int

	json    bool
	scratch jsonScratch
}

// NewJSONSpanBatch returns an empty batch that encodes OTLP-JSON.
func NewJSONSpanBatch() *SpanBatch { return &SpanBatch{json: true} }

// JSON reports whether the batch holds OTLP-JSON (else protobuf).
func (b *SpanBatch) JSON() bool { return b.json }

// batchGroup is the encoded spans of one resource attribute set and
// scope, in the order added: Span fields of a ScopeSpans, each as
// appendSpan writes it. res is the first resource seen with the set, which
// the request carries, as the Encoder's grouping does.
type batchGroup struct {
	key   attribute.Distinct
	url   string // the resource's schema URL, a JSON batch's key too
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
	if b.json {
		if len(g.spans) > 0 {
			g.spans = append(g.spans, ',')
		}
		g.spans = appendSpanJSON(g.spans, s, &b.scratch)
	} else {
		g.spans = appendSpan(g.spans, s)
	}
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
	var url string
	if b.json {
		url = res.SchemaURL() // the JSON encodings group by schema URL too
	}
	for i := range b.ng {
		if g := &b.groups[i]; g.key == key && g.url == url && g.scope == scope {
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
	g.key, g.url, g.res, g.scope, g.spans = key, url, res, scope, g.spans[:0]
	b.prev = i
	return i
}

// Len is the number of spans in the batch.
func (b *SpanBatch) Len() int { return b.n }

// Reset empties the batch, keeping its buffers, and lets its resources
// and scopes go.
func (b *SpanBatch) Reset() {
	for i := range b.groups {
		g := &b.groups[i]
		g.key, g.url, g.res, g.scope, g.spans = attribute.Distinct{}, "", nil, instrumentation.Scope{}, g.spans[:0]
	}
	b.ng, b.prev, b.n = 0, 0, 0
}

// AppendSpanBatch appends to dst the protobuf encoding of an OTLP
// ExportTraceServiceRequest holding the spans of b, a protobuf batch,
// grouped as [Encoder.AppendTraces] groups them, and returns the extended
// buffer. An empty batch appends nothing. b is not changed.
func (e *Encoder) AppendSpanBatch(dst []byte, b *SpanBatch) []byte {
	n := b.ng
	e.reset(n)
	for i := range n {
		e.add(i, b.groups[i].res, b.groups[i].scope)
	}
	return e.appendRequest(dst, notNil, func(out []byte, i int) []byte { return append(out, b.groups[i].spans...) })
}

// AppendSpanBatchJSON appends to dst the OTLP-JSON encoding of an
// ExportTraceServiceRequest holding the spans of b, a JSON batch, grouped
// as [Encoder.AppendTracesJSON] groups them, and returns the extended
// buffer. An empty batch is "{}". b is not changed.
func (e *Encoder) AppendSpanBatchJSON(dst []byte, b *SpanBatch) []byte {
	n := b.ng
	e.jsonGrouping(n)
	for i := range n {
		e.add(i, b.groups[i].res, b.groups[i].scope)
	}
	return e.appendRequestJSON(dst, `{"resourceSpans":[`, `"scopeSpans":[`, `"spans":[`,
		func(out []byte, i int) []byte { return append(out, b.groups[i].spans...) })
}
