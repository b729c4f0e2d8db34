package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Reading in-flight spans beside finished ones: a trace's open_spans rows
// in the spans table's order, merged into pages and OTLP answers.

// stateFinished is the state of a spans row (open_spans holds stateOpen
// and stateLost).
const stateFinished = 2

var stateNames = [...]string{stateOpen: StateOpen, stateLost: StateLost, stateFinished: StateFinished}

// position is a span's place in a trace's order.
type position struct {
	start  int64
	spanID []byte
}

// openSpan is an open_spans row read back.
type openSpan struct {
	start   int64
	spanID  []byte
	state   int64
	heard   int64 // last_heard_ns
	payload []byte
}

// before reports whether o sorts before the span (start, spanID).
func (o *openSpan) before(start int64, spanID []byte) bool {
	return o.start < start || o.start == start && bytes.Compare(o.spanID, spanID) < 0
}

// readOpenSpans reads the in-flight spans of trace seq in (start, span
// id) order, after the position after (nil: from the first), at most n
// (0: all).
func readOpenSpans(ctx context.Context, q queryer, seq int64, after *position, n int) ([]openSpan, error) {
	query := "SELECT start_ns, span_id, state, last_heard_ns, payload FROM open_spans INDEXED BY open_spans_order WHERE trace_seq = ?"
	args := []any{seq}
	if after != nil {
		query += " AND (start_ns, span_id) > (?, ?)"
		args = append(args, after.start, after.spanID)
	}
	query += " ORDER BY start_ns, span_id"
	if n > 0 {
		query += " LIMIT ?"
		args = append(args, n)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []openSpan
	for rows.Next() {
		var o openSpan
		if err := rows.Scan(&o.start, &o.spanID, &o.state, &o.heard, &o.payload); err != nil {
			return nil, err
		}
		if o.state != stateOpen && o.state != stateLost {
			return nil, fmt.Errorf("%w: open span %x has state %d", ErrCorrupt, o.spanID, o.state)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// pageBuilder adds spans to a TracePage, each resource once.
type pageBuilder struct {
	out      *TracePage
	v        *dictView
	st       *stopper
	resIndex map[uint64]int
}

func newPageBuilder(out *TracePage, v *dictView, st *stopper) *pageBuilder {
	return &pageBuilder{out: out, v: v, st: st, resIndex: map[uint64]int{}}
}

// add decodes a stored span and appends it to the page in state (an
// open_spans state, or stateFinished), heard at heard.
func (b *pageBuilder) add(start int64, spanID, payload []byte, state, heard int64) error {
	rec, err := parseSpan(payload, b.v, b.st)
	if err != nil {
		return err
	}
	sp, err := rec.jsonSpan(start, spanID, b.v, b.st)
	if err != nil {
		return err
	}
	sp.State = stateNames[state]
	if state != stateFinished {
		sp.EndUnixNano, sp.LastHeardUnixNano = 0, heard
	}
	ri, ok := b.resIndex[rec.resource]
	if !ok {
		r, err := jsonResource(rec.resource, b.v, b.st)
		if err != nil {
			return err
		}
		ri = len(b.out.Resources)
		b.resIndex[rec.resource] = ri
		b.out.Resources = append(b.out.Resources, r)
	}
	sp.Resource = ri
	b.out.Spans = append(b.out.Spans, sp)
	return nil
}

// addCurrent appends the span spanID of trace seq as it is now: its
// in-flight row, else its finished row at start; a span found in neither
// (replaced by one with another start) is skipped.
func (b *pageBuilder) addCurrent(ctx context.Context, q queryer, seq int64, spanID pcommon.SpanID, start int64) error {
	rows, err := q.QueryContext(ctx, "SELECT start_ns, state, last_heard_ns, payload FROM open_spans WHERE trace_seq = ? AND span_id = ?", seq, spanID[:])
	if err != nil {
		return err
	}
	var o openSpan
	found := rows.Next()
	if found {
		err = rows.Scan(&o.start, &o.state, &o.heard, &o.payload)
	}
	if err = firstErr(err, rows.Err(), rows.Close()); err != nil {
		return err
	}
	if found {
		if o.state != stateOpen && o.state != stateLost {
			return fmt.Errorf("%w: open span %s has state %d", ErrCorrupt, hex.EncodeToString(spanID[:]), o.state)
		}
		return b.add(o.start, spanID[:], o.payload, o.state, o.heard)
	}
	var payload []byte
	err = q.QueryRowContext(ctx, "SELECT payload FROM spans WHERE trace_seq = ? AND start_ns = ? AND span_id = ?", seq, start, spanID[:]).Scan(&payload)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return b.add(start, spanID[:], payload, stateFinished, 0)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// mergedSpans yields a trace's finished spans (rows of start_ns, span_id,
// payload from spans, in order) and its in-flight ones (opens, in order)
// as one sequence in (start, span id) order. The current span's fields
// are valid until the next call of next.
type mergedSpans struct {
	rows  *sql.Rows
	opens []openSpan

	start           int64
	spanID          []byte
	payload         []byte
	state, heard    int64
	peeked, ended   bool
	pStart          int64
	pSpan, pPayload sql.RawBytes
}

// next moves to the next span; false at the end (or on an error).
func (m *mergedSpans) next() (bool, error) {
	if !m.peeked && !m.ended {
		if m.rows.Next() {
			if err := m.rows.Scan(&m.pStart, &m.pSpan, &m.pPayload); err != nil {
				return false, err
			}
			m.peeked = true
		} else {
			m.ended = true
			if err := m.rows.Err(); err != nil {
				return false, err
			}
		}
	}
	if len(m.opens) > 0 && (!m.peeked || m.opens[0].before(m.pStart, m.pSpan)) {
		o := &m.opens[0]
		m.start, m.spanID, m.payload, m.state, m.heard = o.start, o.spanID, o.payload, o.state, o.heard
		m.opens = m.opens[1:]
		return true, nil
	}
	if m.peeked {
		m.start, m.spanID, m.payload, m.state, m.heard = m.pStart, m.pSpan, m.pPayload, stateFinished, 0
		m.peeked = false
		return true, nil
	}
	return false, nil
}
