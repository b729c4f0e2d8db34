package console

import (
	"encoding/base64"
	"slices"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"
)

// value appends v as JSON: scalars as JSON scalars (floats as Python prints
// them, see appendFloat), typed slices and SLICE as arrays, MAP as an
// object, BYTESLICE as a standard base64 string with padding (what Python's
// BytesEncoder writes for a bytes body), and EMPTY as null.
func (e *encoder) value(v attribute.Value) {
	switch v.Type() {
	case attribute.BOOL:
		e.bool(v.AsBool())
	case attribute.INT64:
		e.int(v.AsInt64())
	case attribute.FLOAT64:
		e.float(v.AsFloat64())
	case attribute.STRING:
		e.str(v.AsString())
	// The SDK's typed-slice accessors return a copy: each slice value costs
	// one allocation, which the attribute package offers no way to avoid.
	case attribute.BOOLSLICE:
		s := v.AsBoolSlice()
		e.openArray()
		for i, x := range s {
			e.item(i)
			e.bool(x)
		}
		e.closeArray(len(s))
	case attribute.INT64SLICE:
		s := v.AsInt64Slice()
		e.openArray()
		for i, x := range s {
			e.item(i)
			e.int(x)
		}
		e.closeArray(len(s))
	case attribute.FLOAT64SLICE:
		s := v.AsFloat64Slice()
		e.openArray()
		for i, x := range s {
			e.item(i)
			e.float(x)
		}
		e.closeArray(len(s))
	case attribute.STRINGSLICE:
		s := v.AsStringSlice()
		e.openArray()
		for i, x := range s {
			e.item(i)
			e.str(x)
		}
		e.closeArray(len(s))
	case attribute.BYTESLICE:
		e.buf = append(e.buf, '"')
		e.buf = base64.StdEncoding.AppendEncode(e.buf, v.AsByteSlice())
		e.buf = append(e.buf, '"')
	case attribute.SLICE:
		s := v.AsSlice()
		e.openArray()
		for i := range s {
			e.item(i)
			e.value(s[i])
		}
		e.closeArray(len(s))
	case attribute.MAP:
		e.attributes(v.AsMap())
	default:
		// attribute.EMPTY, and any kind a later SDK may add.
		e.null()
	}
}

// attributes appends kvs as a JSON object, in the given order.
func (e *encoder) attributes(kvs []attribute.KeyValue) {
	e.openObject()
	for i := range kvs {
		e.key(i, string(kvs[i].Key))
		e.value(kvs[i].Value)
	}
	e.closeObject(len(kvs))
}

// spanContext appends Python's _format_context: trace_id, span_id and the
// repr of the trace state.
func (e *encoder) spanContext(sc trace.SpanContext) {
	tid, sid := sc.TraceID(), sc.SpanID()
	e.openObject()
	e.field(0, `"trace_id"`)
	e.buf = appendHexID(e.buf, tid[:])
	e.field(1, `"span_id"`)
	e.buf = appendHexID(e.buf, sid[:])
	e.field(2, `"trace_state"`)
	e.traceState(sc.TraceState())
	e.closeObject(3)
}

// traceState appends, as a JSON string, what Python's repr(TraceState)
// prints: str() of a list holding "{key=K, value=V}" for each entry, in
// order, so "[]" when empty and "['{key=k, value=v}', ...]" otherwise. Each
// item is quoted as Python's repr quotes a str: with ' unless the item
// contains ' and no ", in which case with ".
func (e *encoder) traceState(ts trace.TraceState) {
	if ts.Len() == 0 {
		e.buf = append(e.buf, `"[]"`...)
		return
	}
	e.buf = append(e.buf, '"', '[')
	n := 0
	ts.Walk(func(k, v string) bool {
		if n > 0 {
			e.buf = append(e.buf, ',', ' ')
		}
		n++
		q := byte('\'')
		if (strings.IndexByte(k, '\'') >= 0 || strings.IndexByte(v, '\'') >= 0) &&
			strings.IndexByte(k, '"') < 0 && strings.IndexByte(v, '"') < 0 {
			q = '"'
		}
		e.buf = appendASCIIEscapeOrPlain(e.buf, q)
		e.buf = append(e.buf, "{key="...)
		e.buf = appendReprChars(e.buf, k, q)
		e.buf = append(e.buf, ", value="...)
		e.buf = appendReprChars(e.buf, v, q)
		e.buf = append(e.buf, '}')
		e.buf = appendASCIIEscapeOrPlain(e.buf, q)
		return true
	})
	e.buf = append(e.buf, ']', '"')
}

// resourceCache remembers the JSON of the last resource an exporter wrote.
// A provider hands the same immutable *resource.Resource to every span or
// record, so after the first export the resource costs one copy. Holding the
// pointer keeps the resource alive, so the address cannot be reused by a
// different resource while it is cached.
type resourceCache struct {
	last atomic.Pointer[cachedResource]
}

type cachedResource struct {
	res  *resource.Resource
	json []byte
}

// resource appends Python's Resource.to_json as an object:
// {"attributes": {...}, "schema_url": "..."}. A nil resource is written as
// an empty one. The cached bytes depend on the nesting depth, which is the
// same (1) everywhere a resource is written.
func (e *encoder) resource(res *resource.Resource, cache *resourceCache) {
	if c := cache.last.Load(); c != nil && c.res == res {
		e.buf = append(e.buf, c.json...)
		return
	}
	start := len(e.buf)
	e.openObject()
	e.field(0, `"attributes"`)
	e.openObject()
	it := res.Iter()
	n := 0
	for it.Next() {
		kv := it.Attribute()
		e.key(n, string(kv.Key))
		e.value(kv.Value)
		n++
	}
	e.closeObject(n)
	e.field(1, `"schema_url"`)
	e.str(res.SchemaURL())
	e.closeObject(2)
	cache.last.Store(&cachedResource{res: res, json: slices.Clone(e.buf[start:])})
}
