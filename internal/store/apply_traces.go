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

// traceRow is a row of the traces table: the summary maintained on
// ingest.
type traceRow struct {
	traceID    pcommon.TraceID
	seq        int64
	start, end int64
	rootName   uint64 // 0: no root seen (or its name is not interned)
	rootStart  int64  // -1: no root seen
	spans      int64  // finished, open and lost spans: each span once
	errors     int64  // finished spans with status error
	services   []uint64
	names      []uint64
	open, lost int64 // in-flight spans (open_spans rows) by state
	// lastHeard is when a heartbeat of the trace was last received (the
	// store's clock), while it has in-flight spans; 0 when it has none.
	lastHeard int64
	// tracked is set once the trace has had an open span: from then on
	// its changes are recorded in span_changes (changes.go).
	tracked bool
}

// inFlight reports whether the trace has open or lost spans.
func (r *traceRow) inFlight() bool { return r.open+r.lost > 0 }

// txTrace is one trace's spans from all the batches of a transaction.
type txTrace struct {
	traceID pcommon.TraceID
	spans   []spanRow // finished
	opens   []openRow // heartbeats
	exists  bool
	old     traceRow
	row     traceRow
	d       inflightDelta
}

// txCounts accumulates a transaction's changes to the counters table.
type txCounts struct {
	spans, traces, logs int64
	open, lost          int64 // open_spans rows by state
	// changeSeq is the transaction's change number, 0 until it records a
	// change (changes.go).
	changeSeq int64
}

const (
	traceCols = "id, trace_id, start_ns, end_ns, root_name_id, root_start_ns, span_count, error_count, services, names, " +
		"open_count, lost_count, last_heard_ns, tracked"
	traceNCols = 14
)

// applyTraces writes the finished spans and the heartbeats of reqs and
// maintains traces, trace_services, trace_names, open_spans and
// span_changes, inside the writer's transaction.
func (s *Store) applyTraces(w *wconn, reqs []*request, c *txCounts) error {
	idx := map[pcommon.TraceID]*txTrace{}
	var list []*txTrace
	at := func(tid pcommon.TraceID) *txTrace {
		t := idx[tid]
		if t == nil {
			t = &txTrace{traceID: tid}
			idx[tid] = t
			list = append(list, t)
		}
		return t
	}
	for _, r := range reqs {
		if r.traces == nil {
			continue
		}
		for _, g := range r.traces.groups {
			t := at(g.traceID)
			t.spans = append(t.spans, g.spans...)
			t.opens = append(t.opens, g.opens...)
		}
	}
	if len(list) == 0 {
		return nil
	}
	keys := make([]any, len(list))
	for i, t := range list {
		keys[i] = t.traceID[:]
	}
	err := w.selectIn("SELECT "+traceCols+" FROM traces WHERE trace_id IN ", keys, traceNCols, func(v []driver.Value) error {
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
	var freshOpen []*openRow
	var freshOpenSeq []int64
	for _, t := range list {
		t.opens = latestOpens(t.opens)
		if t.exists {
			if err := s.applyOpens(w, t); err != nil {
				return err
			}
			if err := insertIgnoring(w, t); err != nil {
				return err
			}
			if err := replaceOpens(w, t); err != nil {
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
			t.opens = withoutFinished(t.opens, t.spans)
			for i := range t.opens {
				o := &t.opens[i]
				freshOpen = append(freshOpen, o)
				freshOpenSeq = append(freshOpenSeq, t.old.seq)
				t.d.opened = append(t.d.opened, o.spanRow)
				t.d.heardFrom(o)
			}
		}
		t.row = t.d.summarize(t.old, t.spans)
		c.spans += int64(len(t.spans))
		c.open += t.row.open - t.old.open
		c.lost += t.row.lost - t.old.lost
	}
	_, err = w.insertMany("INSERT INTO spans (trace_seq, start_ns, span_id, payload) VALUES ", 4, len(fresh),
		func(i int, dst []any) []any {
			sp := fresh[i]
			return append(dst, freshSeq[i], sp.start, sp.spanID[:], sp.payload)
		})
	if err != nil {
		return fmt.Errorf("insert spans: %w", err)
	}
	if err := insertOpens(w, freshOpen, freshOpenSeq); err != nil {
		return err
	}
	if err := s.recordChanges(w, list, c); err != nil {
		return err
	}
	s.noteDeadlines(list)
	if err := s.indexTraces(w, reqs, list); err != nil {
		return err
	}
	return s.writeSummaries(w, list, c)
}

// indexTraces adds the transaction's items to the attribute index: its
// batches' items, each batch's distinct (an item in two batches is there
// twice, which costs a little room, not a wrong answer).
func (s *Store) indexTraces(w *wconn, reqs []*request, list []*txTrace) error {
	var items []uint64
	for _, r := range reqs {
		if r.traces != nil {
			if items == nil {
				items = r.traces.items
			} else {
				items = append(slices.Clip(items), r.traces.items...)
			}
		}
	}
	seqs := make([]int64, len(list))
	maxStart := int64(math.MinInt64)
	for i, t := range list {
		seqs[i] = t.row.seq
		maxStart = max(maxStart, t.row.start)
	}
	return s.indexTx(w, seqs, maxStart, items)
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

// scanTraceRow reads a traces row selected as traceCols.
func scanTraceRow(v []driver.Value) (traceRow, pcommon.TraceID, error) {
	var r traceRow
	var tid pcommon.TraceID
	ints := [11]int64{}
	for i, col := range []int{0, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13} {
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
	r = traceRow{
		traceID: tid, seq: ints[0], start: ints[1], end: ints[2], rootName: uint64(ints[3]), rootStart: ints[4],
		spans: ints[5], errors: ints[6], open: ints[7], lost: ints[8], lastHeard: ints[9], tracked: ints[10] != 0,
	}
	var err error
	svc, _ := v[8].([]byte)
	if r.services, err = parseIDs(svc); err != nil {
		return r, tid, err
	}
	names, _ := v[9].([]byte)
	r.names, err = parseIDs(names)
	return r, tid, err
}
