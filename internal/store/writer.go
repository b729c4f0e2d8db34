package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
)

// Group commit. Every write goes through one writer goroutine, which owns
// the writer connection. Append calls encode their batch in their own
// goroutine, queue it (a bounded channel) and wait for its transaction's
// result. The writer takes a batch, then everything else already queued
// (up to Options.MaxTransactionItems), and commits them in one
// transaction: under load, concurrent batches share the cost of a commit.
// Retention's deletions are jobs on the same queue, each its own small
// transaction, so ingest is never held up for longer than one of them.

// ErrClosed is returned by a Store's methods after Close.
var ErrClosed = errors.New("store: closed")

// request is a batch to append, or a job to run, and the channel its
// result is sent on.
type request struct {
	traces *traceBatch
	logs   *logBatch
	job    func(w *wconn, c *txCounts) error
	items  int // spans and log records
	done   chan error
}

// submit queues r and waits for its result. Its errors have no "store: "
// prefix, for the caller to add, except ErrClosed.
func (s *Store) submit(ctx context.Context, r *request) error {
	r.done = make(chan error, 1)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.senders.Add(1)
	s.mu.Unlock()
	select {
	case s.queue <- r:
		s.senders.Done()
	case <-ctx.Done():
		s.senders.Done()
		return ctx.Err()
	case <-s.stopping:
		s.senders.Done()
		return ErrClosed
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w (after the batch was queued: it may still be stored)", ctx.Err())
	}
}

func (s *Store) aborted() bool {
	select {
	case <-s.abort:
		return true
	default:
		return false
	}
}

// writeLoop is the writer goroutine's loop; it returns once the queue is
// closed (by Close) and drained.
func (s *Store) writeLoop(w *wconn) {
	var carry *request
	for {
		r := carry
		carry = nil
		if r == nil {
			var ok bool
			if r, ok = <-s.queue; !ok {
				return
			}
		}
		if s.aborted() {
			r.done <- ErrClosed
			continue
		}
		if r.job != nil {
			job := r.job
			r.done <- s.transact(w, func(c *txCounts) error { return job(w, c) })
			continue
		}
		group := []*request{r}
		items := r.items
	gather:
		for items < s.opts.MaxTransactionItems {
			select {
			case q, ok := <-s.queue:
				if !ok {
					break gather
				}
				if q.job != nil {
					carry = q
					break gather
				}
				group = append(group, q)
				items += q.items
			default:
				break gather
			}
		}
		err := s.transact(w, func(c *txCounts) error {
			if err := s.applyTraces(w, group, c); err != nil {
				return err
			}
			return s.applyLogs(w, group, c)
		})
		s.batches.Add(int64(len(group)))
		if n := int64(len(group)); n > s.maxGroup.Load() {
			s.maxGroup.Store(n)
		}
		for _, q := range group {
			q.done <- err
		}
		if err == nil && s.opts.RetentionBytes > 0 {
			s.checkSize(w)
		}
	}
}

// transact runs f in a write transaction with the dictionary's pending
// entries and the counters' update, and commits it.
func (s *Store) transact(w *wconn, f func(c *txCounts) error) error {
	if _, err := w.exec("BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	pend := s.dict.pendingSnapshot()
	var c txCounts
	err := insertDict(w, pend)
	if err == nil {
		err = f(&c)
	}
	if err == nil {
		err = updateCounters(w, c)
	}
	if err == nil {
		if _, err = w.exec("COMMIT"); err == nil {
			s.dict.committed(len(pend))
			s.txs.Add(1)
			s.addedTraces.Add(max(c.traces, 0))
			s.addedLogs.Add(max(c.logs, 0))
			return nil
		}
	}
	// A failed COMMIT may have rolled back already: ROLLBACK's error is
	// then "no transaction is active", which says nothing new.
	_, _ = w.exec("ROLLBACK")
	if serr := s.loadSeq(w); serr != nil {
		err = errors.Join(err, serr)
	}
	return fmt.Errorf("write: %w", err)
}

func insertDict(w *wconn, pend []dictEntry) error {
	for _, e := range pend {
		var err error
		switch e.kind {
		case kindService:
			_, err = w.exec("INSERT INTO services (id, name) VALUES (?, ?)", int64(e.id), e.text)
		case kindName:
			_, err = w.exec("INSERT INTO span_names (id, service_id, name) VALUES (?, ?, ?)", int64(e.id), int64(e.ref), e.text)
		case kindKey:
			_, err = w.exec("INSERT INTO attr_keys (id, key) VALUES (?, ?)", int64(e.id), e.text)
		case kindResource:
			_, err = w.exec("INSERT INTO resources (id, service_id, data) VALUES (?, ?, ?)", int64(e.id), int64(e.ref), e.data)
		case kindScope:
			_, err = w.exec("INSERT INTO scopes (id, data) VALUES (?, ?)", int64(e.id), e.data)
		}
		if err != nil {
			return fmt.Errorf("insert dictionary entry: %w", err)
		}
	}
	return nil
}

func updateCounters(w *wconn, c txCounts) error {
	for _, u := range []struct {
		name string
		n    int64
	}{{"spans", c.spans}, {"traces", c.traces}, {"logs", c.logs}, {"open_spans", c.open}, {"lost_spans", c.lost}} {
		if u.n == 0 {
			continue
		}
		if _, err := w.exec("UPDATE counters SET value = value + ? WHERE name = ?", u.n, u.name); err != nil {
			return fmt.Errorf("update counters: %w", err)
		}
	}
	if c.changeSeq != 0 {
		if _, err := w.exec("UPDATE counters SET value = ? WHERE name = 'changes'", c.changeSeq); err != nil {
			return fmt.Errorf("update counters: %w", err)
		}
	}
	return nil
}

// loadSeq sets the next trace sequence number, the last change number and
// the epoch from the file (at start, and after a rollback discarded the
// numbers handed out).
func (s *Store) loadSeq(w *wconn) error {
	err := w.query("SELECT coalesce(max(id), 0) + 1 FROM traces", nil, 1, func(v []driver.Value) error {
		n, ok := v[0].(int64)
		if !ok {
			return fmt.Errorf("next trace sequence: %w: %T", ErrCorrupt, v[0])
		}
		s.nextSeq = n
		return nil
	})
	if err != nil {
		return err
	}
	found := 0
	err = w.query("SELECT name, value FROM counters WHERE name IN ('changes', 'epoch')", nil, 2, func(v []driver.Value) error {
		name, _ := v[0].(string)
		n, ok := v[1].(int64)
		if !ok {
			return fmt.Errorf("counter %s: %w: %T", name, ErrCorrupt, v[1])
		}
		found++
		if name == "changes" {
			s.changeSeq = n
		} else {
			s.epoch = n
		}
		return nil
	})
	if err == nil && found != 2 {
		err = fmt.Errorf("%w: the counters 'changes' and 'epoch' are missing", ErrCorrupt)
	}
	if err == nil {
		err = w.query("SELECT value FROM counters WHERE name = 'attr_index_from'", nil, 1, func(v []driver.Value) error {
			n, ok := v[0].(int64)
			if !ok {
				return fmt.Errorf("counter attr_index_from: %w: %T", ErrCorrupt, v[0])
			}
			s.attrFrom.Store(n)
			return nil
		})
	}
	if err == nil {
		err = s.loadAttrPending(w)
	}
	return err
}
