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

	// The group of the item added last, and its resource and scope.
	prevRes   *resource.Resource
	prevScope instrumentation.Scope
	prevGroup int32

	// splitSchemaURLs keys resource groups by schema URL as well as by
	// attribute set, as the OTLP-JSON encodings do (see jsonGrouping).
	// reset clears it.
	splitSchemaURLs bool

	// jsonScratch is the OTLP-JSON encodings' reused scratch memory.
	jsonScratch jsonScratch
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
	res       attribute.Distinct
	schemaURL string // the resource's, when splitSchemaURLs; else ""
	scope     instrumentation.Scope
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
	e.reset(len(spans))
	for i, sd := range spans {
		if sd != nil {
			e.add(i, sd.Resource(), sd.InstrumentationScope())
		}
	}
	return e.appendRequest(dst, notNil, func(b []byte, i int) []byte { return appendSpan(b, spans[i]) })
}

// notNil reports whether r is not nil: the SDK's transform sends no
// resource for a nil one.
func notNil(r *resource.Resource) bool { return r != nil }

// appendRequest appends the batch as grouped by reset and add: a
// ResourceSpans (ResourceLogs) per resource group, holding its resource
// when sendResource says so and a ScopeSpans (ScopeLogs) per scope group,
// each of whose items item appends. The trace and the logs requests have
// the same field numbers at every level, so one envelope serves both.
func (e *Encoder) appendRequest(dst []byte, sendResource func(*resource.Resource) bool, item func(b []byte, i int) []byte) []byte {
	for r := range e.resources {
		rg := &e.resources[r]
		var rsStart int
		dst, rsStart = openMsg(dst, tagRequestResourceSpans, reserveGroup)
		if sendResource(rg.res) {
			var start int
			dst, start = openMsg(dst, tagResourceSpansResource, reserveSmall)
			dst = appendSet(dst, tagResourceAttributes, rg.res.Set())
			dst = closeMsg(dst, start, reserveSmall)
		}
		for g := range e.groups {
			if sg := &e.groups[g]; int(sg.res) == r {
				dst = e.appendScope(dst, sg, item)
			}
		}
		dst = appendStringField(dst, tagResourceSpansSchemaURL, rg.res.SchemaURL())
		dst = closeMsg(dst, rsStart, reserveGroup)
	}
	return dst
}

// appendScope appends the ScopeSpans (ScopeLogs) of group sg.
func (e *Encoder) appendScope(b []byte, sg *scopeGroup, item func(b []byte, i int) []byte) []byte {
	b, start := openMsg(b, tagResourceSpansScopes, reserveGroup)
	// The SDK's transforms send no scope (and so no schema URL inside it)
	// for the zero scope.
	if sg.scope != (instrumentation.Scope{}) {
		var scopeStart int
		b, scopeStart = openMsg(b, tagScopeSpansScope, reserveSmall)
		b = appendStringField(b, tagScopeName, sg.scope.Name)
		b = appendStringField(b, tagScopeVersion, sg.scope.Version)
		b = appendSet(b, tagScopeAttributes, &sg.scope.Attributes)
		b = closeMsg(b, scopeStart, reserveSmall)
	}
	for i := sg.first; i >= 0; i = e.next[i] {
		b = item(b, int(i))
	}
	b = appendStringField(b, tagScopeSpansSchemaURL, sg.scope.SchemaURL)
	return closeMsg(b, start, reserveGroup)
}

// reset empties the grouping tables for a batch of n items.
func (e *Encoder) reset(n int) {
	clear(e.resources) // drop the references to the last batch's data
	e.resources = e.resources[:0]
	clear(e.groups)
	e.groups = e.groups[:0]
	clear(e.index)
	if cap(e.next) < n {
		e.next = make([]int32, n)
	}
	e.next = e.next[:n]
	for i := range e.next {
		e.next[i] = -1
	}
	e.prevRes, e.prevScope, e.prevGroup = nil, instrumentation.Scope{}, -1
	e.splitSchemaURLs = false
}

// add puts item i of the batch (added in increasing order) in the group
// of res and scope. An item like the one before it skips the lookup.
func (e *Encoder) add(i int, res *resource.Resource, scope instrumentation.Scope) {
	g := e.prevGroup
	if g < 0 || res != e.prevRes || scope != e.prevScope {
		g = e.find(res, scope)
		e.prevRes, e.prevScope, e.prevGroup = res, scope, g
	}
	sg := &e.groups[g]
	if sg.first < 0 {
		sg.first = int32(i)
	} else {
		e.next[sg.last] = int32(i)
	}
	sg.last = int32(i)
}

// find returns the index of the scope group of res and scope, adding it
// (and its resource group) when it is new.
func (e *Encoder) find(res *resource.Resource, scope instrumentation.Scope) int32 {
	key := res.Equivalent()
	var url string
	if e.splitSchemaURLs {
		url = res.SchemaURL()
	}
	if len(e.groups) <= linearGroups {
		for g := range e.groups {
			sg := &e.groups[g]
			if sg.scope == scope && e.sameResource(sg.res, key, url) {
				return int32(g)
			}
		}
	} else if g, ok := e.index[groupKey{key, url, scope}]; ok {
		return g
	}

	r := int32(-1)
	for i := range e.resources {
		if e.sameResource(int32(i), key, url) {
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
		e.index[groupKey{key, url, scope}] = g
	case len(e.groups) == linearGroups+1:
		if e.index == nil {
			e.index = make(map[groupKey]int32)
		}
		for i := range e.groups {
			e.index[e.groupKeyOf(&e.groups[i])] = int32(i)
		}
	}
	return g
}

// sameResource reports whether resource group r has attribute set key (and,
// when splitSchemaURLs, schema URL url).
func (e *Encoder) sameResource(r int32, key attribute.Distinct, url string) bool {
	rg := &e.resources[r]
	return rg.key == key && (!e.splitSchemaURLs || rg.res.SchemaURL() == url)
}

// groupKeyOf is the index key of scope group sg.
func (e *Encoder) groupKeyOf(sg *scopeGroup) groupKey {
	rg := &e.resources[sg.res]
	k := groupKey{res: rg.key, scope: sg.scope}
	if e.splitSchemaURLs {
		k.schemaURL = rg.res.SchemaURL()
	}
	return k
}
