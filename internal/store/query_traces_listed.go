package store

import (
	"cmp"
	"context"

	"slices"
)

// maxListedCandidates is the most candidate traces a search reads by
// sequence number; with more it scans the traces newest first instead,
// skipping those the attribute index rules out.
const maxListedCandidates = 20000

// searchListed returns up to q's limit + 1 traces matching q among the
// candidates seqs (sorted), newest first: the candidates' traces rows are
// read, filtered by q's summary conditions, ordered, and checked with
// verify (the conditions the rows cannot answer) until the page is full.
func (s *Store) searchListed(ctx context.Context, q TraceQuery, seqs []int64, verify func(*traceRow) (bool, error), st *stopper) ([]traceRow, error) {
	limit := q.Limit
	if limit == 0 {
		limit = defaultTraceLimit
	}
	keep, ok := s.rowFilter(q)
	if !ok {
		return nil, nil
	}
	lo, hi := timeRange(q.Start, q.End)
	cur, hasCur, _ := decodeCursor(q.Cursor, cursorTraces)
	var rows []traceRow
	const chunk = 500
	for len(seqs) > 0 {
		n := min(chunk, len(seqs))
		args := make([]any, 0, n+2)
		for _, q := range seqs[:n] {
			args = append(args, q)
		}
		seqs = seqs[n:]
		args = append(args, lo, hi)
		sql := "SELECT " + traceCols + " FROM traces WHERE id IN (?" + repeatArgs(n-1) + ") AND start_ns >= ? AND start_ns < ?"
		got, _, err := s.candidates(ctx, sql, args, st)
		if err != nil {
			return nil, err
		}
		for _, r := range got {
			if keep(&r) && (!hasCur || r.start < cur.Time || r.start == cur.Time && r.seq < cur.ID) {
				rows = append(rows, r)
			}
		}
	}
	slices.SortFunc(rows, func(a, b traceRow) int {
		return cmp.Or(cmp.Compare(b.start, a.start), cmp.Compare(b.seq, a.seq))
	})
	var found []traceRow
	for i := range rows {
		r := rows[i]
		ok, err := verify(&r)
		if err != nil {
			return nil, err
		}
		if ok {
			if found = append(found, r); len(found) > limit {
				break
			}
		}
	}
	return found, nil
}

// rowFilter returns the conditions of q a traces row answers (all but
// the attributes and the time range), and ok false when q names a
// service or span name never stored.
func (s *Store) rowFilter(q TraceQuery) (keep func(*traceRow) bool, ok bool) {
	var svc uint64
	if q.Service != "" {
		if svc, ok = s.dict.lookupService(q.Service); !ok {
			return nil, false
		}
	}
	var names []uint64
	if q.SpanName != "" {
		if names = s.dict.lookupNames(svc, q.SpanName); len(names) == 0 {
			return nil, false
		}
	}
	return func(r *traceRow) bool {
		d := max(r.end, r.lastHeard) - r.start
		switch {
		case svc != 0 && !slices.Contains(r.services, svc),
			len(names) > 0 && !slices.ContainsFunc(r.names, func(id uint64) bool { return slices.Contains(names, id) }),
			q.MinDuration > 0 && d < q.MinDuration.Nanoseconds(),
			q.MaxDuration > 0 && d > q.MaxDuration.Nanoseconds(),
			q.ErrorsOnly && r.errors == 0,
			q.InProgress != nil && *q.InProgress != (r.open > 0):
			return false
		}
		return true
	}, true
}

func repeatArgs(n int) string {
	b := make([]byte, 0, 3*n)
	for range n {
		b = append(b, ", ?"...)
	}
	return string(b)
}
