package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// Retention. A goroutine owned by the Store runs a pass every minute, and
// when the writer sees the database past Options.RetentionBytes after a
// commit. A pass deletes, oldest first, in steps: a step is a job on the
// writer's queue and so its own transaction, and the ingest batches
// queued meanwhile are committed (in one transaction) between steps. A
// step deletes at least retentionTraces traces (with their spans, join
// rows and logs) and retentionLogs other log records, about 15 ms of
// work, and up to twice what was ingested since the previous step (at
// most 16 times the minimum), so that at the size cap deletion keeps up
// with ingest.
//
//   - By age: traces whose end is before now-RetentionAge (so every span
//     is older), and whose spans in flight were last heard before then,
//     and log records older than that.
//   - By size: while the used bytes exceed RetentionBytes, down to 90% of
//     it: the traces with the oldest start, and the log records older than
//     the oldest trace left (all of them, oldest first, when no trace is).

const (
	retentionTraces = 250
	retentionLogs   = 2500
	retentionGrowth = 16
)

// stepSize is a step's limit: twice what was added since the last step,
// within [least, retentionGrowth*least].
func stepSize(added *atomic.Int64, least int64) int64 {
	return min(max(2*added.Swap(0), least), retentionGrowth*least)
}

func (s *Store) runRetention() {
	defer close(s.retentionDone)
	if s.opts.RetentionAge == 0 && s.opts.RetentionBytes == 0 {
		<-s.stopping
		return
	}
	t := time.NewTicker(retentionInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stopping:
			return
		case <-t.C:
		case <-s.kick:
		}
		err := s.enforceRetention(context.Background())
		if errors.Is(err, ErrClosed) {
			return // Close stopped the pass
		}
		if err != nil && s.opts.OnError != nil {
			s.opts.OnError(err)
		}
		if s.seams.afterRetention != nil {
			s.seams.afterRetention(err)
		}
	}
}

// kickRetention asks the retention goroutine for a pass, unless one is
// already asked for.
func (s *Store) kickRetention() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// enforceRetention runs one retention pass.
func (s *Store) enforceRetention(ctx context.Context) error {
	if age := s.opts.RetentionAge; age > 0 {
		cutoff := s.seams.now().Add(-age).UnixNano()
		for {
			n, _, err := s.deleteStep(ctx, true, cutoff, 1)
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
		}
	}
	if limit := s.opts.RetentionBytes; limit > 0 {
		used, err := s.usedBytes(ctx)
		if err != nil {
			return err
		}
		target := limit / 100 * retentionLowWaterPct
		if used <= limit {
			return nil
		}
		for used > target {
			n, u, err := s.deleteStep(ctx, false, 0, float64(used-target)/float64(used))
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
			used = u
		}
	}
	return nil
}

