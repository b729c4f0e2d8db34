package store

import (
	"context"
	"fmt"
	"math"

	"github.com/sightline-dev/sightline/internal/traceql"
)

// qlTrace decodes trace r's spans, finished and in flight, in start order,
// as the TraceQL evaluator sees them (an open or lost span ends when it
// was last heard of), with each span's service name.
func (s *Store) qlTrace(ctx context.Context, r *traceRow, m *qlMatcher) (*traceql.Trace, []string, error) {
	fail := func(err error) (*traceql.Trace, []string, error) {
		return nil, nil, fmt.Errorf("store: search traces: trace %x: %w", r.traceID[:], err)
	}
	var opens []openSpan
	if r.inFlight() {
		var err error
		if opens, err = readOpenSpans(ctx, s.rdb, r.seq, nil, int(r.open+r.lost)+1); err != nil {
			return fail(err)
		}
	}
	rows, err := s.rdb.QueryContext(ctx, "SELECT start_ns, span_id, payload FROM spans WHERE trace_seq = ? ORDER BY start_ns, span_id", r.seq)
	if err != nil {
		return fail(err)
	}
	defer rows.Close()
	tr := &traceql.Trace{Spans: make([]traceql.Span, 0, r.spans)}
	var services []string
	ms := mergedSpans{rows: rows, opens: opens}
	for {
		ok, err := ms.next()
		if err != nil {
			return fail(err)
		}
		if !ok {
			break
		}
		if err := m.st.tick(); err != nil {
			return fail(err)
		}
		rec, err := parseSpan(ms.payload, m.v, m.st)
		if err != nil {
			return fail(err)
		}
		sp := traceql.Span{
			Name: rec.name, Kind: traceql.SpanKind(rec.kind) + traceql.KindUnspecified, StatusMessage: rec.statusMessage,
			StartUnixNano: ms.start, EndUnixNano: ms.start + int64(rec.duration), ParentSpanID: rec.parent,
		}
		if rec.kind > uint64(traceql.KindConsumer-traceql.KindUnspecified) {
			sp.Kind = traceql.KindUnspecified
		}
		sp.Status = map[uint64]traceql.StatusCode{1: traceql.StatusOK, 2: traceql.StatusError}[rec.statusCode]
		if ms.state != stateFinished {
			sp.EndUnixNano = max(ms.heard, ms.start)
		}
		copy(sp.SpanID[:], ms.spanID)
		if sp.Attrs, err = qlAttrs(rec.attrs, m.v, m.st, m.spanKeys); err != nil {
			return fail(err)
		}
		if sp.Resource, err = m.resource(rec.resource); err != nil {
			return fail(err)
		}
		tr.Spans = append(tr.Spans, sp)
		services = append(services, m.service(rec.resource))
	}
	return tr, services, nil
}

// resource returns resource id's attributes, decoding them once per search.
func (m *qlMatcher) resource(id uint64) ([]traceql.Attr, error) {
	if a, ok := m.res[id]; ok {
		return a, nil
	}
	if id == 0 || id >= uint64(len(m.v.resources)) {
		return nil, fmt.Errorf("%w: unknown resource id %d", ErrCorrupt, id)
	}
	r, err := parseResource(m.v.resources[id].data)
	if err != nil {
		return nil, err
	}
	a, err := qlAttrs(r.attrs, m.v, m.st, nil)
	if err != nil {
		return nil, err
	}
	m.res[id] = a
	return a, nil
}

func (m *qlMatcher) service(resource uint64) string {
	if resource < uint64(len(m.v.resources)) {
		if svc := m.v.resources[resource].service; svc < uint64(len(m.v.services)) {
			return m.v.services[svc]
		}
	}
	return ""
}

// qlAttrs decodes raw map bytes (from skipMap) into evaluator attributes:
// strings, ints, doubles and booleans typed, everything else ValueOther;
// when keep is not nil, only the keys it holds (the others are skipped
// undecoded, so a wide span costs the query what it asks of it).
func qlAttrs(raw []byte, v *dictView, st *stopper, keep map[string]bool) ([]traceql.Attr, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	d := decoder{b: raw, v: v, st: st}
	n := d.count()
	out := make([]traceql.Attr, 0, min(n, 16))
	for ; n > 0 && d.tick(); n-- {
		a := traceql.Attr{Key: d.key()}
		if keep != nil && !keep[a.Key] {
			d.skipValue(0)
			continue
		}
		switch t := d.byte1(); t {
		case tagStr:
			a.Value = traceql.Value{Kind: traceql.ValueString, Str: d.str()}
		case tagTrue, tagFalse:
			a.Value = traceql.Value{Kind: traceql.ValueBool, Bool: t == tagTrue}
		case tagInt:
			a.Value = traceql.Value{Kind: traceql.ValueInt, Int: d.varint()}
		case tagDouble:
			a.Value = traceql.Value{Kind: traceql.ValueFloat, Float: math.Float64frombits(d.fixed64())}
		case tagEmpty:
			a.Value = traceql.Value{Kind: traceql.ValueOther}
		case tagBytes:
			d.raw(d.uvarint())
			a.Value = traceql.Value{Kind: traceql.ValueOther}
		case tagSlice:
			d.skipElements(d.count(), 0)
			a.Value = traceql.Value{Kind: traceql.ValueOther}
		case tagMap:
			d.skipMap(1)
			a.Value = traceql.Value{Kind: traceql.ValueOther}
		default:
			d.fail("unknown value tag %d", t)
		}
		out = append(out, a)
	}
	if d.err != nil {
		return nil, d.err
	}
	return out, nil
}
