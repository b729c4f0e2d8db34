package store

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// The traces row of a trace is its summary, maintained by every
// transaction that adds or changes its spans (FORMAT.md, "Traces").

// summarize returns old updated with the newly stored finished spans and
// the transaction's in-flight changes: each span is counted once, an
// in-flight span replaced by its finished span no longer as in flight.
func (d *inflightDelta) summarize(old traceRow, finished []spanRow) traceRow {
	r := summarize(old, finished)
	if len(d.opened) > 0 {
		r = summarize(r, d.opened) // open spans: end = start, no error
	}
	r.spans -= d.replacedOpen + d.replacedLost
	r.open = old.open + int64(len(d.opened)) + d.reopened - d.replacedOpen
	r.lost = old.lost - d.reopened - d.replacedLost
	r.lastHeard = max(old.lastHeard, d.heard)
	if !r.inFlight() {
		r.lastHeard = 0
	}
	r.tracked = old.tracked || len(d.opened) > 0
	return r
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
		r.spans == o.spans && r.errors == o.errors && len(r.services) == len(o.services) && len(r.names) == len(o.names) &&
		r.open == o.open && r.lost == o.lost && r.lastHeard == o.lastHeard && r.tracked == o.tracked
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
				"span_count = ?, error_count = ?, services = ?, names = ?, open_count = ?, lost_count = ?, last_heard_ns = ?, tracked = ? WHERE id = ?",
				r.start, r.end, int64(r.rootName), r.rootStart, r.spans, r.errors, appendIDs(nil, r.services), appendIDs(nil, r.names),
				r.open, r.lost, r.lastHeard, boolInt(r.tracked), r.seq)
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
	_, err := w.insertMany("INSERT INTO traces ("+traceCols+") VALUES ", traceNCols, len(fresh), func(i int, dst []any) []any {
		t := fresh[i]
		r := &t.row
		return append(dst, r.seq, t.traceID[:], r.start, r.end, int64(r.rootName), r.rootStart, r.spans, r.errors,
			appendIDs(nil, r.services), appendIDs(nil, r.names), r.open, r.lost, r.lastHeard, boolInt(r.tracked))
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

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
