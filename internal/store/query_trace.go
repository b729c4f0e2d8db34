package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// ErrNotFound is returned (wrapped) for a trace the store does not hold.
var ErrNotFound = errors.New("store: trace not found")

// Page selects a page of a trace's spans.
type Page struct {
	Cursor string // from a previous TracePage; "" for the first page
	Limit  int    // spans per page: 0 means 1000, at most 10000
}

const (
	defaultSpanLimit = 1000
	maxSpanLimit     = 10000
)

// parseTraceID parses 32 hex digits (either case) of a non-zero id.
func parseTraceID(s string) (pcommon.TraceID, error) {
	var id pcommon.TraceID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("trace id %q: want 32 hex digits", trim(s))
	}
	copy(id[:], b)
	if id.IsEmpty() {
		return id, fmt.Errorf("trace id %q: all zero", s)
	}
	return id, nil
}

// Trace returns a page of the trace's spans in start order (then span
// id), finished, open and lost ones together, with the trace's summary
// and its changes token (see TraceChanges). Each page is one index range
// of the spans table (and of open_spans, for a trace with spans in
// flight), so any page costs about its own spans.
func (s *Store) Trace(ctx context.Context, traceID string, page Page) (TracePage, error) {
	if s.isClosed() {
		return TracePage{}, ErrClosed
	}
	tid, err := parseTraceID(traceID)
	if err != nil {
		return TracePage{}, fmt.Errorf("store: %w", err)
	}
	if page.Limit < 0 || page.Limit > maxSpanLimit {
		return TracePage{}, fmt.Errorf("store: trace page: limit %d is not in [0, %d]", page.Limit, maxSpanLimit)
	}
	limit := page.Limit
	if limit == 0 {
		limit = defaultSpanLimit
	}
	cur, hasCur, err := decodeCursor(page.Cursor, cursorSpans)
	if err != nil {
		return TracePage{}, err
	}
	id := hex.EncodeToString(tid[:])
	if hasCur && cur.Trace != id {
		return TracePage{}, fmt.Errorf("%w: it pages through trace %s, not %s", ErrBadCursor, cur.Trace, id)
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return TracePage{}, fmt.Errorf("store: trace %s: %w", id, err)
	}
	defer tx.Rollback() // read-only: nothing to commit
	row, err := readTrace(ctx, tx, tid)
	if err != nil {
		return TracePage{}, err
	}
	v := s.dict.view()
	out := TracePage{TraceID: id, Resources: []Resource{}, Spans: make([]Span, 0, min(limit, int(row.spans))), Summary: summaryOf(&row, &v)}
	if out.Changes = cur.Changes; out.Changes == "" {
		if out.Changes, err = s.token(ctx, tx, &row); err != nil {
			return TracePage{}, fmt.Errorf("store: trace %s: %w", id, err)
		}
	}
	var after *position
	if hasCur {
		spanID, _ := hex.DecodeString(cur.Span) // checked by decodeCursor
		after = &position{start: cur.Time, spanID: spanID}
	}
	var opens []openSpan
	if row.inFlight() {
		if opens, err = readOpenSpans(ctx, tx, row.seq, after, limit+1); err != nil {
			return TracePage{}, fmt.Errorf("store: trace %s: %w", id, err)
		}
	}
	q := "SELECT start_ns, span_id, payload FROM spans WHERE trace_seq = ?"
	args := []any{row.seq}
	if after != nil {
		q += " AND (start_ns, span_id) > (?, ?)"
		args = append(args, after.start, after.spanID)
	}
	q += " ORDER BY start_ns, span_id LIMIT ?"
	args = append(args, limit+1)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return TracePage{}, fmt.Errorf("store: trace %s: %w", id, err)
	}
	defer rows.Close()
	b := newPageBuilder(&out, &v, s.stopper(ctx))
	m := mergedSpans{rows: rows, opens: opens}
	full := false // one more span follows the page
	for {
		ok, err := m.next()
		if err != nil {
			return TracePage{}, fmt.Errorf("store: trace %s: %w", id, err)
		}
		if !ok {
			break
		}
		if len(out.Spans) == limit {
			full = true
			break
		}
		if err := b.st.tick(); err != nil {
			return TracePage{}, fmt.Errorf("store: trace %s: %w", id, err)
		}
		if err := b.add(m.start, m.spanID, m.payload, m.state, m.heard); err != nil {
			return TracePage{}, fmt.Errorf("store: trace %s: span %x: %w", id, m.spanID, err)
		}
	}
	if full {
		last := out.Spans[limit-1]
		out.Cursor = cursor{Kind: cursorSpans, Time: last.StartUnixNano, Span: last.SpanID, Trace: id, Changes: out.Changes}.encode()
	}
	return out, nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readTrace reads the traces row of tid, or fails with ErrNotFound.
func readTrace(ctx context.Context, q queryer, tid pcommon.TraceID) (traceRow, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+traceCols+" FROM traces WHERE trace_id = ?", tid[:])
	if err != nil {
		return traceRow{}, fmt.Errorf("store: trace %x: %w", tid[:], err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return traceRow{}, fmt.Errorf("store: trace %x: %w", tid[:], err)
		}
		return traceRow{}, fmt.Errorf("%w: %x", ErrNotFound, tid[:])
	}
	r, err := scanTraceRowSQL(rows)
	if err != nil {
		return traceRow{}, fmt.Errorf("store: trace %x: %w", tid[:], err)
	}
	return r, nil
}

// scanTraceRowSQL scans a row of traceCols.
func scanTraceRowSQL(rows *sql.Rows) (traceRow, error) {
	var vals [traceNCols]any
	var ptrs [traceNCols]any
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs[:]...); err != nil {
		return traceRow{}, err
	}
	dv := make([]driver.Value, len(vals))
	for i, x := range vals {
		dv[i] = x
	}
	r, _, err := scanTraceRow(dv)
	return r, err
}
