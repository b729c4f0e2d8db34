package otlpenc

import (
	"math"

	"go.opentelemetry.io/otel/attribute"
	"google.golang.org/protobuf/encoding/protowire"
)

// invalid is the string the SDK's transform sends for a value of a type it
// does not know.
const invalid = "INVALID"

// appendKeyValues appends each of kvs as a KeyValue field with tag, in
// order.
func appendKeyValues(b []byte, tag byte, kvs []attribute.KeyValue) []byte {
	for i := range kvs {
		b = appendKeyValue(b, tag, string(kvs[i].Key), &kvs[i].Value)
	}
	return b
}

// appendSet appends the attributes of s as KeyValue fields with tag, in the
// set's order (sorted by key).
func appendSet(b []byte, tag byte, s *attribute.Set) []byte {
	for i := range s.Len() {
		kv, _ := s.Get(i)
		b = appendKeyValue(b, tag, string(kv.Key), &kv.Value)
	}
	return b
}

// appendKeyValue appends a KeyValue{key, v} field with tag. A scalar
// value's size is known up front, so its lengths are written exactly, in one
// switch on the type (the hot path); a slice or map is written with
// closeMsg's length patching.
func appendKeyValue(b []byte, tag byte, key string, v *attribute.Value) []byte {
	switch v.Type() {
	case attribute.STRING:
		s := v.AsString()
		b = appendKVHead(b, tag, key, 1+protowire.SizeBytes(len(s)))
		b = appendVarint(append(b, tagAnyString), uint64(len(s)))
		return append(b, s...)
	case attribute.INT64:
		n := uint64(v.AsInt64())
		b = appendKVHead(b, tag, key, 1+protowire.SizeVarint(n))
		return appendVarint(append(b, tagAnyInt), n)
	case attribute.BOOL:
		x := byte(0)
		if v.AsBool() {
			x = 1
		}
		return append(appendKVHead(b, tag, key, 2), tagAnyBool, x)
	case attribute.FLOAT64:
		b = appendKVHead(b, tag, key, 9)
		return protowire.AppendFixed64(append(b, tagAnyDouble), math.Float64bits(v.AsFloat64()))
	case attribute.EMPTY:
		return appendKVHead(b, tag, key, 0)
	}
	b, kvStart := openMsg(b, tag, reserveSmall)
	b = appendStringField(b, tagKeyValueKey, key)
	b, vStart := openMsg(b, tagKeyValueValue, reserveSmall)
	b = appendComposite(b, *v)
	b = closeMsg(b, vStart, reserveSmall)
	return closeMsg(b, kvStart, reserveSmall)
}

// appendKVHead appends everything of a KeyValue field with tag up to the
// body of its AnyValue, which is vs bytes long: the field's tag and length,
// the key, and the value's tag and length.
func appendKVHead(b []byte, tag byte, key string, vs int) []byte {
	b = appendVarint(append(b, tag), uint64(sizeString(key)+1+protowire.SizeBytes(vs)))
	b = appendStringField(b, tagKeyValueKey, key)
	return appendVarint(append(b, tagKeyValueValue), uint64(vs))
}

// appendAnyValue appends v as an AnyValue message field with tag.
func appendAnyValue(b []byte, tag byte, v attribute.Value) []byte {
	if vs, ok := scalarSize(v); ok {
		b = append(b, tag)
		b = protowire.AppendVarint(b, uint64(vs))
		return appendScalar(b, v)
	}
	b, start := openMsg(b, tag, reserveSmall)
	b = appendComposite(b, v)
	return closeMsg(b, start, reserveSmall)
}

