package otlpenc

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// linearGroups is how many scope groups are searched one by one before an
// Encoder indexes them in a map.
const linearGroups = 8

// Encoder encodes batches of spans as OTLP ExportTraceServiceRequest
// protobuf messages. It keeps the grouping tables of the last batch to
// reuse their memory, so encoding allocates nothing in steady state.
//
// The zero Encoder is ready to use. An Encoder is not safe for concurrent
// use; the SDK calls an exporter's ExportSpans from one goroutine at a time.
type Encoder struct {
	resources []resourceGroup
	groups    []scopeGroup
	index     map[groupKey]int32 // scope groups by key, once there are many
	next      []int32            // next[i]: the next span of span i's group, or -1
}

// resourceGroup is one ResourceSpans: the first resource seen with its
// attribute set. Like the SDK's transform, spans are grouped by the
// resource's attribute set alone; the schema URL sent is the first one's.
type resourceGroup struct {
	key attribute.Distinct
	res *resource.Resource
}

// scopeGroup is one ScopeSpans: a resource, an instrumentation scope, and
// the spans of the batch that have both, as a list through Encoder.next.
type scopeGroup struct {
	res         int32 // index in Encoder.resources
	scope       instrumentation.Scope
	first, last int32 // indices in the batch
}

type groupKey struct {
	res   attribute.Distinct
	scope instrumentation.Scope
}

// AppendTraces appends to dst the protobuf encoding of an OTLP
// ExportTraceServiceRequest holding spans and returns the extended buffer.
// It is (*Encoder).AppendTraces with an Encoder of its own, so it allocates
// its grouping tables on each call; exporters keep an Encoder instead.
func AppendTraces(dst []byte, spans []sdktrace.ReadOnlySpan) []byte {
	var e Encoder
	return e.AppendTraces(dst, spans)
}

// AppendTraces appends to dst the protobuf encoding of an OTLP
// ExportTraceServiceRequest holding spans and returns the extended buffer.
//
// Spans are grouped as the SDK's OTLP exporters group them: one
// ResourceSpans per resource attribute set, one ScopeSpans per
// instrumentation scope within it, with the resource and scope written once
// per group. Scopes appear in the order they are first seen within their
// resource and spans keep their batch order within a scope. Resources
// appear in the order they are first seen (the SDK's order is that of Go
// map iteration, so random). Nil spans are skipped. Nothing of dst before
// its length is read or changed.
func (e *Encoder) AppendTraces(dst []byte, spans []sdktrace.ReadOnlySpan) []byte {
	e.group(spans)
	for r := range e.resources {
		rg := &e.resources[r]
		var rsStart int
		dst, rsStart = openMsg(dst, tagRequestResourceSpans, reserveGroup)
		// The SDK's transform sends no resource for a nil one.
		if rg.res != nil {
			var start int
			dst, start = openMsg(dst, tagResourceSpansResource, reserveSmall)
			dst = appendSet(dst, tagResourceAttributes, rg.res.Set())
			dst = closeMsg(dst, start, reserveSmall)
		}
		for g := range e.groups {
			sg := &e.groups[g]
			if int(sg.res) != r {
				continue
			}
			dst = e.appendScopeSpans(dst, sg, spans)
		}
		dst = appendStringField(dst, tagResourceSpansSchemaURL, rg.res.SchemaURL())
		dst = closeMsg(dst, rsStart, reserveGroup)
	}
	return dst
}

// appendScopeSpans appends the ScopeSpans of group sg of spans.
func (e *Encoder) appendScopeSpans(b []byte, sg *scopeGroup, spans []sdktrace.ReadOnlySpan) []byte {
	b, start := openMsg(b, tagResourceSpansScopes, reserveGroup)
	// The SDK's transform sends no scope for the zero scope.
	if sg.scope != (instrumentation.Scope{}) {
		var scopeStart int
		b, scopeStart = openMsg(b, tagScopeSpansScope, reserveSmall)
		b = appendStringField(b, tagScopeName, sg.scope.Name)
		b = appendStringField(b, tagScopeVersion, sg.scope.Version)
		b = appendSet(b, tagScopeAttributes, &sg.scope.Attributes)
		b = closeMsg(b, scopeStart, reserveSmall)
	}
	for i := sg.first; i >= 0; i = e.next[i] {
		b = appendSpan(b, spans[i])
	}
	b = appendStringField(b, tagScopeSpansSchemaURL, sg.scope.SchemaURL)
	return closeMsg(b, start, reserveGroup)
}

// group fills e.resources, e.groups and e.next for spans.
func (e *Encoder) group(spans []sdktrace.ReadOnlySpan) {
	clear(e.resources) // drop the references to the last batch's data
	e.resources = e.resources[:0]
	clear(e.groups)
	e.groups = e.groups[:0]
	clear(e.index)
	if cap(e.next) < len(spans) {
		e.next = make([]int32, len(spans))
	}
	e.next = e.next[:len(spans)]

	var (
		prevRes   *resource.Resource
		prevScope instrumentation.Scope
		g         = int32(-1)
	)
	for i, sd := range spans {
		e.next[i] = -1
		if sd == nil {
			continue
		}
		res, scope := sd.Resource(), sd.InstrumentationScope()
		if g < 0 || res != prevRes || scope != prevScope {
			g = e.find(res, scope)
			prevRes, prevScope = res, scope
		}
		sg := &e.groups[g]
		if sg.first < 0 {
			sg.first = int32(i)
		} else {
			e.next[sg.last] = int32(i)
		}
		sg.last = int32(i)
	}
}

// find returns the index of the scope group of res and scope, adding it
// (and its resource group) when it is new.
func (e *Encoder) find(res *resource.Resource, scope instrumentation.Scope) int32 {
	key := res.Equivalent()
	if len(e.groups) <= linearGroups {
		for g := range e.groups {
			sg := &e.groups[g]
			if sg.scope == scope && e.resources[sg.res].key == key {
				return int32(g)
			}
		}
	} else if g, ok := e.index[groupKey{key, scope}]; ok {
		return g
	}

	r := int32(-1)
	for i := range e.resources {
		if e.resources[i].key == key {
			r = int32(i)
			break
		}
	}
	if r < 0 {
		r = int32(len(e.resources))
		e.resources = append(e.resources, resourceGroup{key: key, res: res})
	}
	g := int32(len(e.groups))
	e.groups = append(e.groups, scopeGroup{res: r, scope: scope, first: -1, last: -1})
	switch {
	case len(e.groups) > linearGroups+1:
		e.index[groupKey{key, scope}] = g
	case len(e.groups) == linearGroups+1:
		if e.index == nil {
			e.index = make(map[groupKey]int32)
		}
		for i := range e.groups {
			e.index[groupKey{e.resources[e.groups[i].res].key, e.groups[i].scope}] = int32(i)
		}
	}
	return g
}
