package store

import (
	"bytes"
	"fmt"
	"math"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// A trace as pdata, built with pdata's setters from the stored payloads
// (TraceOTLP). Each pcommon.Map insert looks its key up, so a map of n
// entries built that way costs n²/2 comparisons: maps of more than
// directMax entries are written as OTLP protobuf (otlp_proto.go) and
// decoded by pdata, which appends their entries, in one linear pass.
// Both ways collapse repeated keys alike (the first one's place, the last
// one's value) and nest values alike (deepPlaceholder past
// protoDepthLimit).

// directMax is the most entries of a map built with pdata's setters.
const directMax = 64

// otlpSpan fills dst (a new span) from a parsed span.
func (r *spanRec) otlpSpan(dst ptrace.Span, traceID pcommon.TraceID, start int64, spanID []byte, v *dictView, st *stopper, w *pbWriter) error {
	dst.SetTraceID(traceID)
	var sid pcommon.SpanID
	copy(sid[:], spanID)
	dst.SetSpanID(sid)
	dst.SetParentSpanID(r.parent)
	dst.TraceState().FromRaw(r.traceState)
	dst.SetFlags(r.flags)
	dst.SetName(r.name)
	dst.SetKind(ptrace.SpanKind(r.kind))
	dst.SetStartTimestamp(pcommon.Timestamp(start))
	dst.SetEndTimestamp(pcommon.Timestamp(start + int64(r.duration)))
	dst.SetDroppedAttributesCount(r.droppedAttrs)
	dst.SetDroppedEventsCount(r.droppedEvents)
	dst.SetDroppedLinksCount(r.droppedLinks)
	dst.Status().SetCode(ptrace.StatusCode(r.statusCode))
	dst.Status().SetMessage(r.statusMessage)
	if err := pMapOf(r.attrs, v, st, w, dst.Attributes()); err != nil {
		return err
	}
	evs := dst.Events()
	evs.EnsureCapacity(len(r.events))
	for _, e := range r.events {
		ev := evs.AppendEmpty()
		ev.SetTimestamp(pcommon.Timestamp(start + e.delta))
		ev.SetName(e.name)
		ev.SetDroppedAttributesCount(e.dropped)
		if err := pMapOf(e.attrs, v, st, w, ev.Attributes()); err != nil {
			return err
		}
	}
	links := dst.Links()
	links.EnsureCapacity(len(r.links))
	for _, l := range r.links {
		ln := links.AppendEmpty()
		ln.SetTraceID(l.traceID)
		ln.SetSpanID(l.spanID)
		ln.TraceState().FromRaw(l.traceState)
		ln.SetDroppedAttributesCount(l.dropped)
		ln.SetFlags(l.flags)
		if err := pMapOf(l.attrs, v, st, w, ln.Attributes()); err != nil {
			return err
		}
	}
	return nil
}

func otlpResource(id uint64, v *dictView, st *stopper, w *pbWriter, rs ptrace.ResourceSpans) error {
	if id == 0 || id >= uint64(len(v.resources)) {
		return fmt.Errorf("%w: unknown resource id %d", ErrCorrupt, id)
	}
	r, err := parseResource(v.resources[id].data)
	if err != nil {
		return err
	}
	rs.SetSchemaUrl(r.schemaURL)
	rs.Resource().SetDroppedAttributesCount(r.dropped)
	return pMapOf(r.attrs, v, st, w, rs.Resource().Attributes())
}

func otlpScope(id uint64, v *dictView, st *stopper, w *pbWriter, ss ptrace.ScopeSpans) error {
	if id == 0 || id >= uint64(len(v.scopes)) {
		return fmt.Errorf("%w: unknown scope id %d", ErrCorrupt, id)
	}
	r, err := parseScope(v.scopes[id])
	if err != nil {
		return err
	}
	ss.SetSchemaUrl(r.schemaURL)
	sc := ss.Scope()
	sc.SetName(r.name)
	sc.SetVersion(r.version)
	sc.SetDroppedAttributesCount(r.dropped)
	return pMapOf(r.attrs, v, st, w, sc.Attributes())
}

// pMapOf decodes raw map bytes (from skipMap) of an item's attributes
// into dst, which should be empty.
func pMapOf(raw []byte, v *dictView, st *stopper, w *pbWriter, dst pcommon.Map) error {
	if len(raw) == 0 {
		return nil
	}
	d := decoder{b: raw, v: v, st: st}
	d.pMap(dst, w, d.count(), attrValueDepth, 0)
	return d.err
}

// pMap decodes the n entries of a stored map into dst, which should be
// empty; their values are AnyValues at proto depth pd and nesting level
// lvl. w is scratch for maps of more than directMax entries.
func (d *decoder) pMap(dst pcommon.Map, w *pbWriter, n, pd, lvl int) {
	if n > directMax {
		d.pMapProto(dst, w, n, pd, lvl)
		return
	}
	dst.EnsureCapacity(n)
	for ; n > 0 && d.tick(); n-- {
		k := d.key()
		d.pValue(dst.PutEmpty(k), w, pd, lvl)
	}
}

// pMapProto decodes a large map through protobuf: the entries as a
// resource's attributes in a TracesData message, decoded by pdata and
// moved into dst.
func (d *decoder) pMapProto(dst pcommon.Map, w *pbWriter, n, pd, lvl int) {
	w.b = w.b[:0]
	rs := w.open(fTracesResourceSpans)
	r := w.open(fResourceSpansResource)
	w.kvs(d, n, fResourceAttributes, pd, lvl)
	w.close(r)
	w.close(rs)
	if d.err != nil {
		return
	}
	td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(w.b)
	if err != nil {
		d.fail("a map of %d entries as protobuf: %v", n, err)
		return
	}
	td.ResourceSpans().At(0).Resource().Attributes().MoveTo(dst)
}

// pValue decodes a stored value into dst, an AnyValue at proto depth pd
// and nesting level lvl.
func (d *decoder) pValue(dst pcommon.Value, w *pbWriter, pd, lvl int) {
	if lvl > maxDepth {
		d.fail("values nested too deep")
		return
	}
	switch t := d.byte1(); t {
	case tagEmpty:
	case tagStr:
		dst.SetStr(d.str())
	case tagFalse:
		dst.SetBool(false)
	case tagTrue:
		dst.SetBool(true)
	case tagInt:
		dst.SetInt(d.varint())
	case tagDouble:
		dst.SetDouble(math.Float64frombits(d.fixed64()))
	case tagBytes:
		dst.SetEmptyBytes().FromRaw(bytes.Clone(d.raw(d.uvarint())))
	case tagSlice:
		n := d.count()
		if !fitsProto(pd, n, false) {
			d.skipElements(n, lvl)
			dst.SetStr(deepPlaceholder)
			return
		}
		s := dst.SetEmptySlice()
		s.EnsureCapacity(n)
		for ; n > 0 && d.tick(); n-- {
			d.pValue(s.AppendEmpty(), w, childDepth(pd, false), lvl+1)
		}
	case tagMap:
		n := d.count()
		if !fitsProto(pd, n, true) {
			d.skipEntries(n, lvl)
			dst.SetStr(deepPlaceholder)
			return
		}
		d.pMap(dst.SetEmptyMap(), w, n, childDepth(pd, true), lvl+1)
	default:
		d.fail("unknown value tag %d", t)
	}
}
