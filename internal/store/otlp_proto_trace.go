package store

import (
	"encoding/binary"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// The messages of a trace as OTLP protobuf (TraceOTLPProto): spans,
// resources and scopes written from their stored payloads, and the
// TracesData around them.

// arena keeps byte strings in large blocks, so keeping many costs one
// copy each (one growing buffer would copy them again as it grows).
type arena struct{ cur []byte }

func (a *arena) keep(p []byte) []byte {
	if cap(a.cur)-len(a.cur) < len(p) {
		a.cur = make([]byte, 0, max(256<<10, len(p)))
	}
	n := len(a.cur)
	a.cur = append(a.cur, p...)
	return a.cur[n:len(a.cur):len(a.cur)]
}

// otlpGroup is a trace's spans of one resource and scope: ScopeSpans.spans
// fields.
type otlpGroup struct {
	resource, scope uint64
	spans           [][]byte
	size            int    // their bytes
	scopeField      [2]int // [start, end) of the ScopeSpans.scope field in the headers' buffer
	schemaURL       string
	msgSize         int // the ScopeSpans message's
}

// assembleTrace writes the TracesData of groups: one ResourceSpans per
// resource and one ScopeSpans per group, in the order first met. Sizes
// are added up first, so every byte of a span is copied once.
func assembleTrace(groups []*otlpGroup, v *dictView, st *stopper) ([]byte, error) {
	type resource struct {
		id        uint64
		field     [2]int // the ResourceSpans.resource field in the headers' buffer
		schemaURL string
		groups    []*otlpGroup
		msgSize   int
	}
	var list []*resource
	byID := map[uint64]*resource{}
	for _, g := range groups {
		r := byID[g.resource]
		if r == nil {
			r = &resource{id: g.resource}
			byID[g.resource] = r
			list = append(list, r)
		}
		r.groups = append(r.groups, g)
	}
	var hw pbWriter // resource and scope fields
	total := 0
	for _, r := range list {
		at := len(hw.b)
		var err error
		if r.schemaURL, err = hw.resourceField(r.id, v, st); err != nil {
			return nil, err
		}
		r.field = [2]int{at, len(hw.b)}
		r.msgSize = len(hw.b) - at + sizeOptStr(fResourceSpansSchemaURL, r.schemaURL)
		for _, g := range r.groups {
			at := len(hw.b)
			if g.schemaURL, err = hw.scopeField(g.scope, v, st); err != nil {
				return nil, err
			}
			g.scopeField = [2]int{at, len(hw.b)}
			g.msgSize = len(hw.b) - at + g.size + sizeOptStr(fScopeSpansSchemaURL, g.schemaURL)
			r.msgSize += sizeField(fResourceSpansScopeSpans, g.msgSize)
		}
		total += sizeField(fTracesResourceSpans, r.msgSize)
	}
	out := make([]byte, 0, total)
	for _, r := range list {
		out = appendField(out, fTracesResourceSpans, r.msgSize)
		out = append(out, hw.b[r.field[0]:r.field[1]]...)
		for _, g := range r.groups {
			out = appendField(out, fResourceSpansScopeSpans, g.msgSize)
			out = append(out, hw.b[g.scopeField[0]:g.scopeField[1]]...)
			for _, sp := range g.spans {
				out = append(out, sp...)
			}
			out = appendOptStr(out, fScopeSpansSchemaURL, g.schemaURL)
		}
		out = appendOptStr(out, fResourceSpansSchemaURL, r.schemaURL)
	}
	return out, nil
}

// sizeOptStr is the size of string field f holding s, 0 when s is empty
// (not written).
func sizeOptStr(f protowire.Number, s string) int {
	if s == "" {
		return 0
	}
	return sizeField(f, len(s))
}

func appendOptStr(b []byte, f protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	return protowire.AppendString(protowire.AppendTag(b, f, protowire.BytesType), s)
}

// span writes a parsed finished span as a ScopeSpans.spans field.
func (w *pbWriter) span(r *spanRec, traceID, spanID []byte, start int64, v *dictView, st *stopper) error {
	return w.spanIn(r, traceID, spanID, start, stateFinished, 0, v, st)
}

// spanIn writes a parsed span in state as a ScopeSpans.spans field; an
// open or lost one ends when it was last heard (heard, or its start if
// that is later) and carries the attribute sightline.span.state.
func (w *pbWriter) spanIn(r *spanRec, traceID, spanID []byte, start, state, heard int64, v *dictView, st *stopper) error {
	sp := w.open(fScopeSpansSpans)
	w.bytes(fSpanTraceID, traceID)
	w.bytes(fSpanSpanID, spanID)
	w.optStr(fSpanTraceState, r.traceState)
	if r.bits&spanParent != 0 {
		w.bytes(fSpanParentSpanID, r.parent[:])
	}
	w.optStr(fSpanName, r.name)
	w.optVarint(fSpanKind, r.kind)
	w.fixed64(fSpanStart, uint64(start))
	if state == stateFinished {
		w.fixed64(fSpanEnd, uint64(start)+r.duration)
	} else {
		w.fixed64(fSpanEnd, uint64(max(heard, start)))
	}
	if err := w.attrs(fSpanAttributes, r.attrs, v, st); err != nil {
		return err
	}
	if state != stateFinished {
		kv := w.open(fSpanAttributes)
		w.optStr(fKeyValueKey, AttrSpanState)
		av := w.open(fKeyValueValue)
		w.optStr(fAnyString, stateNames[state])
		w.close(av)
		w.close(kv)
	}
	w.optVarint(fSpanDroppedAttrs, uint64(r.droppedAttrs))
	for _, e := range r.events {
		ev := w.open(fSpanEvents)
		w.fixed64(fEventTime, uint64(start+e.delta))
		w.optStr(fEventName, e.name)
		if err := w.attrs(fEventAttributes, e.attrs, v, st); err != nil {
			return err
		}
		w.optVarint(fEventDropped, uint64(e.dropped))
		w.close(ev)
	}
	w.optVarint(fSpanDroppedEvents, uint64(r.droppedEvents))
	for _, l := range r.links {
		ln := w.open(fSpanLinks)
		w.bytes(fLinkTraceID, l.traceID[:])
		w.bytes(fLinkSpanID, l.spanID[:])
		w.optStr(fLinkTraceState, l.traceState)
		if err := w.attrs(fLinkAttributes, l.attrs, v, st); err != nil {
			return err
		}
		w.optVarint(fLinkDropped, uint64(l.dropped))
		if l.flags != 0 {
			w.fixed32(fLinkFlags, l.flags)
		}
		w.close(ln)
	}
	w.optVarint(fSpanDroppedLinks, uint64(r.droppedLinks))
	if r.statusCode != 0 || r.statusMessage != "" {
		s := w.open(fSpanStatus)
		w.optStr(fStatusMessage, r.statusMessage)
		w.optVarint(fStatusCode, r.statusCode)
		w.close(s)
	}
	if r.flags != 0 {
		w.fixed32(fSpanFlags, r.flags)
	}
	w.close(sp)
	return nil
}

// resourceField writes dictionary resource id as a ResourceSpans.resource
// field and returns its schema URL.
func (w *pbWriter) resourceField(id uint64, v *dictView, st *stopper) (string, error) {
	if id == 0 || id >= uint64(len(v.resources)) {
		return "", fmt.Errorf("%w: unknown resource id %d", ErrCorrupt, id)
	}
	r, err := parseResource(v.resources[id].data)
	if err != nil {
		return "", err
	}
	m := w.open(fResourceSpansResource)
	if err := w.attrs(fResourceAttributes, r.attrs, v, st); err != nil {
		return "", err
	}
	w.optVarint(fResourceDropped, uint64(r.dropped))
	w.close(m)
	return r.schemaURL, nil
}

// scopeField writes dictionary scope id as a ScopeSpans.scope field and
// returns its schema URL.
func (w *pbWriter) scopeField(id uint64, v *dictView, st *stopper) (string, error) {
	if id == 0 || id >= uint64(len(v.scopes)) {
		return "", fmt.Errorf("%w: unknown scope id %d", ErrCorrupt, id)
	}
	r, err := parseScope(v.scopes[id])
	if err != nil {
		return "", err
	}
	m := w.open(fScopeSpansScope)
	w.optStr(fScopeName, r.name)
	w.optStr(fScopeVersion, r.version)
	if err := w.attrs(fScopeAttributes, r.attrs, v, st); err != nil {
		return "", err
	}
	w.optVarint(fScopeDropped, uint64(r.dropped))
	w.close(m)
	return r.schemaURL, nil
}

// sizeField is the size of a length-delimited field f of n bytes.
func sizeField(f protowire.Number, n int) int {
	return protowire.SizeTag(f) + protowire.SizeBytes(n)
}

// appendField appends the tag and length of a length-delimited field f
// of n bytes.
func appendField(b []byte, f protowire.Number, n int) []byte {
	return binary.AppendUvarint(protowire.AppendTag(b, f, protowire.BytesType), uint64(n))
}
