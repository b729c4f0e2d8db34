package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
)

// Stats returns counts, sizes and the time span of the stored data, and
// what the ingest limits cut. The counts are kept in the counters table
// by every write, so this costs a few index seeks however much is stored.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	if s.isClosed() {
		return st, ErrClosed
	}
	st.TruncatedValues, st.DeepValues = s.cuts.truncated.Load(), s.cuts.deep.Load()
	st.DroppedAttributes, st.DroppedEvents, st.DroppedLinks = s.cuts.attrs.Load(), s.cuts.events.Load(), s.cuts.links.Load()
	st.Announcements, st.AnnouncementsRejected, st.AnnouncementsLate = s.announced.Load(), s.announceRejected.Load(), s.late.Load()
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return st, fmt.Errorf("store: stats: %w", err)
	}
	defer tx.Rollback() // read-only: nothing to commit
	rows, err := tx.QueryContext(ctx, "SELECT name, value FROM counters")
	if err != nil {
		return st, fmt.Errorf("store: stats: %w", err)
	}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			rows.Close()
			return st, fmt.Errorf("store: stats: %w", err)
		}
		switch name {
		case "spans":
			st.Spans = n
		case "traces":
			st.Traces = n
		case "logs":
			st.Logs = n
		case "open_spans":
			st.OpenSpans = n
		case "lost_spans":
			st.LostSpans = n
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return st, fmt.Errorf("store: stats: %w", err)
	}
	// Each a single min() or max() over an indexed column: an index seek.
	var times []int64
	for _, q := range []string{
		"SELECT min(start_ns) FROM traces", "SELECT max(start_ns) FROM traces",
		"SELECT min(time_ns) FROM logs", "SELECT max(time_ns) FROM logs",
	} {
		var t sql.NullInt64
		if err := tx.QueryRowContext(ctx, q).Scan(&t); err != nil {
			return st, fmt.Errorf("store: stats: %w", err)
		}
		if t.Valid {
			times = append(times, t.Int64)
		}
	}
	if len(times) > 0 {
		st.OldestUnixNano, st.NewestUnixNano = slices.Min(times), slices.Max(times)
	}
	var pages, free, size int64
	for _, p := range []struct {
		q string
		n *int64
	}{{"PRAGMA page_count", &pages}, {"PRAGMA freelist_count", &free}, {"PRAGMA page_size", &size}} {
		if err := tx.QueryRowContext(ctx, p.q).Scan(p.n); err != nil {
			return st, fmt.Errorf("store: stats: %w", err)
		}
	}
	st.UsedBytes = (pages - free) * size
	for _, name := range []string{s.path, s.path + "-wal"} {
		fi, err := os.Stat(name)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return st, fmt.Errorf("store: stats: %w", err)
		}
		if err == nil {
			st.FileBytes += fi.Size()
		}
	}
	return st, nil
}
