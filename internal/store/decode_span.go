package store

import (
	"encoding/hex"
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// spanRec is a parsed span payload. Attribute maps are kept encoded
// (from skipMap) and decoded into the form the caller needs.
type spanRec struct {
	bits          uint64
	resource      uint64
	scope         uint64
	name          string
	duration      uint64
	parent        pcommon.SpanID
	kind          uint64
	flags         uint32
	traceState    string
	statusCode    uint64
	statusMessage string
	attrs         []byte
	droppedAttrs  uint32
	events        []eventRec
	droppedEvents uint32
	links         []linkRec
	droppedLinks  uint32
}

type eventRec struct {
	delta   int64 // from the span's start
	name    string
	attrs   []byte
	dropped uint32
}

type linkRec struct {
	traceID    pcommon.TraceID
	spanID     pcommon.SpanID
	traceState string
	attrs      []byte
	dropped    uint32
	flags      uint32
}

// parseSpan parses a stored span payload; st, when not nil, is ticked for
// every attribute skipped.
func parseSpan(payload []byte, v *dictView, st *stopper) (spanRec, error) {
	var r spanRec
	body, err := openPayload(payload, st)
	if err != nil {
		return r, err
	}
	d := decoder{b: body, v: v, st: st}
	r.bits = d.uvarint()
	r.resource = d.uvarint()
	r.scope = d.uvarint()
	if r.bits&spanInlineName != 0 {
		r.name = d.str()
	} else if id := d.uvarint(); d.err == nil {
		if id == 0 || id >= uint64(len(v.names)) {
			d.fail("unknown span name id %d", id)
		} else {
			r.name = v.names[id].name
		}
	}
	r.duration = d.uvarint()
	if r.bits&spanParent != 0 {
		copy(r.parent[:], d.raw(8))
	}
	if r.bits&spanKind != 0 {
		r.kind = d.uvarint()
	}
	if r.bits&spanFlags != 0 {
		r.flags = d.u32()
	}
	if r.bits&spanTraceState != 0 {
		r.traceState = d.str()
	}
	if r.bits&spanStatusCode != 0 {
		r.statusCode = d.uvarint()
	}
	if r.bits&spanStatusMessage != 0 {
		r.statusMessage = d.str()
	}
	if r.bits&spanAttrs != 0 {
		r.attrs = d.skipMap(0)
	}
	if r.bits&spanDroppedAttrs != 0 {
		r.droppedAttrs = d.u32()
	}
	if r.bits&spanEvents != 0 {
		n := d.count()
		r.events = make([]eventRec, 0, n)
		for ; n > 0 && d.err == nil; n-- {
			var e eventRec
			e.delta = d.varint()
			e.name = d.str()
			e.attrs = d.skipMap(0)
			e.dropped = d.u32()
			r.events = append(r.events, e)
		}
	}
	if r.bits&spanDroppedEvents != 0 {
		r.droppedEvents = d.u32()
	}
	if r.bits&spanLinks != 0 {
		n := d.count()
		r.links = make([]linkRec, 0, n)
		for ; n > 0 && d.err == nil; n-- {
			var l linkRec
			copy(l.traceID[:], d.raw(16))
			copy(l.spanID[:], d.raw(8))
			l.traceState = d.str()
			l.attrs = d.skipMap(0)
			l.dropped = d.u32()
			l.flags = d.u32()
			r.links = append(r.links, l)
		}
	}
	if r.bits&spanDroppedLinks != 0 {
		r.droppedLinks = d.u32()
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after the span", len(d.b))
	}
	return r, d.err
}

var kindNames = []string{"unspecified", "internal", "server", "client", "producer", "consumer"}

var statusNames = []string{"unset", "ok", "error"}

func enumName(names []string, v uint64) string {
	if v < uint64(len(names)) {
		return names[v]
	}
	return fmt.Sprintf("unknown(%d)", v)
}

// jsonSpan converts a parsed span to its JSON form; Resource is left for
// the caller to set. st, when not nil, is ticked for every attribute.
func (r *spanRec) jsonSpan(start int64, spanID []byte, v *dictView, st *stopper) (Span, error) {
	sp := Span{
		SpanID:            hex.EncodeToString(spanID),
		Name:              r.name,
		Kind:              enumName(kindNames, r.kind),
		StartUnixNano:     start,
		EndUnixNano:       start + int64(r.duration),
		StatusCode:        enumName(statusNames, r.statusCode),
		StatusMessage:     r.statusMessage,
		TraceState:        r.traceState,
		Flags:             r.flags,
		DroppedAttributes: int(r.droppedAttrs),
		DroppedEvents:     int(r.droppedEvents),
		DroppedLinks:      int(r.droppedLinks),
		Events:            make([]Event, 0, len(r.events)),
		Links:             make([]Link, 0, len(r.links)),
	}
	if r.bits&spanParent != 0 {
		sp.ParentSpanID = hex.EncodeToString(r.parent[:])
	}
	var err error
	if sp.Attributes, err = jsonMapOf(r.attrs, v, st); err != nil {
		return sp, err
	}
	for _, e := range r.events {
		attrs, err := jsonMapOf(e.attrs, v, st)
		if err != nil {
			return sp, err
		}
		sp.Events = append(sp.Events, Event{TimeUnixNano: start + e.delta, Name: e.name, Attributes: attrs, DroppedAttributes: int(e.dropped)})
	}
	for _, l := range r.links {
		attrs, err := jsonMapOf(l.attrs, v, st)
		if err != nil {
			return sp, err
		}
		sp.Links = append(sp.Links, Link{
			TraceID: hex.EncodeToString(l.traceID[:]), SpanID: hex.EncodeToString(l.spanID[:]),
			TraceState: l.traceState, Attributes: attrs, DroppedAttributes: int(l.dropped), Flags: l.flags,
		})
	}
	if r.scope == 0 || r.scope >= uint64(len(v.scopes)) {
		return sp, fmt.Errorf("%w: unknown scope id %d", ErrCorrupt, r.scope)
	}
	sc, err := parseScope(v.scopes[r.scope])
	sp.Scope = Scope{Name: sc.name, Version: sc.version}
	return sp, err
}

// resourceRec and scopeRec are parsed dictionary entries.
type resourceRec struct {
	schemaURL string
	dropped   uint32
	attrs     []byte
}

type scopeRec struct {
	name, version, schemaURL string
	dropped                  uint32
	attrs                    []byte
}

func parseResource(data []byte) (resourceRec, error) {
	var r resourceRec
	body, err := openPayload(data, nil)
	if err != nil {
		return r, fmt.Errorf("resource: %w", err)
	}
	d := decoder{b: body}
	r.schemaURL = d.str()
	r.dropped = d.u32()
	r.attrs = d.skipMap(0)
	if d.err != nil {
		return r, fmt.Errorf("resource: %w", d.err)
	}
	return r, nil
}

func parseScope(data []byte) (scopeRec, error) {
	var r scopeRec
	body, err := openPayload(data, nil)
	if err != nil {
		return r, fmt.Errorf("scope: %w", err)
	}
	d := decoder{b: body}
	r.name = d.str()
	r.version = d.str()
	r.schemaURL = d.str()
	r.dropped = d.u32()
	r.attrs = d.skipMap(0)
	if d.err != nil {
		return r, fmt.Errorf("scope: %w", d.err)
	}
	return r, nil
}

// jsonResource decodes resource id from the dictionary view.
func jsonResource(id uint64, v *dictView, st *stopper) (Resource, error) {
	if id == 0 || id >= uint64(len(v.resources)) {
		return Resource{}, fmt.Errorf("%w: unknown resource id %d", ErrCorrupt, id)
	}
	r, err := parseResource(v.resources[id].data)
	if err != nil {
		return Resource{}, err
	}
	attrs, err := jsonMapOf(r.attrs, v, st)
	return Resource{Attributes: attrs, SchemaURL: r.schemaURL}, err
}
