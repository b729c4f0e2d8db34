package otlpenc

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"strconv"

	"go.opentelemetry.io/otel/attribute"
)

// pairwiseKeys is the longest attribute list searched for repeated keys by
// comparing every pair; longer ones go through jsonScratch.seen.
const pairwiseKeys = 16

// jsonScratch is memory the OTLP-JSON encodings reuse from one batch to
// the next. The zero value is ready to use.
type jsonScratch struct {
	kvs  []attribute.KeyValue       // a log record's attributes
	seen map[attribute.Key]struct{} // the keys of a long list, while checking it for repeats
}

// hexDigits are the digits json-iterator writes in a \u00XX escape.
const hexDigits = "0123456789abcdef"

// escaped marks the bytes appendEscapedJSON escapes: '"', '\\' and those
// below 0x20. One lookup per byte is the hot loop of the JSON encoding.
var escaped = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// appendStringJSON appends s as a JSON string as json-iterator's
// Stream.WriteString (without HTML escaping) writes it: '"' and '\' are
// escaped with a backslash, \n, \r and \t by name, other bytes below 0x20
// as \u00XX, and every other byte (invalid UTF-8 included) as it is.
func appendStringJSON(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscapedJSON(b, s)
	return append(b, '"')
}

// appendEscapedJSON appends s escaped as in appendStringJSON, without the
// quotes.
func appendEscapedJSON(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !escaped[c] {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	return append(b, s[start:]...)
}

// appendFieldJSON appends field (a quoted name and a colon, and perhaps
// the opening of its value) to the object whose '{' is at b[start], after
// a comma unless it is the object's first field.
func appendFieldJSON(b []byte, start int, field string) []byte {
	if len(b) > start+1 {
		b = append(b, ',')
	}
	return append(b, field...)
}

// appendStringFieldJSON appends field with value s to the object opened
// at start, unless s is empty (as pdata omits empty strings).
func appendStringFieldJSON(b []byte, start int, field, s string) []byte {
	if s == "" {
		return b
	}
	return appendStringJSON(appendFieldJSON(b, start, field), s)
}

// appendOptStringJSON appends field (with its leading comma) and s,
// unless s is empty.
func appendOptStringJSON(b []byte, field, s string) []byte {
	if s == "" {
		return b
	}
	return appendStringJSON(append(b, field...), s)
}

// appendUint32FieldJSON appends field with the number v to the object
// opened at start, unless v is 0.
func appendUint32FieldJSON(b []byte, start int, field string, v uint32) []byte {
	if v == 0 {
		return b
	}
	return strconv.AppendUint(appendFieldJSON(b, start, field), uint64(v), 10)
}

// appendUint64FieldJSON appends field with v as a decimal string (proto3
// JSON's form of 64-bit integers) to the object opened at start, unless v
// is 0.
func appendUint64FieldJSON(b []byte, start int, field string, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = append(appendFieldJSON(b, start, field), '"')
	return append(strconv.AppendUint(b, v, 10), '"')
}

// appendIDFieldJSON appends field with id in lower-case hex to the object
// opened at start, unless id is all zero (pdata's empty id).
func appendIDFieldJSON(b []byte, start int, field string, id []byte) []byte {
	for _, x := range id {
		if x != 0 {
			b = append(appendFieldJSON(b, start, field), '"')
			return append(hex.AppendEncode(b, id), '"')
		}
	}
	return b
}

// appendFloatJSON appends f as pdata writes a double: NaN and ±Inf as the
// strings proto3 JSON names them, other values as json-iterator's
// Stream.WriteFloat64 does (the shortest decimal that reads back as f, in
// exponent form when |f| < 1e-6 or |f| >= 1e21).
func appendFloatJSON(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(b, f, format, -1, 64)
}

// appendAttributesFieldJSON appends the "attributes" field holding kvs to
// the object opened at start; nothing when kvs is empty.
func appendAttributesFieldJSON(b []byte, start int, kvs []attribute.KeyValue, d *jsonScratch) []byte {
	if len(kvs) == 0 {
		return b
	}
	b = appendKeyValuesJSON(appendFieldJSON(b, start, `"attributes":[`), kvs, d)
	return append(b, ']')
}

// appendKeyValuesJSON appends kvs as comma-separated KeyValue objects. A
// key that repeats is written once, at its first position with its last
// value, as pdata's Map.PutEmpty (which otlpjson builds maps with) keeps
// it.
func appendKeyValuesJSON(b []byte, kvs []attribute.KeyValue, d *jsonScratch) []byte {
	if !d.repeats(kvs) {
		for i := range kvs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendKeyValueJSON(b, string(kvs[i].Key), &kvs[i].Value, d)
		}
		return b
	}
	n := 0
	for i := range kvs {
		k := kvs[i].Key
		if indexKey(kvs[:i], k) >= 0 {
			continue // written at its first position
		}
		v := &kvs[i].Value
		for j := len(kvs) - 1; j > i; j-- {
			if kvs[j].Key == k {
				v = &kvs[j].Value
				break
			}
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendKeyValueJSON(b, string(k), v, d)
	}
	return b
}

// repeats reports whether a key occurs more than once in kvs. d may be nil
// (every pair is compared then).
func (d *jsonScratch) repeats(kvs []attribute.KeyValue) bool {
	if len(kvs) <= pairwiseKeys || d == nil {
		for i := 1; i < len(kvs); i++ {
			if indexKey(kvs[:i], kvs[i].Key) >= 0 {
				return true
			}
		}
		return false
	}
	if d.seen == nil {
		d.seen = make(map[attribute.Key]struct{}, len(kvs))
	}
	defer clear(d.seen)
	for i := range kvs {
		if _, ok := d.seen[kvs[i].Key]; ok {
			return true
		}
		d.seen[kvs[i].Key] = struct{}{}
	}
	return false
}

// indexKey returns the index of the first attribute of kvs with key k, or
// -1.
func indexKey(kvs []attribute.KeyValue, k attribute.Key) int {
	for i := range kvs {
		if kvs[i].Key == k {
			return i
		}
	}
	return -1
}

// appendKeyValueJSON appends the KeyValue object {key, v}; pdata omits an
// empty key.
func appendKeyValueJSON(b []byte, key string, v *attribute.Value, d *jsonScratch) []byte {
	if key == "" {
		b = append(b, `{"value":`...)
	} else {
		b = append(b, `{"key":`...)
		b = appendStringJSON(b, key)
		b = append(b, `,"value":`...)
	}
	b = appendValueJSON(b, v, d)
	return append(b, '}')
}

// appendValueJSON appends the AnyValue object holding v, each attribute
// type mapped as otlpjson maps it (setValue): scalars to their member,
// typed slices and SLICE to arrayValue, MAP to kvlistValue, BYTESLICE to
// bytesValue, EMPTY to {}, an unknown type to the string "INVALID". The
// typed-slice accessors copy, so such a value costs one allocation.
func appendValueJSON(b []byte, v *attribute.Value, d *jsonScratch) []byte {
	switch v.Type() {
	case attribute.EMPTY:
		return append(b, "{}"...)
	case attribute.BOOL:
		if v.AsBool() {
			return append(b, `{"boolValue":true}`...)
		}
		return append(b, `{"boolValue":false}`...)
	case attribute.INT64:
		b = strconv.AppendInt(append(b, `{"intValue":"`...), v.AsInt64(), 10)
		return append(b, `"}`...)
	case attribute.FLOAT64:
		return append(appendFloatJSON(append(b, `{"doubleValue":`...), v.AsFloat64()), '}')
	case attribute.STRING:
		return append(appendStringJSON(append(b, `{"stringValue":`...), v.AsString()), '}')
	case attribute.BYTESLICE:
		b = base64.StdEncoding.AppendEncode(append(b, `{"bytesValue":"`...), v.AsByteSlice())
		return append(b, `"}`...)
	case attribute.BOOLSLICE:
		return appendArrayJSON(b, v.AsBoolSlice(), func(b []byte, x bool) []byte {
			if x {
				return append(b, `{"boolValue":true}`...)
			}
			return append(b, `{"boolValue":false}`...)
		})
	case attribute.INT64SLICE:
		return appendArrayJSON(b, v.AsInt64Slice(), func(b []byte, x int64) []byte {
			b = strconv.AppendInt(append(b, `{"intValue":"`...), x, 10)
			return append(b, `"}`...)
		})
	case attribute.FLOAT64SLICE:
		return appendArrayJSON(b, v.AsFloat64Slice(), func(b []byte, x float64) []byte {
			return append(appendFloatJSON(append(b, `{"doubleValue":`...), x), '}')
		})
	case attribute.STRINGSLICE:
		return appendArrayJSON(b, v.AsStringSlice(), func(b []byte, x string) []byte {
			return append(appendStringJSON(append(b, `{"stringValue":`...), x), '}')
		})
	case attribute.SLICE:
		return appendArrayJSON(b, v.AsSlice(), func(b []byte, x attribute.Value) []byte {
			return appendValueJSON(b, &x, d)
		})
	case attribute.MAP:
		kvs := v.AsMap()
		if len(kvs) == 0 {
			return append(b, `{"kvlistValue":{}}`...)
		}
		b = appendKeyValuesJSON(append(b, `{"kvlistValue":{"values":[`...), kvs, d)
		return append(b, "]}}"...)
	default:
		return append(b, `{"stringValue":"INVALID"}`...)
	}
}

// appendArrayJSON appends the AnyValue object holding an ArrayValue of
// xs, each element's AnyValue written by elem.
func appendArrayJSON[T any](b []byte, xs []T, elem func([]byte, T) []byte) []byte {
	if len(xs) == 0 {
		return append(b, `{"arrayValue":{}}`...)
	}
	b = append(b, `{"arrayValue":{"values":[`...)
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = elem(b, x)
	}
	return append(b, "]}}"...)
}
