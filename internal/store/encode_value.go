package store

import (
	"encoding/binary"
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Attribute maps and values (FORMAT.md, "Payloads"), cut to the ingest
// limits as they are written (see limits.go). Writing recurses once per
// nesting level, and never past protoDepthLimit.

func (e *encoder) keyID(k string) uint64 {
	if id, ok := e.keys[k]; ok {
		return id
	}
	id := e.d.key(k)
	if len(e.keys) < 4096 {
		e.keys[k] = id
	}
	return id
}

func appendStr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// appendKey writes an interned key as uv id<<1 and another as uv
// len<<1|1 followed by its bytes.
func (e *encoder) appendKey(b []byte, k string, intern bool) []byte {
	if intern {
		if id := e.keyID(k); id != 0 {
			return binary.AppendUvarint(b, id<<1)
		}
	}
	return append(binary.AppendUvarint(b, uint64(len(k))<<1|1), k...)
}

// appendMap writes the first e.lim.attrs entries of m, whose values are
// AnyValues at proto depth pd, and adds the entries it drops (here and
// in nested lists) to e.dropped.
func (e *encoder) appendMap(b []byte, m pcommon.Map, pd int, intern bool) []byte {
	n := m.Len()
	keep := min(n, e.lim.attrs)
	if drop := n - keep; drop > 0 {
		e.dropped += drop
		e.cut.attrs += int64(drop)
	}
	b = binary.AppendUvarint(b, uint64(keep))
	kind := e.indexKind
	e.indexKind = 0
	i := 0
	m.Range(func(k string, v pcommon.Value) bool {
		if i == keep {
			return false
		}
		i++
		if kind != 0 {
			e.index(kind, k, v)
		}
		b = e.appendKey(b, k, intern)
		b = e.appendValue(b, v, pd, intern)
		return true
	})
	return b
}

// index adds the items of attribute k = v of a span (kind itemSpanKey)
// or resource (itemResKey).
func (e *encoder) index(kind byte, k string, v pcommon.Value) {
	kh := keyHash(k)
	// The key's item once per batch, mostly: a span's keys are its
	// neighbours' keys.
	if seen := &e.keysSeen[kh%uint64(len(e.keysSeen))]; *seen != kh^uint64(kind) {
		*seen = kh ^ uint64(kind)
		e.items.add(keyItemOf(kh, kind))
	}
	valueKind := itemSpanAttr
	if kind == itemResKey {
		valueKind = itemResAttr
	}
	if x, ok := valueItem(kh, valueKind, v, e.lim.valueBytes); ok {
		e.items.add(x)
	}
}

// appendValue writes v, an AnyValue at proto depth pd: strings and bytes
// cut to e.lim.valueBytes, an array or list nested past protoDepthLimit
// as deepPlaceholder.
func (e *encoder) appendValue(b []byte, v pcommon.Value, pd int, intern bool) []byte {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		s := v.Str()
		if len(s) > e.lim.valueBytes {
			s = truncUTF8(s, e.lim.valueBytes)
			e.cut.truncated++
		}
		return appendStr(append(b, tagStr), s)
	case pcommon.ValueTypeBool:
		if v.Bool() {
			return append(b, tagTrue)
		}
		return append(b, tagFalse)
	case pcommon.ValueTypeInt:
		return binary.AppendVarint(append(b, tagInt), v.Int())
	case pcommon.ValueTypeDouble:
		return binary.LittleEndian.AppendUint64(append(b, tagDouble), math.Float64bits(v.Double()))
	case pcommon.ValueTypeBytes:
		raw := v.Bytes().AsRaw()
		if len(raw) > e.lim.valueBytes {
			raw = raw[:e.lim.valueBytes]
			e.cut.truncated++
		}
		return append(binary.AppendUvarint(append(b, tagBytes), uint64(len(raw))), raw...)
	case pcommon.ValueTypeSlice:
		s := v.Slice()
		if !fitsProto(pd, s.Len(), false) {
			e.cut.deep++
			return appendStr(append(b, tagStr), deepPlaceholder)
		}
		b = binary.AppendUvarint(append(b, tagSlice), uint64(s.Len()))
		for i := 0; i < s.Len(); i++ {
			b = e.appendValue(b, s.At(i), childDepth(pd, false), intern)
		}
		return b
	case pcommon.ValueTypeMap:
		m := v.Map()
		if !fitsProto(pd, m.Len(), true) {
			e.cut.deep++
			return appendStr(append(b, tagStr), deepPlaceholder)
		}
		return e.appendMap(append(b, tagMap), m, childDepth(pd, true), intern)
	}
	return append(b, tagEmpty)
}

// bodyText is the text form of a log body that is not a string, for the
// logs.body column (text search): the body as stored (cut to the limits)
// in the form pcommon.Value.AsString gives (JSON for arrays and lists),
// at most e.lim.valueBytes long. It counts no cuts: the payload's copy of
// the body does.
func (e *encoder) bodyText(v pcommon.Value) string {
	saved, dropped := e.cut, e.dropped
	e.text = e.appendValue(e.text[:0], v, bodyValueDepth, false)
	e.cut, e.dropped = saved, dropped
	d := decoder{b: e.text}
	x := d.jsonValue(0)
	if d.err != nil {
		return ""
	}
	return truncUTF8(attrString(x), e.lim.valueBytes)
}
