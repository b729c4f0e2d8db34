package store

import (
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
)

// OTLP protobuf written straight from the stored payloads: a trace as a
// TracesData message (opentelemetry/proto/trace/v1/trace.proto) for
// TraceOTLPProto, and large attribute maps for TraceOTLP, which pdata's
// decoder turns into a pcommon.Map in one linear pass. Repeated keys of
// a map collapse as pcommon.Map.PutEmpty would collapse them: into the
// first one's place, with the last one's value. Values nested too deep
// for pdata's decoder (protoDepthLimit; only data stored before that
// limit) are written as deepPlaceholder.

// OTLP field numbers.
const (
	fTracesResourceSpans = 1

	fResourceSpansResource   = 1
	fResourceSpansScopeSpans = 2
	fResourceSpansSchemaURL  = 3

	fResourceAttributes = 1
	fResourceDropped    = 2

	fScopeSpansScope     = 1
	fScopeSpansSpans     = 2
	fScopeSpansSchemaURL = 3

	fScopeName       = 1
	fScopeVersion    = 2
	fScopeAttributes = 3
	fScopeDropped    = 4

	fSpanTraceID       = 1
	fSpanSpanID        = 2
	fSpanTraceState    = 3
	fSpanParentSpanID  = 4
	fSpanName          = 5
	fSpanKind          = 6
	fSpanStart         = 7
	fSpanEnd           = 8
	fSpanAttributes    = 9
	fSpanDroppedAttrs  = 10
	fSpanEvents        = 11
	fSpanDroppedEvents = 12
	fSpanLinks         = 13
	fSpanDroppedLinks  = 14
	fSpanStatus        = 15
	fSpanFlags         = 16

	fEventTime       = 1
	fEventName       = 2
	fEventAttributes = 3
	fEventDropped    = 4

	fLinkTraceID    = 1
	fLinkSpanID     = 2
	fLinkTraceState = 3
	fLinkAttributes = 4
	fLinkDropped    = 5
	fLinkFlags      = 6

	fStatusMessage = 2
	fStatusCode    = 3

	fKeyValueKey   = 1
	fKeyValueValue = 2

	fAnyString = 1
	fAnyBool   = 2
	fAnyInt    = 3
	fAnyDouble = 4
	fAnyArray  = 5
	fAnyKVList = 6
	fAnyBytes  = 7

	fArrayValues  = 1
	fKVListValues = 1
)

// pbWriter appends protobuf. A message whose size is not known before it
// is written is opened with a one-byte length placeholder and closed by
// patching it, moving the content when the length needs more bytes: each
// byte moves at most once per enclosing message, and messages nest at
// most protoDepthLimit deep.
type pbWriter struct {
	b    []byte
	ents []pbEntry           // map entries being written, stacked by nesting
	seen map[string]struct{} // scratch for finding repeated keys
}

// pbEntry is a stored map entry: its key and its encoded value.
type pbEntry struct {
	key string
	val []byte
}

func (w *pbWriter) open(f protowire.Number) int {
	w.b = append(protowire.AppendTag(w.b, f, protowire.BytesType), 0)
	return len(w.b)
}

func (w *pbWriter) close(start int) {
	n := len(w.b) - start
	if n < 0x80 {
		w.b[start-1] = byte(n)
		return
	}
	k := protowire.SizeVarint(uint64(n))
	w.b = slices.Grow(w.b, k-1)[:len(w.b)+k-1]
	copy(w.b[start+k-1:], w.b[start:start+n])
	protowire.AppendVarint(w.b[:start-1], uint64(n))
}

func (w *pbWriter) bytes(f protowire.Number, p []byte) {
	w.b = protowire.AppendBytes(protowire.AppendTag(w.b, f, protowire.BytesType), p)
}

func (w *pbWriter) str(f protowire.Number, s string) {
	w.b = protowire.AppendString(protowire.AppendTag(w.b, f, protowire.BytesType), s)
}

// optStr writes s unless it is empty (proto3's default).
func (w *pbWriter) optStr(f protowire.Number, s string) {
	if s != "" {
		w.str(f, s)
	}
}

func (w *pbWriter) varint(f protowire.Number, v uint64) {
	w.b = protowire.AppendVarint(protowire.AppendTag(w.b, f, protowire.VarintType), v)
}

// optVarint writes v unless it is 0 (proto3's default).
func (w *pbWriter) optVarint(f protowire.Number, v uint64) {
	if v != 0 {
		w.varint(f, v)
	}
}

func (w *pbWriter) fixed64(f protowire.Number, v uint64) {
	w.b = protowire.AppendFixed64(protowire.AppendTag(w.b, f, protowire.Fixed64Type), v)
}

func (w *pbWriter) fixed32(f protowire.Number, v uint32) {
	w.b = protowire.AppendFixed32(protowire.AppendTag(w.b, f, protowire.Fixed32Type), v)
}

