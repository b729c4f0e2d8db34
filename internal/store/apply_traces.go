package store

import (
	"bytes"
	"cmp"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// traceRow is a row of the traces table: the summary maintained on
// ingest.
type traceRow struct {
	traceID    pcommon.TraceID
	seq        int64
	start, end int64
	rootName   uint64 // 0: no root seen (or its name is not interned)
	rootStart  int64  // -1: no root seen
	spans      int64
	errors     int64
	services   []uint64 // in first-seen order
	names      []uint64
}

// txTrace is one trace's spans from all the batches of a transaction.
type txTrace struct {
	traceID pcommon.TraceID
	spans   []spanRow
	exists  bool
	old     traceRow
	row     traceRow
}

// txCounts accumulates a transaction's changes to the counters table.
type txCounts struct{ spans, traces, logs int64 }

const traceCols = "id, trace_id, start_ns, end_ns, root_name_id, root_start_ns, span_count, error_count, services, names"

// applyTraces writes the spans of reqs and maintains traces,
// trace_services and trace_names, inside the writer's transaction.
func (s *Store) applyTraces(w *wconn, reqs []*request, c *txCounts) error {
	idx := map[pcommon.TraceID]*txTrace{}
	var list []*txTrace
	for _, r := range reqs {
		if r.traces == nil {
			continue
		}
		for _, g := range r.traces.groups {
			t := idx[g.traceID]
			if t == nil {
				t = &txTrace{traceID: g.traceID}
				idx[g.traceID] = t
				list = append(list, t)
			}
			t.spans = append(t.spans, g.spans...)
		}
	}
	if len(list) == 0 {
		return nil
	}
	keys := make([]any, len(list))
	for i, t := range list {
		keys[i] = t.traceID[:]
	}
	err := w.selectIn("SELECT "+traceCols+" FROM traces WHERE trace_id IN ", keys, 10, func(v []driver.Value) error {
		row, tid, err := scanTraceRow(v)
		if err != nil {
			return err
		}
		if t := idx[tid]; t != nil {
			t.exists, t.old = true, row
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read traces: %w", err)
	}
	var fresh []*spanRow // spans of new traces, inserted in bulk
	var freshSeq []int64
	for _, t := range list {
		if t.exists {
			if err := insertIgnoring(w, t); err != nil {
				return err
			}
		} else {
			t.old = traceRow{traceID: t.traceID, seq: s.nextSeq, start: math.MaxInt64, end: math.MinInt64, rootStart: -1}
			s.nextSeq++
			slices.SortFunc(t.spans, func(a, b spanRow) int {
				return cmp.Or(cmp.Compare(a.start, b.start), bytes.Compare(a.spanID[:], b.spanID[:]))
			})
			t.spans = slices.CompactFunc(t.spans, func(a, b spanRow) bool { return a.start == b.start && a.spanID == b.spanID })
			for i := range t.spans {
				fresh = append(fresh, &t.spans[i])
				freshSeq = append(freshSeq, t.old.seq)
			}
		}
		t.row = summarize(t.old, t.spans)
		c.spans += int64(len(t.spans))
	}
	_, err = w.insertMany("INSERT INTO spans (trace_seq, start_ns, span_id, payload) VALUES ", 4, len(fresh),
		func(i int, dst []any) []any {
			sp := fresh[i]
			return append(dst, freshSeq[i], sp.start, sp.spanID[:], sp.payload)
		})
	if err != nil {
		return fmt.Errorf("insert spans: %w", err)
	}
	return s.writeSummaries(w, list, c)
}

// insertIgnoring inserts the spans of an existing trace one by one,
// keeping in t.spans only those not stored already.
func insertIgnoring(w *wconn, t *txTrace) error {
	kept := t.spans[:0]
	for _, sp := range t.spans {
		n, err := w.exec("INSERT OR IGNORE INTO spans (trace_seq, start_ns, span_id, payload) VALUES (?, ?, ?, ?)",
			t.old.seq, sp.start, sp.spanID[:], sp.payload)
		if err != nil {
			return fmt.Errorf("insert span: %w", err)
		}
		if n == 1 {
			kept = append(kept, sp)
		}
	}
	t.spans = kept
	return nil
}

// summarize returns old updated with the newly stored spans.
func summarize(old traceRow, spans []spanRow) traceRow {
	r := old
	services := idList{ids: slices.Clone(old.services)}
	names := idList{ids: slices.Clone(old.names)}
	for i := range spans {
		sp := &spans[i]
		r.start = min(r.start, sp.start)
		r.end = max(r.end, sp.end)
		if sp.root && (r.rootStart < 0 || sp.start < r.rootStart) {
			r.rootName, r.rootStart = sp.name, sp.start
		}
		r.spans++
		if sp.isError {
			r.errors++
		}
		services.add(sp.service)
		if sp.name != 0 {
			names.add(sp.name)
		}
	}
	r.services, r.names = services.ids, names.ids
	return r
}

// idList is a list of distinct ids in the order added. It is searched
// while short and indexed by a set once long, so a trace with many
// distinct span names costs linear time, not quadratic.
type idList struct {
	ids []uint64
	set map[uint64]struct{}
}

const idListScan = 32 // the longest list searched

func (l *idList) add(id uint64) {
	if l.set == nil && len(l.ids) > idListScan {
		l.set = make(map[uint64]struct{}, 2*len(l.ids))
		for _, x := range l.ids {
			l.set[x] = struct{}{}
		}
	}
	if l.set != nil {
		if _, ok := l.set[id]; ok {
			return
		}
		l.set[id] = struct{}{}
	} else if slices.Contains(l.ids, id) {
		return
	}
	l.ids = append(l.ids, id)
}

func (r *traceRow) same(o *traceRow) bool {
	return r.start == o.start && r.end == o.end && r.rootName == o.rootName && r.rootStart == o.rootStart &&
		r.spans == o.spans && r.errors == o.errors && len(r.services) == len(o.services) && len(r.names) == len(o.names)
}

// joinRow is a row of trace_services or trace_names.
type joinRow struct {
	id, start, seq int64
}

// writeSummaries inserts or updates the traces rows and their
// trace_services and trace_names rows.
func (s *Store) writeSummaries(w *wconn, list []*txTrace, c *txCounts) error {
	var fresh []*txTrace
	var svcRows, nameRows []joinRow
	for _, t := range list {
		r := &t.row
		if !t.exists {
			fresh = append(fresh, t)
			c.traces++
		} else if r.same(&t.old) {
			continue
		} else {
			_, err := w.exec("UPDATE traces SET start_ns = ?, end_ns = ?, root_name_id = ?, root_start_ns = ?, "+
				"span_count = ?, error_count = ?, services = ?, names = ? WHERE id = ?",
				r.start, r.end, int64(r.rootName), r.rootStart, r.spans, r.errors, appendIDs(nil, r.services), appendIDs(nil, r.names), r.seq)
			if err != nil {
				return fmt.Errorf("update trace: %w", err)
			}
			if r.start != t.old.start {
				if err := moveStart(w, "trace_services", "service_id", t.old.services, t.old.start, r.start, r.seq); err != nil {
					return err
				}
				if err := moveStart(w, "trace_names", "name_id", t.old.names, t.old.start, r.start, r.seq); err != nil {
					return err
				}
			}
		}
		for _, id := range r.services[len(t.old.services):] {
			svcRows = append(svcRows, joinRow{int64(id), r.start, r.seq})
		}
		for _, id := range r.names[len(t.old.names):] {
			nameRows = append(nameRows, joinRow{int64(id), r.start, r.seq})
		}
	}
	_, err := w.insertMany("INSERT INTO traces ("+traceCols+") VALUES ", 10, len(fresh), func(i int, dst []any) []any {
		t := fresh[i]
		r := &t.row
		return append(dst, r.seq, t.traceID[:], r.start, r.end, int64(r.rootName), r.rootStart, r.spans, r.errors,
			appendIDs(nil, r.services), appendIDs(nil, r.names))
	})
	if err != nil {
		return fmt.Errorf("insert traces: %w", err)
	}
	for _, j := range []struct {
		table string
		rows  []joinRow
	}{{"trace_services (service_id", svcRows}, {"trace_names (name_id", nameRows}} {
		_, err := w.insertMany("INSERT INTO "+j.table+", start_ns, trace_seq) VALUES ", 3, len(j.rows), func(i int, dst []any) []any {
			r := j.rows[i]
			return append(dst, r.id, r.start, r.seq)
		})
		if err != nil {
			return fmt.Errorf("insert %s): %w", j.table, err)
		}
	}
	return nil
}

// moveStart updates a trace's rows in a join table for its new start.
func moveStart(w *wconn, table, col string, ids []uint64, from, to, seq int64) error {
	for _, id := range ids {
		_, err := w.exec("UPDATE "+table+" SET start_ns = ? WHERE "+col+" = ? AND start_ns = ? AND trace_seq = ?", to, int64(id), from, seq)
		if err != nil {
			return fmt.Errorf("update %s: %w", table, err)
		}
	}
	return nil
}

// appendIDs encodes ids as uvarints (the services and names columns).
func appendIDs(b []byte, ids []uint64) []byte {
	if b == nil {
		b = make([]byte, 0, len(ids)+1)
	}
	for _, id := range ids {
		b = binary.AppendUvarint(b, id)
	}
	return b
}

func parseIDs(b []byte) ([]uint64, error) {
	var ids []uint64
	for len(b) > 0 {
		id, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, fmt.Errorf("%w: bad id list", ErrCorrupt)
		}
		ids = append(ids, id)
		b = b[n:]
	}
	return ids, nil
}

// scanTraceRow reads a traces row selected as traceCols.
func scanTraceRow(v []driver.Value) (traceRow, pcommon.TraceID, error) {
	var r traceRow
	var tid pcommon.TraceID
	ints := [8]int64{}
	for i, col := range []int{0, 2, 3, 4, 5, 6, 7} {
		n, ok := v[col].(int64)
		if !ok {
			return r, tid, fmt.Errorf("%w: traces column %d is %T", ErrCorrupt, col, v[col])
		}
		ints[i] = n
	}
	raw, ok := v[1].([]byte)
	if !ok || len(raw) != len(tid) {
		return r, tid, fmt.Errorf("%w: traces.trace_id is not 16 bytes", ErrCorrupt)
	}
	copy(tid[:], raw)
	r = traceRow{traceID: tid, seq: ints[0], start: ints[1], end: ints[2], rootName: uint64(ints[3]), rootStart: ints[4], spans: ints[5], errors: ints[6]}
	var err error
	svc, _ := v[8].([]byte)
	if r.services, err = parseIDs(svc); err != nil {
		return r, tid, err
	}
	names, _ := v[9].([]byte)
	r.names, err = parseIDs(names)
	return r, tid, err
}
