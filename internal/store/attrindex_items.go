package store

import (
	"encoding/base64"
	"math"
	"math/bits"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// The attribute index (FORMAT.md, "Attribute index") answers "which
// traces may have this attribute value, span name, status or kind" with
// Bloom filters over items: 64-bit hashes of what a span or its resource
// has. An item is a kind, a key and a value:
//
//	itemSpanAttr, itemResAttr   key and scalar value of a span / resource attribute
//	itemSpanKey, itemResKey     key alone: the attribute exists
//	itemName                    the span name
//	itemStatus, itemKind        status code and span kind as numbers
//
// Scalar values are typed: strings (bytes values as their base64, the
// string form the query API compares), numbers (ints and doubles as the
// float64 they equal, so 5 and 5.0 are one item) and booleans. Arrays
// and maps get the key item only. Values are hashed as stored, after the
// ingest limits cut them.
const (
	itemSpanAttr byte = iota + 1
	itemResAttr
	itemSpanKey
	itemResKey
	itemName
	itemStatus
	itemKind
)

// Value tags inside an item.
const (
	itemNoValue byte = iota
	itemString
	itemNumber
	itemBool
)

// Items are hashed 8 bytes at a time (a multiply-rotate round as in
// xxHash64) and finished by MurmurHash3's 64-bit mixer, so every bit of
// the result depends on every input bit (the Bloom filters take two
// 32-bit halves). The key's hash is the start of both of its items.
const (
	itemK1 = 0x9E3779B185EBCA87
	itemK2 = 0xC2B2AE3D27D4EB4F
)

func itemMix(h, w uint64) uint64 {
	h ^= w * itemK2
	return bits.RotateLeft64(h, 31) * itemK1
}

// itemStr mixes s into h: its length, then its bytes, 8 at a time.
func itemStr(h uint64, s string) uint64 {
	h = itemMix(h, uint64(len(s)))
	for ; len(s) >= 8; s = s[8:] {
		h = itemMix(h, uint64(s[0])|uint64(s[1])<<8|uint64(s[2])<<16|uint64(s[3])<<24|
			uint64(s[4])<<32|uint64(s[5])<<40|uint64(s[6])<<48|uint64(s[7])<<56)
	}
	var t uint64
	for i := len(s) - 1; i >= 0; i-- {
		t = t<<8 | uint64(s[i])
	}
	return itemMix(h, t)
}

func itemSum(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	if h == 0 {
		h = 1 // 0 marks an empty slot in itemSet
	}
	return h
}

// keyHash is the start of the items of key.
func keyHash(key string) uint64 { return itemStr(itemK1, key) }

func itemHead(kh uint64, kind, tag byte) uint64 { return itemMix(kh, uint64(kind)<<8|uint64(tag)) }

// keyItem is the item of an attribute key (kind itemSpanKey or itemResKey).
func keyItem(kind byte, key string) uint64 { return keyItemOf(keyHash(key), kind) }

func keyItemOf(kh uint64, kind byte) uint64 { return itemSum(itemHead(kh, kind, itemNoValue)) }

// strItem, numItem and boolItem are the items of a key with a value.
func strItem(kind byte, key, v string) uint64 { return strItemOf(keyHash(key), kind, v) }

func strItemOf(kh uint64, kind byte, v string) uint64 {
	return itemSum(itemStr(itemHead(kh, kind, itemString), v))
}

func numItem(kind byte, key string, f float64) uint64 { return numItemOf(keyHash(key), kind, f) }

func numItemOf(kh uint64, kind byte, f float64) uint64 {
	if f == 0 {
		f = 0 // -0 and +0 are one number
	}
	b := math.Float64bits(f)
	if f != f {
		b = 0x7ff8000000000001 // one NaN
	}
	return itemSum(itemMix(itemHead(kh, kind, itemNumber), b))
}

func boolItem(kind byte, key string, v bool) uint64 { return boolItemOf(keyHash(key), kind, v) }

func boolItemOf(kh uint64, kind byte, v bool) uint64 {
	b := uint64(0)
	if v {
		b = 1
	}
	return itemSum(itemMix(itemHead(kh, kind, itemBool), b))
}

// nameItem, statusItem and kindItem are the items of a span's name,
// status code (OTLP numbering) and kind (OTLP numbering).
func nameItem(name string) uint64 { return strItemOf(itemK2, itemName, name) }
func statusItem(code int64) uint64 {
	return itemSum(itemMix(itemHead(itemK2, itemStatus, itemNumber), uint64(code)))
}
func kindItem(kind int64) uint64 {
	return itemSum(itemMix(itemHead(itemK2, itemKind, itemNumber), uint64(kind)))
}

// valueItem is the item of an attribute with key hash kh and value v as
// stored (cut to valueBytes), and false for arrays and maps, which have
// the key item only.
func valueItem(kh uint64, kind byte, v pcommon.Value, valueBytes int) (uint64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return strItemOf(kh, kind, truncUTF8(v.Str(), valueBytes)), true
	case pcommon.ValueTypeBool:
		return boolItemOf(kh, kind, v.Bool()), true
	case pcommon.ValueTypeInt:
		return numItemOf(kh, kind, float64(v.Int())), true
	case pcommon.ValueTypeDouble:
		return numItemOf(kh, kind, v.Double()), true
	case pcommon.ValueTypeBytes:
		raw := v.Bytes().AsRaw()
		raw = raw[:min(len(raw), valueBytes)]
		return strItemOf(kh, kind, base64.StdEncoding.EncodeToString(raw)), true
	case pcommon.ValueTypeEmpty:
		return strItemOf(kh, kind, ""), true
	}
	return 0, false
}

