package otlpjson

import (
	"math"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
)

// putAttributes copies attrs into m. Keys already present in m are
// overwritten, so for duplicate keys the last value wins.
func putAttributes(m pcommon.Map, attrs []attribute.KeyValue) {
	if len(attrs) == 0 {
		return
	}
	m.EnsureCapacity(m.Len() + len(attrs))
	for _, kv := range attrs {
		setValue(m.PutEmpty(string(kv.Key)), kv.Value)
	}
}

// putIterator copies the attributes of it into m.
func putIterator(m pcommon.Map, it attribute.Iterator) {
	if it.Len() == 0 {
		return
	}
	m.EnsureCapacity(m.Len() + it.Len())
	for it.Next() {
		kv := it.Attribute()
		setValue(m.PutEmpty(string(kv.Key)), kv.Value)
	}
}

// setValue stores v in dst, which is expected to be empty. Every attribute
// type maps onto its OTLP AnyValue counterpart: scalars onto scalars, the
// typed slices and SLICE onto array values, MAP onto a key-value list and
// BYTESLICE onto bytes. EMPTY leaves dst empty. An unknown type becomes the
// string "INVALID", as in the SDK's OTLP exporters.
func setValue(dst pcommon.Value, v attribute.Value) {
	switch v.Type() {
	case attribute.EMPTY:
		// An empty AnyValue.
	case attribute.BOOL:
		dst.SetBool(v.AsBool())
	case attribute.INT64:
		dst.SetInt(v.AsInt64())
	case attribute.FLOAT64:
		dst.SetDouble(v.AsFloat64())
	case attribute.STRING:
		dst.SetStr(v.AsString())
	case attribute.BOOLSLICE:
		vals := v.AsBoolSlice()
		s := dst.SetEmptySlice()
		s.EnsureCapacity(len(vals))
		for _, b := range vals {
			s.AppendEmpty().SetBool(b)
		}
	case attribute.INT64SLICE:
		vals := v.AsInt64Slice()
		s := dst.SetEmptySlice()
		s.EnsureCapacity(len(vals))
		for _, i := range vals {
			s.AppendEmpty().SetInt(i)
		}
	case attribute.FLOAT64SLICE:
		vals := v.AsFloat64Slice()
		s := dst.SetEmptySlice()
		s.EnsureCapacity(len(vals))
		for _, f := range vals {
			s.AppendEmpty().SetDouble(f)
		}
	case attribute.STRINGSLICE:
		vals := v.AsStringSlice()
		s := dst.SetEmptySlice()
		s.EnsureCapacity(len(vals))
		for _, str := range vals {
			s.AppendEmpty().SetStr(str)
		}
	case attribute.BYTESLICE:
		dst.SetEmptyBytes().FromRaw(v.AsByteSlice())
	case attribute.SLICE:
		vals := v.AsSlice()
		s := dst.SetEmptySlice()
		s.EnsureCapacity(len(vals))
		for _, elem := range vals {
			setValue(s.AppendEmpty(), elem)
		}
	case attribute.MAP:
		putAttributes(dst.SetEmptyMap(), v.AsMap())
	default:
		dst.SetStr("INVALID")
	}
}

// setResource copies the attributes of res (which may be nil) into dst.
func setResource(dst pcommon.Resource, res *resource.Resource) {
	putIterator(dst.Attributes(), res.Iter())
}

// setScope copies name, version and attributes of s into dst. The scope's
// schema URL belongs to the enclosing ScopeSpans/ScopeLogs.
func setScope(dst pcommon.InstrumentationScope, s instrumentation.Scope) {
	dst.SetName(s.Name)
	dst.SetVersion(s.Version)
	putIterator(dst.Attributes(), s.Attributes.Iter())
}

// timestamp converts t to OTLP nanoseconds since the Unix epoch. The zero
// time and times before the epoch become 0 ("unset").
func timestamp(t time.Time) pcommon.Timestamp {
	if t.IsZero() {
		return 0
	}
	n := t.UnixNano()
	if n < 0 {
		return 0
	}
	return pcommon.Timestamp(n)
}

// clampUint32 converts a dropped count to the uint32 OTLP uses.
func clampUint32(v int) uint32 {
	if v <= 0 {
		return 0
	}
	if int64(v) > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(v)
}
