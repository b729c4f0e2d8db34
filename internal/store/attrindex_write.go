package store

import (
	"database/sql/driver"
	"fmt"
	"math"
	"slices"
)

// attrIndexWriter is the writer's state of the attribute index's open
// block: the union of the items and traces of its pending transactions,
// each also a row of attr_pending written in that transaction, so a crash
// loses nothing that was acknowledged. The writer's only.
type attrIndexWriter struct {
	items  itemSet
	traces map[int64]struct{}
	rows   int
	// maxStart is the latest start of the traces, when they were
	// written: a bound on their starts for ever, as a trace's start only
	// moves earlier.
	maxStart int64
}

func (a *attrIndexWriter) reset() {
	a.items = itemSet{}
	a.items.init(blockItems)
	a.traces = map[int64]struct{}{}
	a.rows = 0
	a.maxStart = math.MinInt64
}

// indexTx records, inside the writer's transaction, that the traces seqs
// have the items (one transaction's spans and heartbeats): as a block of
// its own when they are many, else as a pending row, closing the open
// block when it is full.
func (s *Store) indexTx(w *wconn, seqs []int64, maxStart int64, items []uint64) error {
	if len(items) == 0 {
		return nil
	}
	slices.Sort(seqs)
	seqs = slices.Compact(seqs)
	if len(items) >= ownBlockItems {
		return writeBlock(w, seqs, maxStart, items)
	}
	_, err := w.exec("INSERT INTO attr_pending (max_start, traces, items) VALUES (?, ?, ?)", maxStart, appendSeqs(nil, seqs), appendItems(nil, items))
	if err != nil {
		return fmt.Errorf("insert attribute index pending row: %w", err)
	}
	a := &s.attrs
	for _, x := range items {
		a.items.add(x)
	}
	for _, q := range seqs {
		a.traces[q] = struct{}{}
	}
	a.rows++
	a.maxStart = max(a.maxStart, maxStart)
	if a.items.len() < blockItems && a.rows < pendingRowsMax {
		return nil
	}
	all := make([]int64, 0, len(a.traces))
	for q := range a.traces {
		all = append(all, q)
	}
	slices.Sort(all)
	if err := writeBlock(w, all, a.maxStart, a.items.list()); err != nil {
		return err
	}
	if _, err := w.exec("DELETE FROM attr_pending"); err != nil {
		return fmt.Errorf("delete attribute index pending rows: %w", err)
	}
	a.reset()
	return nil
}

func writeBlock(w *wconn, seqs []int64, maxStart int64, items []uint64) error {
	_, err := w.exec("INSERT INTO attr_blocks (min_seq, max_seq, max_start, traces, bloom) VALUES (?, ?, ?, ?, ?)",
		seqs[0], seqs[len(seqs)-1], maxStart, appendSeqs(nil, seqs), []byte(newBloom(items)))
	if err != nil {
		return fmt.Errorf("insert attribute index block: %w", err)
	}
	return nil
}

// loadAttrPending reads the open block's pending rows (at Open, and after
// a rollback discarded what the writer had added).
func (s *Store) loadAttrPending(w *wconn) error {
	s.attrs.reset()
	var seqs []int64
	return w.query("SELECT traces, items, max_start FROM attr_pending", nil, 3, func(v []driver.Value) error {
		tr, _ := v[0].([]byte)
		it, _ := v[1].([]byte)
		if ms, ok := v[2].(int64); ok {
			s.attrs.maxStart = max(s.attrs.maxStart, ms)
		}
		var err error
		if seqs, err = parseSeqs(tr, seqs[:0]); err != nil {
			return err
		}
		items, err := parseItems(it)
		if err != nil {
			return err
		}
		for _, q := range seqs {
			s.attrs.traces[q] = struct{}{}
		}
		for _, x := range items {
			s.attrs.items.add(x)
		}
		s.attrs.rows++
		return nil
	})
}
