package store

import (
	"cmp"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Lost spans. An open span not heard from for lostAfter times its
// heartbeat interval, by the store's clock from when its latest heartbeat
// was received, becomes lost: its emitter died or lost the network. Its
// open_spans row keeps the latest heartbeat and the time it was heard;
// its deadline_ns is when it becomes lost. A goroutine owned by the Store
// sleeps until the earliest deadline (Store.nextDeadline, lowered by the
// writer when a heartbeat sets an earlier one) and then runs a pass: a
// job on the writer's queue that marks lost every open span whose
// deadline has passed. When the Store opens, every open span's deadline
// is moved to at least lostAfter intervals from then: spans whose
// heartbeats arrived while no store listened get that grace.

// lostAfter is how many heartbeat intervals an open span may go unheard.
const lostAfter = 3

// lostBatch bounds the spans one pass step marks lost in one transaction.
const lostBatch = 5000

// lostRetry is how long the goroutine waits after a failed pass.
const lostRetry = time.Second

// lostIdle is the longest the goroutine sleeps without a deadline.
const lostIdle = time.Minute

// kickLost wakes the lost pass's goroutine (a deadline came earlier).
func (s *Store) kickLost() {
	select {
	case s.lostKick <- struct{}{}:
	default:
	}
}

func (s *Store) runLost() {
	defer close(s.lostDone)
	if s.seams.manualLost {
		<-s.stopping
		return
	}
	timer := time.NewTimer(lostIdle)
	defer timer.Stop()
	for {
		wait := lostIdle
		if next := s.nextDeadline.Load(); next != math.MaxInt64 {
			wait = min(max(time.Duration(next-s.seams.now().UnixNano()), 0), lostIdle)
		}
		timer.Reset(wait)
		select {
		case <-s.stopping:
			return
		case <-s.lostKick:
			continue
		case <-timer.C:
		}
		if s.seams.now().UnixNano() < s.nextDeadline.Load() {
			continue
		}
		_, err := s.markLost(context.Background())
		if errors.Is(err, ErrClosed) {
			return
		}
		if err != nil {
			if s.opts.OnError != nil {
				s.opts.OnError(err)
			}
			timer.Reset(lostRetry)
			select {
			case <-s.stopping:
				return
			case <-timer.C:
			}
		}
	}
}

// markLost marks lost every open span whose deadline has passed, in
// steps of at most lostBatch spans, and returns how many it marked.
func (s *Store) markLost(ctx context.Context) (int, error) {
	total := 0
	for {
		now := s.seams.now().UnixNano()
		n := 0
		err := s.submit(ctx, &request{job: func(w *wconn, c *txCounts) error {
			var next int64
			var err error
			if n, next, err = s.lostStep(w, c, now); err == nil {
				// In the writer, so ordered with the deadlines that
				// heartbeats lower; should the commit fail, the pass is
				// retried (below).
				s.nextDeadline.Store(next)
			}
			return err
		}})
		if errors.Is(err, ErrClosed) {
			return total, ErrClosed
		}
		if err != nil {
			s.nextDeadline.Store(0) // not known: the next pass finds out
			return total, fmt.Errorf("store: mark lost spans: %w", err)
		}
		total += n
		if n < lostBatch {
			return total, nil
		}
	}
}

// lostStep is one transaction of a pass: it marks lost the open spans due
// at now (at most lostBatch), updates their traces and records the
// changes. It returns how many it marked and the next deadline.
func (s *Store) lostStep(w *wconn, c *txCounts, now int64) (int, int64, error) {
	type due struct {
		seq int64
		changeRow
	}
	var list []due
	err := w.query("SELECT trace_seq, span_id, start_ns FROM open_spans INDEXED BY open_spans_deadline "+
		"WHERE state = 0 AND deadline_ns <= ? ORDER BY deadline_ns LIMIT ?", w.setArgs([]any{now, lostBatch}), 3,
		func(v []driver.Value) error {
			var d due
			d.seq, _ = v[0].(int64)
			sid, _ := v[1].([]byte)
			d.start, _ = v[2].(int64)
			if len(sid) != len(d.spanID) {
				return fmt.Errorf("%w: open_spans.span_id is not 8 bytes", ErrCorrupt)
			}
			copy(d.spanID[:], sid)
			list = append(list, d)
			return nil
		})
	if err != nil {
		return 0, 0, err
	}
	slices.SortFunc(list, func(a, b due) int { return cmp.Compare(a.seq, b.seq) })
	rows := make([]changeRow, len(list))
	seqs := make([]int64, len(list))
	for i, d := range list {
		if _, err := w.exec("UPDATE open_spans SET state = ? WHERE trace_seq = ? AND span_id = ?", stateLost, d.seq, d.spanID[:]); err != nil {
			return 0, 0, fmt.Errorf("mark span lost: %w", err)
		}
		rows[i], seqs[i] = d.changeRow, d.seq
	}
	for i := 0; i < len(list); {
		j := i + 1
		for j < len(list) && list[j].seq == list[i].seq {
			j++
		}
		if _, err := w.exec("UPDATE traces SET open_count = open_count - ?, lost_count = lost_count + ? WHERE id = ?",
			j-i, j-i, list[i].seq); err != nil {
			return 0, 0, fmt.Errorf("update trace: %w", err)
		}
		i = j
	}
	c.open -= int64(len(list))
	c.lost += int64(len(list))
	if err := s.upsertChanges(w, rows, seqs, c); err != nil {
		return 0, 0, err
	}
	next, err := earliestDeadline(w)
	return len(list), next, err
}

// earliestDeadline is the earliest deadline of an open span,
// math.MaxInt64 when none is open.
func earliestDeadline(w *wconn) (int64, error) {
	next := int64(math.MaxInt64)
	err := w.query("SELECT min(deadline_ns) FROM open_spans WHERE state = 0", nil, 1, func(v []driver.Value) error {
		if n, ok := v[0].(int64); ok {
			next = n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("read next deadline: %w", err)
	}
	return next, nil
}

// graceOpenSpans, run once as the Store opens, gives every open span
// lostAfter of its intervals from now before it can be marked lost, and
// sets the next deadline.
func (s *Store) graceOpenSpans(w *wconn) error {
	if _, err := w.exec("BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	now := s.seams.now().UnixNano()
	_, err := w.exec("UPDATE open_spans SET deadline_ns = max(deadline_ns, ? + ? * frequency_ns) WHERE state = 0", now, lostAfter)
	if err == nil {
		_, err = w.exec("COMMIT")
	}
	if err != nil {
		_, _ = w.exec("ROLLBACK")
		return fmt.Errorf("restart grace for open spans: %w", err)
	}
	next, err := earliestDeadline(w)
	s.nextDeadline.Store(next)
	return err
}
