package store

import (
	"compress/flate"
	"encoding/binary"
	"math"
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The payload encoding (FORMAT.md, "Payloads"): a format byte, then the
// body, either as is (formatRaw) or deflated (formatFlate). Bodies are
// sequences of unsigned LEB128 varints (uv), zigzag varints (zv), strings
// (uv length + UTF-8 bytes) and fixed-size ids, with a presence bit set
// first so absent fields cost nothing.

const (
	formatRaw   = 1
	formatFlate = 2
)

// Values, in attribute maps and log bodies.
const (
	tagEmpty  = 0
	tagStr    = 1
	tagFalse  = 2
	tagTrue   = 3
	tagInt    = 4 // zv
	tagDouble = 5 // 8 bytes, little-endian IEEE 754 bits
	tagBytes  = 6 // uv length + bytes
	tagSlice  = 7 // uv count + values
	tagMap    = 8 // uv count + (key, value) entries
)

// maxDepth bounds the nesting of arrays and maps. A deeper value (never
// seen in practice) is stored as its string form (pcommon.Value.AsString).
const maxDepth = 64

// Span body presence bits.
const (
	spanParent = 1 << iota
	spanKind
	spanFlags
	spanTraceState
	spanStatusCode
	spanStatusMessage
	spanAttrs
	spanDroppedAttrs
	spanEvents
	spanDroppedEvents
	spanLinks
	spanDroppedLinks
	spanInlineName
)

// compressMin is the body size from which compression is tried; deflate
// is kept when it saves at least an eighth.
const compressMin = 256

var flateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed) // the level is valid: no error
	return w
}}

type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// encoder encodes one batch's payloads, interning keys through the
// Store's dictionary (with a local cache, so most lookups take no lock).
type encoder struct {
	d     *dict
	keys  map[string]uint64
	body  []byte // scratch
	out   appendWriter
	arena []byte // payloads of the batch, sub-sliced
}

func newEncoder(d *dict) *encoder {
	return &encoder{d: d, keys: make(map[string]uint64, 64)}
}

// keep copies p into the batch's arena and returns the copy.
func (e *encoder) keep(p []byte) []byte {
	if cap(e.arena)-len(e.arena) < len(p) {
		e.arena = make([]byte, 0, max(64<<10, len(p)))
	}
	n := len(e.arena)
	e.arena = append(e.arena, p...)
	return e.arena[n:len(e.arena):len(e.arena)]
}

// payload finishes body as a payload (compressing it when that pays)
// kept in the arena.
func (e *encoder) payload(body []byte) []byte {
	if len(body) >= compressMin {
		w, ok := flateWriters.Get().(*flate.Writer)
		if !ok {
			w, _ = flate.NewWriter(nil, flate.BestSpeed) // the level is valid: no error
		}
		e.out.b = append(e.out.b[:0], formatFlate)
		w.Reset(&e.out)
		_, _ = w.Write(body) // appendWriter never fails
		_ = w.Close()
		flateWriters.Put(w)
		if len(e.out.b) <= len(body)-len(body)/8 {
			return e.keep(e.out.b)
		}
	}
	e.out.b = append(append(e.out.b[:0], formatRaw), body...)
	return e.keep(e.out.b)
}

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

func (e *encoder) appendMap(b []byte, m pcommon.Map, depth int, intern bool) []byte {
	b = binary.AppendUvarint(b, uint64(m.Len()))
	m.Range(func(k string, v pcommon.Value) bool {
		b = e.appendKey(b, k, intern)
		b = e.appendValue(b, v, depth, intern)
		return true
	})
	return b
}

func (e *encoder) appendValue(b []byte, v pcommon.Value, depth int, intern bool) []byte {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return appendStr(append(b, tagStr), v.Str())
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
		return append(binary.AppendUvarint(append(b, tagBytes), uint64(len(raw))), raw...)
	case pcommon.ValueTypeSlice:
		if depth >= maxDepth {
			return appendStr(append(b, tagStr), v.AsString())
		}
		s := v.Slice()
		b = binary.AppendUvarint(append(b, tagSlice), uint64(s.Len()))
		for i := 0; i < s.Len(); i++ {
			b = e.appendValue(b, s.At(i), depth+1, intern)
		}
		return b
	case pcommon.ValueTypeMap:
		if depth >= maxDepth {
			return appendStr(append(b, tagStr), v.AsString())
		}
		return e.appendMap(append(b, tagMap), v.Map(), depth+1, intern)
	}
	return append(b, tagEmpty)
}

// resourceData encodes a resource with its schema URL (keys inline: the
// encoding is the resource's identity in the dictionary).
func (e *encoder) resourceData(r pcommon.Resource, schemaURL string) []byte {
	b := append(e.body[:0], formatRaw)
	b = appendStr(b, schemaURL)
	b = binary.AppendUvarint(b, uint64(r.DroppedAttributesCount()))
	b = e.appendMap(b, r.Attributes(), 0, false)
	e.body = b
	return b
}

