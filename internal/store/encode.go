package store

import (
	"compress/flate"
	"encoding/binary"
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

// maxDepth bounds the nesting of arrays and maps that readers accept
// (data written before protoDepthLimit bounded it may nest this deep).
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
// Store's dictionary (with a local cache, so most lookups take no lock),
// and cuts what is past the ingest limits.
type encoder struct {
	d     *dict
	lim   limits
	keys  map[string]uint64
	body  []byte // scratch
	rest  []byte // scratch: a body after its presence bits
	text  []byte // scratch: a log body encoded for its text form
	out   appendWriter
	arena []byte // payloads of the batch, sub-sliced

	cut     cuts // what the limits cut from the batch
	dropped int  // attributes dropped from the item being encoded

	// indexKind, when not 0, makes the next appendMap add the items of
	// its entries to items (itemSpanKey: a span's attributes, itemResKey:
	// a resource's); appendMap clears it, so nested maps add nothing.
	indexKind byte
	items     itemSet    // the batch's attribute index items
	keysSeen  [64]uint64 // hashes (^ kind) of keys whose item is in items
	namesSeen [64]uint64 // interned span names whose item is in items
}

// The items of the status codes and kinds OTLP defines.
var (
	statusItems = [...]uint64{statusItem(0), statusItem(1), statusItem(2)}
	kindItems   = [...]uint64{kindItem(0), kindItem(1), kindItem(2), kindItem(3), kindItem(4), kindItem(5)}
)

// indexSpan adds the items of span sp's name (interned as name, 0 if
// not), status and kind.
func (e *encoder) indexSpan(sp ptrace.Span, name uint64) {
	if seen := &e.namesSeen[name%uint64(len(e.namesSeen))]; name == 0 || *seen != name {
		*seen = name
		e.items.add(nameItem(sp.Name()))
	}
	if c := int(sp.Status().Code()); c >= 0 && c < len(statusItems) {
		e.items.add(statusItems[c])
	} else {
		e.items.add(statusItem(int64(c)))
	}
	if k := int(sp.Kind()); k >= 0 && k < len(kindItems) {
		e.items.add(kindItems[k])
	} else {
		e.items.add(kindItem(int64(k)))
	}
}

func newEncoder(d *dict, lim limits) *encoder {
	return &encoder{d: d, lim: lim, keys: make(map[string]uint64, 64)}
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

// resourceData encodes a resource with its schema URL (keys inline: the
// encoding is the resource's identity in the dictionary).
func (e *encoder) resourceData(r pcommon.Resource, schemaURL string) []byte {
	e.dropped = 0
	attrs := e.appendMap(e.rest[:0], r.Attributes(), attrValueDepth, false)
	e.rest = attrs
	b := append(e.body[:0], formatRaw)
	b = appendStr(b, schemaURL)
	b = binary.AppendUvarint(b, addDropped(r.DroppedAttributesCount(), e.dropped))
	b = append(b, attrs...)
	e.body = b
	return b
}

// scopeData encodes an instrumentation scope with its schema URL.
func (e *encoder) scopeData(s pcommon.InstrumentationScope, schemaURL string) []byte {
	e.dropped = 0
	attrs := e.appendMap(e.rest[:0], s.Attributes(), attrValueDepth, false)
	e.rest = attrs
	b := append(e.body[:0], formatRaw)
	b = appendStr(b, s.Name())
	b = appendStr(b, s.Version())
	b = appendStr(b, schemaURL)
	b = binary.AppendUvarint(b, addDropped(s.DroppedAttributesCount(), e.dropped))
	b = append(b, attrs...)
	e.body = b
	return b
}

// spanPayload encodes everything of a span but its trace id, span id and
// start, which are the row's key; nil when the body would be larger than
// maxPayload (readers refuse such payloads). The fields after the
// presence bits are written first, as what the limits drop decides bits.
func (e *encoder) spanPayload(sp ptrace.Span, resource, scope, name uint64) []byte {
	var bits uint64
	b := binary.AppendUvarint(e.rest[:0], resource)
	b = binary.AppendUvarint(b, scope)
	if name == 0 {
		bits |= spanInlineName
		b = appendStr(b, sp.Name())
	} else {
		b = binary.AppendUvarint(b, name)
	}
	start := sp.StartTimestamp()
	b = binary.AppendUvarint(b, uint64(sp.EndTimestamp()-start))
	if parent := sp.ParentSpanID(); !parent.IsEmpty() {
		bits |= spanParent
		b = append(b, parent[:]...)
	}
	if k := sp.Kind(); k != 0 {
		bits |= spanKind
		b = binary.AppendUvarint(b, uint64(k))
	}
	if f := sp.Flags(); f != 0 {
		bits |= spanFlags
		b = binary.AppendUvarint(b, uint64(f))
	}
	if ts := sp.TraceState().AsRaw(); ts != "" {
		bits |= spanTraceState
		b = appendStr(b, ts)
	}
	st := sp.Status()
	if c := st.Code(); c != 0 {
		bits |= spanStatusCode
		b = binary.AppendUvarint(b, uint64(c))
	}
	if m := st.Message(); m != "" {
		bits |= spanStatusMessage
		b = appendStr(b, m)
	}
	e.indexSpan(sp, name)
	e.dropped = 0
	if sp.Attributes().Len() > 0 {
		bits |= spanAttrs
		e.indexKind = itemSpanKey
		b = e.appendMap(b, sp.Attributes(), attrValueDepth, true)
	}
	if n := addDropped(sp.DroppedAttributesCount(), e.dropped); n != 0 {
		bits |= spanDroppedAttrs
		b = binary.AppendUvarint(b, n)
	}
	evs := sp.Events()
	keep := min(evs.Len(), e.lim.events)
	e.cut.events += int64(evs.Len() - keep)
	if keep > 0 {
		bits |= spanEvents
		b = binary.AppendUvarint(b, uint64(keep))
		for i := range keep {
			ev := evs.At(i)
			b = binary.AppendVarint(b, int64(ev.Timestamp())-int64(start))
			b = appendStr(b, ev.Name())
			e.dropped = 0
			b = e.appendMap(b, ev.Attributes(), attrValueDepth, true)
			b = binary.AppendUvarint(b, addDropped(ev.DroppedAttributesCount(), e.dropped))
		}
	}
	if n := addDropped(sp.DroppedEventsCount(), evs.Len()-keep); n != 0 {
		bits |= spanDroppedEvents
		b = binary.AppendUvarint(b, n)
	}
	links := sp.Links()
	keep = min(links.Len(), e.lim.links)
	e.cut.links += int64(links.Len() - keep)
	if keep > 0 {
		bits |= spanLinks
		b = binary.AppendUvarint(b, uint64(keep))
		for i := range keep {
			l := links.At(i)
			tid, sid := l.TraceID(), l.SpanID()
			b = append(append(b, tid[:]...), sid[:]...)
			b = appendStr(b, l.TraceState().AsRaw())
			e.dropped = 0
			b = e.appendMap(b, l.Attributes(), attrValueDepth, true)
			b = binary.AppendUvarint(b, addDropped(l.DroppedAttributesCount(), e.dropped))
			b = binary.AppendUvarint(b, uint64(l.Flags()))
		}
	}
	if n := addDropped(sp.DroppedLinksCount(), links.Len()-keep); n != 0 {
		bits |= spanDroppedLinks
		b = binary.AppendUvarint(b, n)
	}
	e.rest = b
	return e.finish(bits)
}

// finish prefixes e.rest with the presence bits and returns the payload,
// or nil when the body is larger than maxPayload.
func (e *encoder) finish(bits uint64) []byte {
	body := append(binary.AppendUvarint(e.body[:0], bits), e.rest...)
	e.body = body
	if len(body) > maxPayload {
		return nil
	}
	return e.payload(body)
}
