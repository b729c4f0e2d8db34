package store

import (
	"bytes"
	"cmp"
	"database/sql/driver"
	"fmt"
	"math"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// In-flight spans in the writer. A heartbeat (an announcement that a span
// is open, announce.go) becomes the span's open_spans row, replacing the
// previous one; the span's finished form, from the traces signal or a
// stop announcement's body, replaces that row in the same transaction
// that stores it. Each span counts once in its trace's summary, in its
// current state: open, lost (lost.go) or finished.

// Open span states (open_spans.state).
const (
	stateOpen = 0
	stateLost = 1
)

// openRow is an encoded heartbeat: the span as announced, with end =
// start and no error (an open span's status is not counted).
type openRow struct {
	spanRow
	emitted   int64 // the record's time, by the emitter's clock: the latest one's content wins
	heard     int64 // when it was received, by the store's clock
	frequency int64 // the announced heartbeat interval, nanoseconds
}

// deadline is when the span becomes lost unless heard again.
func (o *openRow) deadline() int64 { return satAdd(o.heard, lostAfter*o.frequency) }

// satAdd is a+b, saturated at math.MaxInt64 (both are non-negative).
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// inflightDelta is what a transaction did to a trace's in-flight spans.
type inflightDelta struct {
	opened       []spanRow // spans that became open, not counted in the trace before
	reopened     int64     // lost spans heard again
	replacedOpen int64     // open spans replaced by their finished span
	replacedLost int64     // lost spans likewise
	heard        int64     // the latest heartbeat received
	changed      []changeRow
	deadline     int64 // the earliest deadline set; 0: none
}

func (d *inflightDelta) hear(t int64) { d.heard = max(d.heard, t) }

// changeRow is a span whose state or content changed: a span_changes row.
type changeRow struct {
	spanID pcommon.SpanID
	start  int64
}

// latestOpens keeps one heartbeat per span id: the latest emitted one,
// heard when the latest was heard.
func latestOpens(opens []openRow) []openRow {
	if len(opens) < 2 {
		return opens
	}
	idx := make(map[pcommon.SpanID]int, len(opens))
	out := opens[:0]
	for _, o := range opens {
		i, ok := idx[o.spanID]
		if !ok {
			idx[o.spanID] = len(out)
			out = append(out, o)
			continue
		}
		heard := max(out[i].heard, o.heard)
		if o.emitted >= out[i].emitted {
			out[i] = o
		}
		out[i].heard = heard
	}
	return out
}

// withoutFinished drops the heartbeats of spans stored finished in the
// same transaction (finished is sorted by start, then span id).
func withoutFinished(opens []openRow, finished []spanRow) []openRow {
	if len(finished) == 0 {
		return opens
	}
	return slices.DeleteFunc(opens, func(o openRow) bool {
		_, found := slices.BinarySearchFunc(finished, o.spanRow, func(a, b spanRow) int {
			return cmp.Or(cmp.Compare(a.start, b.start), bytes.Compare(a.spanID[:], b.spanID[:]))
		})
		return found
	})
}

// applyOpens writes the heartbeats of an existing trace: a heartbeat of a
// span already stored finished is ignored (a late heartbeat never reopens
// a span), one of a span stored open or lost replaces its row (keeping
// the content of the latest emitted), others insert one.
func (s *Store) applyOpens(w *wconn, t *txTrace) error {
	finishing := make(map[pcommon.SpanID]bool, len(t.spans))
	for _, sp := range t.spans {
		finishing[sp.spanID] = true
	}
	for i := range t.opens {
		o := &t.opens[i]
		if finishing[o.spanID] {
			continue // stored finished below, in this transaction
		}
		done := false
		err := w.query("SELECT 1 FROM spans WHERE trace_seq = ? AND start_ns = ? AND span_id = ?",
			w.setArgs([]any{t.old.seq, o.start, o.spanID[:]}), 1, func([]driver.Value) error {
				done = true
				return nil
			})
		if err != nil {
			return fmt.Errorf("read span: %w", err)
		}
		if done {
			s.late.Add(1)
			continue
		}
		state, emitted := int64(-1), int64(0)
		err = w.query("SELECT state, emitted_ns FROM open_spans WHERE trace_seq = ? AND span_id = ?",
			w.setArgs([]any{t.old.seq, o.spanID[:]}), 2, func(v []driver.Value) error {
				state, _ = v[0].(int64)
				emitted, _ = v[1].(int64)
				return nil
			})
		if err != nil {
			return fmt.Errorf("read open span: %w", err)
		}
		switch {
		case state < 0:
			if err := insertOpens(w, []*openRow{o}, []int64{t.old.seq}); err != nil {
				return err
			}
			t.d.opened = append(t.d.opened, o.spanRow)
		case o.emitted >= emitted:
			_, err = w.exec("UPDATE open_spans SET start_ns = ?, state = ?, last_heard_ns = ?, emitted_ns = ?, frequency_ns = ?, "+
				"deadline_ns = ?, payload = ? WHERE trace_seq = ? AND span_id = ?",
				o.start, stateOpen, o.heard, o.emitted, o.frequency, o.deadline(), o.payload, t.old.seq, o.spanID[:])
		default: // an older heartbeat arriving late: heard, its content not kept
			_, err = w.exec("UPDATE open_spans SET state = ?, last_heard_ns = max(last_heard_ns, ?), frequency_ns = ?, "+
				"deadline_ns = max(deadline_ns, ?) WHERE trace_seq = ? AND span_id = ?",
				stateOpen, o.heard, o.frequency, o.deadline(), t.old.seq, o.spanID[:])
		}
		if err != nil {
			return fmt.Errorf("update open span: %w", err)
		}
		if state == stateLost {
			t.d.reopened++
		}
		t.d.heardFrom(o)
	}
	return nil
}

// heardFrom records that o was applied: the trace was heard, o's span
// changed and has a new deadline.
func (d *inflightDelta) heardFrom(o *openRow) {
	d.hear(o.heard)
	d.changed = append(d.changed, changeRow{o.spanID, o.start})
	if dl := o.deadline(); d.deadline == 0 || dl < d.deadline {
		d.deadline = dl
	}
}

// insertOpens inserts new open_spans rows.
func insertOpens(w *wconn, opens []*openRow, seqs []int64) error {
	_, err := w.insertMany("INSERT INTO open_spans (trace_seq, span_id, start_ns, state, last_heard_ns, emitted_ns, frequency_ns, "+
		"deadline_ns, payload) VALUES ", 9, len(opens), func(i int, dst []any) []any {
		o := opens[i]
		return append(dst, seqs[i], o.spanID[:], o.start, stateOpen, o.heard, o.emitted, o.frequency, o.deadline(), o.payload)
	})
	if err != nil {
		return fmt.Errorf("insert open spans: %w", err)
	}
	return nil
}

// replaceOpens deletes the open_spans rows of the finished spans just
// stored in an existing trace (t.spans, those not stored before).
func replaceOpens(w *wconn, t *txTrace) error {
	if !t.old.inFlight() && len(t.d.opened) == 0 {
		return nil // no in-flight span to replace
	}
	for _, sp := range t.spans {
		state := int64(-1)
		err := w.query("DELETE FROM open_spans WHERE trace_seq = ? AND span_id = ? RETURNING state",
			w.setArgs([]any{t.old.seq, sp.spanID[:]}), 1, func(v []driver.Value) error {
				state, _ = v[0].(int64)
				return nil
			})
		if err != nil {
			return fmt.Errorf("replace open span: %w", err)
		}
		switch state {
		case stateOpen:
			t.d.replacedOpen++
		case stateLost:
			t.d.replacedLost++
		}
	}
	return nil
}

// noteDeadlines lowers the store's next deadline to the earliest one the
// transaction set, and wakes the lost pass if it did (lost.go).
func (s *Store) noteDeadlines(list []*txTrace) {
	next := s.nextDeadline.Load()
	for _, t := range list {
		if t.d.deadline != 0 && t.d.deadline < next {
			next = t.d.deadline
		}
	}
	if next < s.nextDeadline.Load() {
		s.nextDeadline.Store(next)
		s.kickLost()
	}
}