// scopeData encodes an instrumentation scope with its schema URL.
func (e *encoder) scopeData(s pcommon.InstrumentationScope, schemaURL string) []byte {
	b := append(e.body[:0], formatRaw)
	b = appendStr(b, s.Name())
	b = appendStr(b, s.Version())
	b = appendStr(b, schemaURL)
	b = binary.AppendUvarint(b, uint64(s.DroppedAttributesCount()))
	b = e.appendMap(b, s.Attributes(), 0, false)
	e.body = b
	return b
}

// spanPayload encodes everything of a span but its trace id, span id and
// start, which are the row's key.
func (e *encoder) spanPayload(sp ptrace.Span, resource, scope, name uint64) []byte {
	var bits uint64
	parent := sp.ParentSpanID()
	if !parent.IsEmpty() {
		bits |= spanParent
	}
	if sp.Kind() != 0 {
		bits |= spanKind
	}
	if sp.Flags() != 0 {
		bits |= spanFlags
	}
	ts := sp.TraceState().AsRaw()
	if ts != "" {
		bits |= spanTraceState
	}
	st := sp.Status()
	if st.Code() != 0 {
		bits |= spanStatusCode
	}
	if st.Message() != "" {
		bits |= spanStatusMessage
	}
	if sp.Attributes().Len() > 0 {
		bits |= spanAttrs
	}
	if sp.DroppedAttributesCount() != 0 {
		bits |= spanDroppedAttrs
	}
	if sp.Events().Len() > 0 {
		bits |= spanEvents
	}
	if sp.DroppedEventsCount() != 0 {
		bits |= spanDroppedEvents
	}
	if sp.Links().Len() > 0 {
		bits |= spanLinks
	}
	if sp.DroppedLinksCount() != 0 {
		bits |= spanDroppedLinks
	}
	if name == 0 {
		bits |= spanInlineName
	}
	b := binary.AppendUvarint(e.body[:0], bits)
	b = binary.AppendUvarint(b, resource)
	b = binary.AppendUvarint(b, scope)
	if name == 0 {
		b = appendStr(b, sp.Name())
	} else {
		b = binary.AppendUvarint(b, name)
	}
	start := sp.StartTimestamp()
	b = binary.AppendUvarint(b, uint64(sp.EndTimestamp()-start))
	if bits&spanParent != 0 {
		b = append(b, parent[:]...)
	}
	if bits&spanKind != 0 {
		b = binary.AppendUvarint(b, uint64(sp.Kind()))
	}
	if bits&spanFlags != 0 {
		b = binary.AppendUvarint(b, uint64(sp.Flags()))
	}
	if bits&spanTraceState != 0 {
		b = appendStr(b, ts)
	}
	if bits&spanStatusCode != 0 {
		b = binary.AppendUvarint(b, uint64(st.Code()))
	}
	if bits&spanStatusMessage != 0 {
		b = appendStr(b, st.Message())
	}
	if bits&spanAttrs != 0 {
		b = e.appendMap(b, sp.Attributes(), 0, true)
	}
	if bits&spanDroppedAttrs != 0 {
		b = binary.AppendUvarint(b, uint64(sp.DroppedAttributesCount()))
	}
	if bits&spanEvents != 0 {
		evs := sp.Events()
		b = binary.AppendUvarint(b, uint64(evs.Len()))
		for i := 0; i < evs.Len(); i++ {
			ev := evs.At(i)
			b = binary.AppendVarint(b, int64(ev.Timestamp())-int64(start))
			b = appendStr(b, ev.Name())
			b = e.appendMap(b, ev.Attributes(), 0, true)
			b = binary.AppendUvarint(b, uint64(ev.DroppedAttributesCount()))
		}
	}
	if bits&spanDroppedEvents != 0 {
		b = binary.AppendUvarint(b, uint64(sp.DroppedEventsCount()))
	}
	if bits&spanLinks != 0 {
		links := sp.Links()
		b = binary.AppendUvarint(b, uint64(links.Len()))
		for i := 0; i < links.Len(); i++ {
			l := links.At(i)
			tid, sid := l.TraceID(), l.SpanID()
			b = append(append(b, tid[:]...), sid[:]...)
			b = appendStr(b, l.TraceState().AsRaw())
			b = e.appendMap(b, l.Attributes(), 0, true)
			b = binary.AppendUvarint(b, uint64(l.DroppedAttributesCount()))
			b = binary.AppendUvarint(b, uint64(l.Flags()))
		}
	}
	if bits&spanDroppedLinks != 0 {
		b = binary.AppendUvarint(b, uint64(sp.DroppedLinksCount()))
	}
	e.body = b
	return e.payload(b)
}