// scalarSize returns the size in bytes of the body of the AnyValue that
// holds v, and whether v is a scalar (a value whose body appendScalar
// writes). EMPTY is a scalar with an empty body.
func scalarSize(v attribute.Value) (int, bool) {
	switch v.Type() {
	case attribute.EMPTY:
		return 0, true
	case attribute.BOOL:
		return 2, true
	case attribute.INT64:
		return 1 + protowire.SizeVarint(uint64(v.AsInt64())), true
	case attribute.FLOAT64:
		return 9, true
	case attribute.STRING:
		return 1 + protowire.SizeBytes(len(v.AsString())), true
	case attribute.BOOLSLICE, attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.STRINGSLICE,
		attribute.BYTESLICE, attribute.SLICE, attribute.MAP:
		return 0, false
	default:
		return 1 + protowire.SizeBytes(len(invalid)), true
	}
}

// appendScalar appends the body of the AnyValue holding the scalar v (see
// scalarSize). The oneof member is written even when it is zero, as
// proto.Marshal does for a oneof that is set.
func appendScalar(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.EMPTY:
		return b
	case attribute.BOOL:
		x := byte(0)
		if v.AsBool() {
			x = 1
		}
		return append(b, tagAnyBool, x)
	case attribute.INT64:
		return protowire.AppendVarint(append(b, tagAnyInt), uint64(v.AsInt64()))
	case attribute.FLOAT64:
		return protowire.AppendFixed64(append(b, tagAnyDouble), math.Float64bits(v.AsFloat64()))
	case attribute.STRING:
		return protowire.AppendString(append(b, tagAnyString), v.AsString())
	default:
		return protowire.AppendString(append(b, tagAnyString), invalid)
	}
}

// appendComposite appends the body of the AnyValue holding a slice, bytes
// or map value: an ArrayValue, bytes or a KeyValueList. The SDK's typed-slice
// accessors return a copy, so each such value costs one allocation (as in
// the console encoder); SLICE and MAP values of more than five elements cost
// one more (the attribute package copies them through reflection).
func appendComposite(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.BOOLSLICE:
		b, start := openMsg(b, tagAnyArray, reserveSmall)
		for _, x := range v.AsBoolSlice() {
			y := byte(0)
			if x {
				y = 1
			}
			b = append(b, tagListValues, 2, tagAnyBool, y)
		}
		return closeMsg(b, start, reserveSmall)
	case attribute.INT64SLICE:
		b, start := openMsg(b, tagAnyArray, reserveSmall)
		for _, x := range v.AsInt64Slice() {
			b = append(b, tagListValues, byte(1+protowire.SizeVarint(uint64(x))), tagAnyInt)
			b = protowire.AppendVarint(b, uint64(x))
		}
		return closeMsg(b, start, reserveSmall)
	case attribute.FLOAT64SLICE:
		b, start := openMsg(b, tagAnyArray, reserveSmall)
		for _, x := range v.AsFloat64Slice() {
			b = append(b, tagListValues, 9, tagAnyDouble)
			b = protowire.AppendFixed64(b, math.Float64bits(x))
		}
		return closeMsg(b, start, reserveSmall)
	case attribute.STRINGSLICE:
		b, start := openMsg(b, tagAnyArray, reserveSmall)
		for _, x := range v.AsStringSlice() {
			b = append(b, tagListValues)
			b = protowire.AppendVarint(b, uint64(1+protowire.SizeBytes(len(x))))
			b = protowire.AppendString(append(b, tagAnyString), x)
		}
		return closeMsg(b, start, reserveSmall)
	case attribute.BYTESLICE:
		// The bytes_value member is written even when empty (a oneof).
		return protowire.AppendBytes(append(b, tagAnyBytes), v.AsByteSlice())
	case attribute.SLICE:
		b, start := openMsg(b, tagAnyArray, reserveSmall)
		for _, x := range v.AsSlice() {
			b = appendAnyValue(b, tagListValues, x)
		}
		return closeMsg(b, start, reserveSmall)
	case attribute.MAP:
		b, start := openMsg(b, tagAnyKvlist, reserveSmall)
		b = appendKeyValues(b, tagListValues, v.AsMap())
		return closeMsg(b, start, reserveSmall)
	default:
		return appendScalar(b, v)
	}
}