// stringFormItems returns items of which a trace has at least one when
// one of its attributes key (of kind: span or resource) has the string
// form s (pcommon.Value.AsString), and ok false when no such set can be
// given (s could be an array's or map's JSON form, which is not
// indexed).
func stringFormItems(kind byte, key, s string) (items []uint64, ok bool) {
	if strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{") {
		return nil, false
	}
	items = append(items, strItem(kind, key, s))
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		items = append(items, numItem(kind, key, float64(i)))
	} else if f, err := strconv.ParseFloat(s, 64); err == nil {
		items = append(items, numItem(kind, key, f))
	}
	if b, err := strconv.ParseBool(s); err == nil && (s == "true" || s == "false") {
		items = append(items, boolItem(kind, key, b))
	}
	return items, true
}

// itemSet is a set of items: open addressing over a power-of-two table,
// 0 marking an empty slot (items are never 0), behind a small
// direct-mapped cache of items added lately, which answers the many
// repeats (keys, names, common values) from the first level cache.
type itemSet struct {
	slots  []uint64
	n      int
	recent [512]uint64
}

// init makes room for about n items.
func (s *itemSet) init(n int) {
	size := 256
	for size*3 < n*4 && size < 1<<20 {
		size *= 2
	}
	s.slots, s.n, s.recent = make([]uint64, size), 0, [512]uint64{}
}

func (s *itemSet) add(x uint64) {
	r := &s.recent[x%uint64(len(s.recent))]
	if *r == x {
		return
	}
	*r = x
	s.insert(x)
}

func (s *itemSet) insert(x uint64) {
	if 4*(s.n+1) > 3*len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := x & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case x:
			return
		case 0:
			s.slots[i] = x
			s.n++
			return
		}
	}
}

func (s *itemSet) grow() {
	old := s.slots
	s.slots = make([]uint64, max(256, 2*len(old)))
	s.n = 0
	for _, x := range old {
		if x != 0 {
			s.insert(x) // not add: the recent cache holds x already
		}
	}
}

// list returns the items in no particular order.
func (s *itemSet) list() []uint64 {
	out := make([]uint64, 0, s.n)
	for _, x := range s.slots {
		if x != 0 {
			out = append(out, x)
		}
	}
	return out
}

func (s *itemSet) len() int { return s.n }
