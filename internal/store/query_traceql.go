package store

import (
	"context"
	"encoding/hex"
	"fmt"
	"math"

	"github.com/sightline-dev/sightline/internal/traceql"
)

// MatchedSpan is a span a TraceQL search matched (TraceSummary.Matched).
type MatchedSpan struct {
	SpanID        string `json:"span_id"`
	Name          string `json:"name"`
	Service       string `json:"service"`
	StartUnixNano int64  `json:"start_unix_nano"`
	// DurationNano is the span's duration; an open span's lasts until it
	// was last heard of.
	DurationNano int64 `json:"duration_nano"`
	// Attributes are the attributes the query names that the span (or,
	// for unscoped and resource attributes, its resource) has, by the
	// name the query gives them ("http.route", "resource.host.name").
	Attributes map[string]any `json:"attributes,omitempty"`
}

// defaultSpansPerSet and maxSpansPerSet bound TraceQuery.SpansPerSet.
const (
	defaultSpansPerSet = 3
	maxSpansPerSet     = 1000
)

// qlGroups returns the attribute index probes of a TraceQL query: its
// necessary conditions as items. A group with a term the index does not
// hold (a duration, say) is left out, which only narrows less.
func qlGroups(q *traceql.Query) [][]uint64 {
	var groups [][]uint64
next:
	for _, g := range q.Necessary() {
		items := []uint64{}
		for _, t := range g {
			x, ok := termItems(t)
			if !ok {
				continue next
			}
			items = append(items, x...)
		}
		groups = append(groups, items)
	}
	return groups
}

// termItems returns the items of which a span (or its resource) has one
// when t holds for it, and false when the index holds no such items.
func termItems(t traceql.Term) ([]uint64, bool) {
	switch t.Intrinsic {
	case traceql.Name:
		if t.Value.Type != traceql.LitString {
			return nil, false
		}
		return []uint64{nameItem(t.Value.Str)}, true
	case traceql.Status:
		code, ok := map[traceql.StatusCode]int64{traceql.StatusUnset: 0, traceql.StatusOK: 1, traceql.StatusError: 2}[t.Value.Status]
		return []uint64{statusItem(code)}, ok && t.Value.Type == traceql.LitStatus
	case traceql.Kind:
		if t.Value.Type != traceql.LitKind || t.Value.Kind < traceql.KindUnspecified || t.Value.Kind > traceql.KindConsumer {
			return nil, false
		}
		return []uint64{kindItem(int64(t.Value.Kind - traceql.KindUnspecified))}, true
	case traceql.NoIntrinsic:
	default:
		return nil, false
	}
	var kinds [][2]byte // key item kind, value item kind
	if t.Scope != traceql.ScopeResource {
		kinds = append(kinds, [2]byte{itemSpanKey, itemSpanAttr})
	}
	if t.Scope != traceql.ScopeSpan {
		kinds = append(kinds, [2]byte{itemResKey, itemResAttr})
	}
	var items []uint64
	for _, k := range kinds {
		switch v := t.Value; v.Type {
		case traceql.LitNil:
			items = append(items, keyItem(k[0], t.Key))
		case traceql.LitString:
			items = append(items, strItem(k[1], t.Key, v.Str))
		case traceql.LitInt:
			items = append(items, numItem(k[1], t.Key, float64(v.Int)))
		case traceql.LitFloat:
			items = append(items, numItem(k[1], t.Key, v.Float))
		case traceql.LitBool:
			items = append(items, boolItem(k[1], t.Key, v.Bool))
		default:
			return nil, false
		}
	}
	return items, true
}

// qlMatcher checks candidate traces against a TraceQL query and keeps
// the matched spans of those that match, for their summaries.
type qlMatcher struct {
	s      *Store
	q      *traceql.Query
	fields []traceql.Field
	// spanKeys are the span attributes the query names: the only ones
	// decoded (resources, decoded once per search, keep all theirs).
	spanKeys map[string]bool
	perSet   int
	v        *dictView
	st       *stopper
	res      map[uint64][]traceql.Attr // decoded resources
	matched  map[int64]qlMatch         // by trace sequence number
}

type qlMatch struct {
	spans []MatchedSpan
	count int
}

func (s *Store) newQLMatcher(q *traceql.Query, perSet int, v *dictView, st *stopper) *qlMatcher {
	if perSet == 0 {
		perSet = defaultSpansPerSet
	}
	m := &qlMatcher{s: s, q: q, fields: q.Fields(), perSet: perSet, v: v, st: st,
		spanKeys: map[string]bool{}, res: map[uint64][]traceql.Attr{}, matched: map[int64]qlMatch{}}
	for _, f := range m.fields {
		if f.Intrinsic == traceql.NoIntrinsic && f.Scope != traceql.ScopeResource {
			m.spanKeys[f.Name] = true
		}
	}
	return m
}

// match decodes trace r and evaluates the query over it.
func (m *qlMatcher) match(ctx context.Context, r *traceRow) (bool, error) {
	tr, meta, err := m.s.qlTrace(ctx, r, m)
	if err != nil {
		return false, err
	}
	idx := m.q.Match(tr)
	if len(idx) == 0 {
		return false, nil
	}
	// Tempo returns the earliest matches: idx is ascending in tr.Spans,
	// which qlTrace reads in start order.
	out := qlMatch{count: len(idx)}
	for _, i := range idx[:min(len(idx), m.perSet)] {
		sp := &tr.Spans[i]
		ms := MatchedSpan{SpanID: hex.EncodeToString(sp.SpanID[:]), Name: sp.Name, Service: meta[i],
			StartUnixNano: sp.StartUnixNano, DurationNano: sp.EndUnixNano - sp.StartUnixNano}
		ms.Attributes = matchedAttrs(sp, m.fields)
		out.spans = append(out.spans, ms)
	}
	m.matched[r.seq] = out
	return true, nil
}

// matchedAttrs returns the attributes of fields sp has, as JSON values.
func matchedAttrs(sp *traceql.Span, fields []traceql.Field) map[string]any {
	var out map[string]any
	for _, f := range fields {
		var v traceql.Value
		ok := false
		if f.Scope != traceql.ScopeResource {
			v, ok = findAttr(sp.Attrs, f.Name)
		}
		if !ok && f.Scope != traceql.ScopeSpan {
			v, ok = findAttr(sp.Resource, f.Name)
		}
		if !ok {
			continue
		}
		if out == nil {
			out = map[string]any{}
		}
		name := f.Name
		if f.Scope == traceql.ScopeResource {
			name = "resource." + f.Name
		}
		switch v.Kind {
		case traceql.ValueString:
			out[name] = v.Str
		case traceql.ValueInt:
			out[name] = v.Int
		case traceql.ValueFloat:
			if math.IsNaN(v.Float) || math.IsInf(v.Float, 0) {
				out[name] = fmt.Sprint(v.Float)
			} else {
				out[name] = v.Float
			}
		case traceql.ValueBool:
			out[name] = v.Bool
		}
	}
	return out
}

func findAttr(attrs []traceql.Attr, key string) (traceql.Value, bool) {
	for _, a := range attrs {
		if a.Key == key {
			return a.Value, true
		}
	}
	return traceql.Value{}, false
}