// deleteStep deletes one step's worth of the oldest data (by age: older
// than cutoff), and at most about the fraction share of the traces and of
// the logs stored (so a small cap is not overshot), and returns how many
// traces and log records it deleted and the used bytes after.
func (s *Store) deleteStep(ctx context.Context, byAge bool, cutoff int64, share float64) (int64, int64, error) {
	var deleted, used int64
	traces, logs := stepSize(&s.addedTraces, retentionTraces), stepSize(&s.addedLogs, retentionLogs)
	job := func(w *wconn, c *txCounts) error {
		if share < 1 {
			err := w.query("SELECT name, value FROM counters", nil, 2, func(v []driver.Value) error {
				name, _ := v[0].(string)
				n, _ := v[1].(int64)
				limit := int64(math.Ceil(float64(n)*share)) + 1
				switch name {
				case "traces":
					traces = min(traces, limit)
				case "logs":
					logs = min(logs, limit)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		q := "SELECT " + traceCols + " FROM traces"
		var args []any
		if byAge {
			// A trace with spans in flight lasts until they were last heard.
			q += " WHERE start_ns < ? AND end_ns < ? AND last_heard_ns < ?"
			args = append(args, cutoff, cutoff, cutoff)
		}
		q += " ORDER BY start_ns, id LIMIT ?"
		args = append(args, traces)
		var old []traceRow
		err := w.query(q, w.setArgs(args), traceNCols, func(v []driver.Value) error {
			r, _, err := scanTraceRow(v)
			old = append(old, r)
			return err
		})
		if err != nil {
			return err
		}
		if err := deleteTraces(w, old, c); err != nil {
			return err
		}
		bound := cutoff
		if !byAge {
			bound = math.MaxInt64
			err := w.query("SELECT min(start_ns) FROM traces", nil, 1, func(v []driver.Value) error {
				if n, ok := v[0].(int64); ok {
					bound = n
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		n, err := w.exec("DELETE FROM logs WHERE id IN (SELECT id FROM logs WHERE time_ns < ? ORDER BY time_ns LIMIT ?)", bound, logs)
		if err != nil {
			return fmt.Errorf("delete logs: %w", err)
		}
		c.logs -= n
		deleted = int64(len(old)) + n
		used, err = usedBytes(w)
		return err
	}
	s.retentionSteps.Add(1)
	if err := s.submit(ctx, &request{job: job}); err != nil {
		if errors.Is(err, ErrClosed) {
			return 0, 0, ErrClosed
		}
		return 0, 0, fmt.Errorf("store: retention: %w", err)
	}
	return deleted, used, nil
}

// deleteTraces deletes traces' rows, spans (finished and in flight), join
// rows, change rows and logs, each table in a few set statements.
func deleteTraces(w *wconn, old []traceRow, c *txCounts) error {
	var svcRows, nameRows []joinRow
	for _, r := range old {
		for _, id := range r.services {
			svcRows = append(svcRows, joinRow{int64(id), r.start, r.seq})
		}
		for _, id := range r.names {
			nameRows = append(nameRows, joinRow{int64(id), r.start, r.seq})
		}
	}
	seq := func(i int, dst []any) []any { return append(dst, old[i].seq) }
	n, err := w.execRows("DELETE FROM spans WHERE trace_seq IN (VALUES ", ")", 1, len(old), seq)
	if err != nil {
		return fmt.Errorf("delete spans: %w", err)
	}
	c.spans -= n
	for _, r := range old {
		c.open -= r.open
		c.lost -= r.lost
	}
	for _, table := range []string{"open_spans", "span_changes"} {
		if _, err := w.execRows("DELETE FROM "+table+" WHERE trace_seq IN (VALUES ", ")", 1, len(old), seq); err != nil {
			return fmt.Errorf("delete %s: %w", table, err)
		}
	}
	for _, j := range []struct {
		table string
		rows  []joinRow
	}{{"trace_services WHERE (service_id", svcRows}, {"trace_names WHERE (name_id", nameRows}} {
		_, err := w.execRows("DELETE FROM "+j.table+", start_ns, trace_seq) IN (VALUES ", ")", 3, len(j.rows), func(i int, dst []any) []any {
			return append(dst, j.rows[i].id, j.rows[i].start, j.rows[i].seq)
		})
		if err != nil {
			return fmt.Errorf("delete %s): %w", j.table, err)
		}
	}
	n, err = w.execRows("DELETE FROM logs WHERE trace_id IN (VALUES ", ")", 1, len(old), func(i int, dst []any) []any {
		return append(dst, old[i].traceID[:])
	})
	if err != nil {
		return fmt.Errorf("delete logs: %w", err)
	}
	c.logs -= n
	n, err = w.execRows("DELETE FROM traces WHERE id IN (VALUES ", ")", 1, len(old), seq)
	if err != nil {
		return fmt.Errorf("delete traces: %w", err)
	}
	c.traces -= n
	// Attribute index blocks whose traces are all gone go too (a block of
	// traces of which some remain stays: its other traces are skipped).
	if _, err := w.exec("DELETE FROM attr_blocks WHERE max_seq < (SELECT coalesce(min(id), 1 << 62) FROM traces)"); err != nil {
		return fmt.Errorf("delete attribute index blocks: %w", err)
	}
	return nil
}

// usedBytes is the bytes of the database's pages in use (not free).
func usedBytes(w *wconn) (int64, error) {
	var vals [3]int64
	for i, p := range []string{"PRAGMA page_count", "PRAGMA freelist_count", "PRAGMA page_size"} {
		err := w.query(p, nil, 1, func(v []driver.Value) error {
			vals[i], _ = v[0].(int64)
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return (vals[0] - vals[1]) * vals[2], nil
}

// usedBytes asks the writer for the used bytes (see usedBytes).
func (s *Store) usedBytes(ctx context.Context) (int64, error) {
	var used int64
	err := s.submit(ctx, &request{job: func(w *wconn, _ *txCounts) error {
		var err error
		used, err = usedBytes(w)
		return err
	}})
	if errors.Is(err, ErrClosed) {
		return 0, ErrClosed
	} else if err != nil {
		return 0, fmt.Errorf("store: retention: %w", err)
	}
	return used, nil
}

// checkSize, run by the writer after a commit, asks for a retention pass
// when the database is past its cap.
func (s *Store) checkSize(w *wconn) {
	if used, err := usedBytes(w); err == nil && used > s.opts.RetentionBytes {
		s.kickRetention()
	}
}