// attrs writes the stored map raw (from skipMap) as repeated KeyValue
// fields f of an item's attributes.
func (w *pbWriter) attrs(f protowire.Number, raw []byte, v *dictView, st *stopper) error {
	if len(raw) == 0 {
		return nil
	}
	d := decoder{b: raw, v: v, st: st}
	w.kvs(&d, d.count(), f, attrValueDepth, 0)
	return d.err
}

// kvs writes the n entries of a stored map read by d as repeated KeyValue
// fields f whose values are AnyValues at proto depth pd and nesting level
// lvl (bounded by maxDepth, like every reader's).
func (w *pbWriter) kvs(d *decoder, n int, f protowire.Number, pd, lvl int) {
	base := len(w.ents)
	defer func() { w.ents = w.ents[:base] }()
	w.ents = slices.Grow(w.ents, n) // n is at most the bytes left
	size := 0                       // about the bytes the entries take as protobuf
	for ; n > 0 && d.tick(); n-- {
		k := d.key()
		rest := d.b
		d.skipValue(lvl)
		if d.err == nil {
			w.ents = append(w.ents, pbEntry{k, rest[:len(rest)-len(d.b)]})
			size += len(k) + len(rest) - len(d.b) + 8
		}
	}
	if d.err != nil {
		return
	}
	w.b = slices.Grow(w.b, size)
	// ents stays valid while nested maps stack their entries after it.
	ents := w.ents[base:]
	order := w.dedup(ents)
	n = len(ents)
	if order != nil {
		n = len(order)
	}
	end := d.b // d reads each value, then returns to the map's end
	for i := range n {
		e := ents[i]
		if order != nil {
			e = ents[order[i]]
		}
		kv := w.open(f)
		w.optStr(fKeyValueKey, e.key)
		av := w.open(fKeyValueValue)
		d.b = e.val
		w.value(d, pd, lvl)
		w.close(av)
		w.close(kv)
		if d.err != nil {
			return
		}
	}
	d.b = end
}

// dedup returns nil when no key of ents repeats; else, for each distinct
// key in order of first appearance, the index of its last entry.
func (w *pbWriter) dedup(ents []pbEntry) []int {
	if !w.repeats(ents) {
		return nil
	}
	last := make(map[string]int, len(ents))
	for i, e := range ents {
		last[e.key] = i
	}
	order := make([]int, 0, len(last))
	for _, e := range ents {
		if j, ok := last[e.key]; ok {
			order = append(order, j)
			delete(last, e.key)
		}
	}
	return order
}

// repeats reports whether a key of ents repeats: by comparing pairs in a
// small map, else with a set (kept for the next map unless large, so
// clearing it stays cheap).
func (w *pbWriter) repeats(ents []pbEntry) bool {
	const small, reuse = 16, 1024
	if len(ents) <= small {
		for i := 1; i < len(ents); i++ {
			for j := range i {
				if ents[i].key == ents[j].key {
					return true
				}
			}
		}
		return false
	}
	seen := w.seen
	if seen == nil || len(ents) > reuse {
		seen = make(map[string]struct{}, len(ents))
	}
	found := false
	for _, e := range ents {
		if _, ok := seen[e.key]; ok {
			found = true
			break
		}
		seen[e.key] = struct{}{}
	}
	if len(ents) <= reuse {
		clear(seen)
		w.seen = seen
	}
	return found
}

// value writes the content of an AnyValue at proto depth pd and nesting
// level lvl from the stored value read by d.
func (w *pbWriter) value(d *decoder, pd, lvl int) {
	if lvl > maxDepth {
		d.fail("values nested too deep")
		return
	}
	switch t := d.byte1(); t {
	case tagEmpty:
	case tagStr:
		w.bytes(fAnyString, d.raw(d.uvarint()))
	case tagFalse:
		w.varint(fAnyBool, 0)
	case tagTrue:
		w.varint(fAnyBool, 1)
	case tagInt:
		w.varint(fAnyInt, uint64(d.varint()))
	case tagDouble:
		w.fixed64(fAnyDouble, d.fixed64())
	case tagBytes:
		w.bytes(fAnyBytes, d.raw(d.uvarint()))
	case tagSlice:
		n := d.count()
		if !fitsProto(pd, n, false) {
			d.skipElements(n, lvl)
			w.str(fAnyString, deepPlaceholder)
			return
		}
		arr := w.open(fAnyArray)
		for ; n > 0 && d.tick(); n-- {
			el := w.open(fArrayValues)
			w.value(d, childDepth(pd, false), lvl+1)
			w.close(el)
		}
		w.close(arr)
	case tagMap:
		n := d.count()
		if !fitsProto(pd, n, true) {
			d.skipEntries(n, lvl)
			w.str(fAnyString, deepPlaceholder)
			return
		}
		list := w.open(fAnyKVList)
		w.kvs(d, n, fKVListValues, childDepth(pd, true), lvl+1)
		w.close(list)
	default:
		d.fail("unknown value tag %d", t)
	}
}
