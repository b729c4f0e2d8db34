package store

import (
	"context"
	"database/sql"
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TraceOTLP returns the whole trace as pdata: ids, attributes, events,
// links, status, resources and scopes as they were received (cut to the
// ingest limits). Open and lost spans are included as their latest
// heartbeat announced them, ending when they were last heard, with the
// attribute AttrSpanState. Spans are grouped by resource and scope, in the order
// they are first met, each group in start order (then span id). It costs
// time linear in the trace's size, and stops with context.Cause when ctx
// ends.
func (s *Store) TraceOTLP(ctx context.Context, traceID string) (ptrace.Traces, error) {
	td := ptrace.NewTraces()
	if s.isClosed() {
		return td, ErrClosed
	}
	tid, err := parseTraceID(traceID)
	if err != nil {
		return td, fmt.Errorf("store: %w", err)
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return td, fmt.Errorf("store: trace %s: %w", traceID, err)
	}
	defer tx.Rollback() // read-only: nothing to commit
	row, err := readTrace(ctx, tx, tid)
	if err != nil {
		return td, err
	}
	m, err := allSpans(ctx, tx, &row)
	if err != nil {
		return td, fmt.Errorf("store: trace %s: %w", traceID, err)
	}
	defer m.rows.Close()
	v := s.dict.view()
	st := s.stopper(ctx)
	var w pbWriter // scratch for large maps
	resources := map[uint64]ptrace.ResourceSpans{}
	scopes := map[[2]uint64]ptrace.ScopeSpans{}
	for {
		ok, err := m.next()
		if err != nil {
			return td, fmt.Errorf("store: trace %s: %w", traceID, err)
		}
		if !ok {
			break
		}
		if err := st.tick(); err != nil {
			return td, fmt.Errorf("store: trace %s: %w", traceID, err)
		}
		start, spanID := m.start, m.spanID
		rec, err := parseSpan(m.payload, &v, st)
		if err != nil {
			return td, fmt.Errorf("store: trace %s: span %x: %w", traceID, []byte(spanID), err)
		}
		ss, ok := scopes[[2]uint64{rec.resource, rec.scope}]
		if !ok {
			rs, ok := resources[rec.resource]
			if !ok {
				rs = td.ResourceSpans().AppendEmpty()
				if err := otlpResource(rec.resource, &v, st, &w, rs); err != nil {
					return td, fmt.Errorf("store: trace %s: span %x: %w", traceID, []byte(spanID), err)
				}
				resources[rec.resource] = rs
			}
			ss = rs.ScopeSpans().AppendEmpty()
			if err := otlpScope(rec.scope, &v, st, &w, ss); err != nil {
				return td, fmt.Errorf("store: trace %s: span %x: %w", traceID, []byte(spanID), err)
			}
			scopes[[2]uint64{rec.resource, rec.scope}] = ss
		}
		sp := ss.Spans().AppendEmpty()
		if err := rec.otlpSpan(sp, tid, start, spanID, &v, st, &w); err != nil {
			return td, fmt.Errorf("store: trace %s: span %x: %w", traceID, []byte(spanID), err)
		}
		if m.state != stateFinished {
			sp.SetEndTimestamp(pcommon.Timestamp(max(m.heard, start)))
			sp.Attributes().PutStr(AttrSpanState, stateNames[m.state])
		}
	}
	return td, nil
}

// AttrSpanState is the attribute that marks an open or lost span in the
// OTLP answers (TraceOTLP, TraceOTLPProto), whose spans must have an end:
// it is "open" or "lost", and the span ends when it was last heard.
const AttrSpanState = "sightline.span.state"

// allSpans reads all of a trace's spans, finished and in flight, in
// (start, span id) order; the caller closes m.rows.
func allSpans(ctx context.Context, tx *sql.Tx, row *traceRow) (*mergedSpans, error) {
	var opens []openSpan
	if row.inFlight() {
		var err error
		if opens, err = readOpenSpans(ctx, tx, row.seq, nil, 0); err != nil {
			return nil, err
		}
	}
	rows, err := tx.QueryContext(ctx, "SELECT start_ns, span_id, payload FROM spans WHERE trace_seq = ? ORDER BY start_ns, span_id", row.seq)
	if err != nil {
		return nil, err
	}
	return &mergedSpans{rows: rows, opens: opens}, nil
}

// TraceOTLPProto returns the whole trace as OTLP protobuf: a TracesData
// message, wire-identical to an ExportTraceServiceRequest and to Tempo's
// tempopb.Trace, holding what TraceOTLP returns. It is written straight
// from the stored payloads, without pdata, in time linear in the trace's
// size, and stops with context.Cause when ctx ends.
func (s *Store) TraceOTLPProto(ctx context.Context, traceID string) ([]byte, error) {
	if s.isClosed() {
		return nil, ErrClosed
	}
	tid, err := parseTraceID(traceID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: trace %s: %w", traceID, err)
	}
	defer tx.Rollback() // read-only: nothing to commit
	row, err := readTrace(ctx, tx, tid)
	if err != nil {
		return nil, err
	}
	m, err := allSpans(ctx, tx, &row)
	if err != nil {
		return nil, fmt.Errorf("store: trace %s: %w", traceID, err)
	}
	defer m.rows.Close()
	v := s.dict.view()
	st := s.stopper(ctx)
	var w pbWriter // a span, as a ScopeSpans.spans field
	var kept arena // the spans written
	var groups []*otlpGroup
	index := map[[2]uint64]*otlpGroup{}
	for {
		ok, err := m.next()
		if err != nil {
			return nil, fmt.Errorf("store: trace %s: %w", traceID, err)
		}
		if !ok {
			break
		}
		if err := st.tick(); err != nil {
			return nil, fmt.Errorf("store: trace %s: %w", traceID, err)
		}
		start, spanID := m.start, m.spanID
		rec, err := parseSpan(m.payload, &v, st)
		if err != nil {
			return nil, fmt.Errorf("store: trace %s: span %x: %w", traceID, []byte(spanID), err)
		}
		key := [2]uint64{rec.resource, rec.scope}
		g := index[key]
		if g == nil {
			g = &otlpGroup{resource: rec.resource, scope: rec.scope}
			index[key] = g
			groups = append(groups, g)
		}
		w.b = w.b[:0]
		if err := w.spanIn(&rec, tid[:], spanID, start, m.state, m.heard, &v, st); err != nil {
			return nil, fmt.Errorf("store: trace %s: span %x: %w", traceID, []byte(spanID), err)
		}
		g.spans = append(g.spans, kept.keep(w.b))
		g.size += len(w.b)
	}
	b, err := assembleTrace(groups, &v, st)
	if err != nil {
		return nil, fmt.Errorf("store: trace %s: %w", traceID, err)
	}
	return b, nil
}
