package store

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/internal/traceql"
)

// TraceQuery selects traces for SearchTraces. Zero fields do not filter.
type TraceQuery struct {
	Service  string // a service the trace has spans of
	SpanName string // a span name in the trace (of Service, when set)
	// Attributes are key=value pairs that must all be found in the trace,
	// each on a span or on a span's resource; a value matches the
	// attribute's string form (pcommon.Value.AsString).
	Attributes  map[string]string
	MinDuration time.Duration // trace duration at least this
	MaxDuration time.Duration // and at most this; 0: no maximum
	ErrorsOnly  bool          // traces with a span whose status is error
	// InProgress, when not nil, selects traces with open spans (true) or
	// without (false).
	InProgress *bool
	Start, End time.Time // trace start in [Start, End); zero: unbounded
	Limit      int       // traces per page: 0 means 20, at most 1000
	Cursor     string    // from a previous TraceSearch; "" for the first page
	// TraceQL, when set, keeps only the traces the query matches; their
	// summaries carry the matched spans (TraceSummary.Matched).
	TraceQL *traceql.Query
	// SpansPerSet is how many matched spans a summary carries: 0 means 3,
	// at most 1000.
	SpansPerSet int
}

const (
	defaultTraceLimit = 20
	maxTraceLimit     = 1000
)

// Validate reports every invalid field, one per line.
func (q TraceQuery) Validate() error {
	var errs []error
	if q.Limit < 0 {
		errs = append(errs, fmt.Errorf("store: trace query: limit %d is negative", q.Limit))
	} else if q.Limit > maxTraceLimit {
		errs = append(errs, fmt.Errorf("store: trace query: limit %d is more than %d", q.Limit, maxTraceLimit))
	}
	if q.SpansPerSet < 0 || q.SpansPerSet > maxSpansPerSet {
		errs = append(errs, fmt.Errorf("store: trace query: spans per set %d is not in [0, %d]", q.SpansPerSet, maxSpansPerSet))
	}
	if q.MinDuration < 0 {
		errs = append(errs, fmt.Errorf("store: trace query: minimum duration %v is negative", q.MinDuration))
	}
	if q.MaxDuration < 0 {
		errs = append(errs, fmt.Errorf("store: trace query: maximum duration %v is negative", q.MaxDuration))
	} else if q.MaxDuration > 0 && q.MinDuration > q.MaxDuration {
		errs = append(errs, fmt.Errorf("store: trace query: minimum duration %v is more than the maximum %v", q.MinDuration, q.MaxDuration))
	}
	if !q.Start.IsZero() && !q.End.IsZero() && !q.End.After(q.Start) {
		errs = append(errs, fmt.Errorf("store: trace query: end %v is not after start %v", q.End, q.Start))
	}
	for k := range q.Attributes {
		if k == "" {
			errs = append(errs, errors.New("store: trace query: attribute filter with an empty key"))
			break
		}
	}
	if _, _, err := decodeCursor(q.Cursor, cursorTraces); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// timeRange returns [lo, hi) in unix nanoseconds for start and end.
func timeRange(start, end time.Time) (int64, int64) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !start.IsZero() {
		lo = start.UnixNano()
	}
	if !end.IsZero() {
		hi = end.UnixNano()
	}
	return lo, hi
}

// SearchTraces returns the traces matching q, newest (by start) first.
//
// The service, span name and time range are answered from indexes
// (trace_services, trace_names, traces_start), the duration and error
// filters from the traces rows met on the way, so a page costs about the
// traces scanned until it is full. Attribute filters and TraceQL queries
// first ask the attribute index (FORMAT.md, "Attribute index") which
// traces may match: equality on attributes, names, status and kind, and
// attribute existence narrow the candidates to the traces that may have
// them, read by sequence number when they are few; only the candidates'
// spans are decoded and checked. Conditions the index does not hold
// (regular expressions, ranges, durations, negations) are checked on the
// candidates the other conditions leave, so a query made only of them
// costs the spans of the traces scanned until the page is full.
func (s *Store) SearchTraces(ctx context.Context, q TraceQuery) (TraceSearch, error) {
	res := TraceSearch{Traces: []TraceSummary{}}
	if s.isClosed() {
		return res, ErrClosed
	}
	if err := q.Validate(); err != nil {
		return res, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = defaultTraceLimit
	}
	cur, hasCur, _ := decodeCursor(q.Cursor, cursorTraces) // checked by Validate
	v := s.dict.view()
	base, args, startCol, seqCol, ok := s.searchSQL(q)
	if !ok {
		return res, nil // an unknown service or span name
	}
	st := s.stopper(ctx)
	var af *attrFilter
	if len(q.Attributes) > 0 {
		var err error
		if af, err = newAttrFilter(q.Attributes, &v, st); err != nil {
			return res, err
		}
	}
	groups := attrGroups(q.Attributes)
	var ql *qlMatcher
	if q.TraceQL != nil {
		groups = append(groups, qlGroups(q.TraceQL)...)
		ql = s.newQLMatcher(q.TraceQL, q.SpansPerSet, &v, st)
	}
	lo, _ := timeRange(q.Start, q.End)
	cands, err := s.attrCandidates(ctx, groups, lo, st)
	if err != nil {
		return res, err
	}
	verify := func(r *traceRow) (bool, error) {
		if af != nil {
			if ok, err := s.traceHasAttrs(ctx, r.seq, af, &v, st); err != nil || !ok {
				return false, err
			}
		}
		if ql != nil {
			return ql.match(ctx, r)
		}
		return true, nil
	}
	if !cands.all && !cands.old && cands.n <= maxListedCandidates {
		found, err := s.searchListed(ctx, q, cands.seqs(), verify, st)
		if err != nil {
			return res, err
		}
		return s.tracePage(res, found, limit, &v, ql), nil
	}
	// Candidates are read in chunks (each its own query, resuming after
	// the last), so attribute checks run their own queries in between.
	chunkSize := limit + 1
	switch {
	case !cands.all:
		chunkSize = 1000 // most rows are skipped without a look at their spans
	case af != nil || ql != nil:
		chunkSize = max(4*limit, 100)
	}
	var found []traceRow
	for len(found) <= limit {
		// The time range is the index range read: the cursor narrows it
		// (and the row value skips what its start shares with the page).
		sql, a := base, slices.Clone(args)
		lo, hi := timeRange(q.Start, q.End)
		if hasCur && cur.Time < hi {
			hi = cur.Time + 1
		}
		sql += " AND " + startCol + " >= ? AND " + startCol + " < ?"
		a = append(a, lo, hi)
		if hasCur {
			sql += " AND (" + startCol + ", " + seqCol + ") < (?, ?)"
			a = append(a, cur.Time, cur.ID)
		}
		sql += " ORDER BY " + startCol + " DESC, " + seqCol + " DESC LIMIT ?"
		a = append(a, chunkSize)
		rows, scanned, err := s.candidates(ctx, sql, a, st)
		if err != nil {
			return res, err
		}
		for _, r := range rows {
			cur, hasCur = cursor{Kind: cursorTraces, Time: r.start, ID: r.seq}, true
			if !cands.has(r.seq) {
				continue
			}
			if ok, err := verify(&r); err != nil {
				return res, err
			} else if !ok {
				continue
			}
			if found = append(found, r); len(found) > limit {
				break
			}
		}
		if scanned < chunkSize {
			break // no more candidates
		}
	}
	return s.tracePage(res, found, limit, &v, ql), nil
}

// tracePage fills res with the first limit of found (newest first) and
// the cursor after them when there are more.
func (s *Store) tracePage(res TraceSearch, found []traceRow, limit int, v *dictView, ql *qlMatcher) TraceSearch {
	if len(found) > limit {
		found = found[:limit]
		last := found[limit-1]
		res.Cursor = cursor{Kind: cursorTraces, Time: last.start, ID: last.seq}.encode()
	}
	for i := range found {
		sum := summaryOf(&found[i], v)
		if ql != nil {
			m := ql.matched[found[i].seq]
			sum.Matched, sum.MatchedCount = m.spans, m.count
		}
		res.Traces = append(res.Traces, sum)
	}
	return res
}

// searchSQL returns the candidate query for q, without time range,
// cursor, order and limit: its rows are traceCols of t, driven by a join
// table d (when a service or span name is given) or by traces itself,
// whose start and trace sequence columns are startCol and seqCol. ok is
// false when q names a service or span name never stored.
func (s *Store) searchSQL(q TraceQuery) (query string, args []any, startCol, seqCol string, ok bool) {
	var b strings.Builder
	cols := "t." + strings.ReplaceAll(traceCols, ", ", ", t.")
	var svc uint64
	if q.Service != "" {
		if svc, ok = s.dict.lookupService(q.Service); !ok {
			return "", nil, "", "", false
		}
	}
	switch {
	case q.SpanName != "":
		ids := s.dict.lookupNames(svc, q.SpanName)
		if len(ids) == 0 {
			return "", nil, "", "", false
		}
		// CROSS JOIN keeps the driving table outermost.
		fmt.Fprintf(&b, "SELECT %s FROM trace_names d CROSS JOIN traces t ON t.id = d.trace_seq WHERE d.name_id IN (?%s)",
			cols, strings.Repeat(", ?", len(ids)-1))
		for _, id := range ids {
			args = append(args, int64(id))
		}
	case svc != 0:
		fmt.Fprintf(&b, "SELECT %s FROM trace_services d CROSS JOIN traces t ON t.id = d.trace_seq WHERE d.service_id = ?", cols)
		args = append(args, int64(svc))
	case q.InProgress != nil && *q.InProgress:
		// The partial index holds only the traces in progress.
		fmt.Fprintf(&b, "SELECT %s FROM traces t INDEXED BY traces_open WHERE t.open_count > 0", cols)
	default:
		fmt.Fprintf(&b, "SELECT %s FROM traces t WHERE 1", cols)
	}
	startCol, seqCol = "d.start_ns", "d.trace_seq"
	if q.SpanName == "" && svc == 0 {
		startCol, seqCol = "t.start_ns", "t.id"
	}
	// An in-flight span's trace lasts until it was last heard of.
	if q.MinDuration > 0 {
		b.WriteString(" AND max(t.end_ns, t.last_heard_ns) - t.start_ns >= ?")
		args = append(args, q.MinDuration.Nanoseconds())
	}
	if q.MaxDuration > 0 {
		b.WriteString(" AND max(t.end_ns, t.last_heard_ns) - t.start_ns <= ?")
		args = append(args, q.MaxDuration.Nanoseconds())
	}
	if q.ErrorsOnly {
		b.WriteString(" AND t.error_count > 0")
	}
	if q.InProgress != nil {
		if *q.InProgress {
			b.WriteString(" AND t.open_count > 0") // also with a driving join table
		} else {
			b.WriteString(" AND t.open_count = 0")
		}
	}
	return b.String(), args, startCol, seqCol, true
}

// candidates runs a candidate query and returns its rows without
// repeats of a trace (a trace has a trace_names row per matching name, in
// a row as they share the trace's start) and how many rows it read.
func (s *Store) candidates(ctx context.Context, query string, args []any, st *stopper) ([]traceRow, int, error) {
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: search traces: %w", err)
	}
	defer rows.Close()
	var out []traceRow
	scanned := 0
	for rows.Next() {
		if err := st.tick(); err != nil {
			return nil, 0, fmt.Errorf("store: search traces: %w", err)
		}
		scanned++
		r, err := scanTraceRowSQL(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("store: search traces: %w", err)
		}
		if n := len(out); n > 0 && out[n-1].seq == r.seq {
			continue
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: search traces: %w", err)
	}
	return out, scanned, nil
}

// summaryOf builds the API's summary of a traces row.
func summaryOf(r *traceRow, v *dictView) TraceSummary {
	sum := TraceSummary{
		TraceID: hex.EncodeToString(r.traceID[:]), SpanCount: int(r.spans), ErrorCount: int(r.errors),
		StartUnixNano: r.start, DurationNano: max(r.end, r.lastHeard) - r.start, Services: make([]string, 0, len(r.services)),
		OpenSpans: int(r.open), LostSpans: int(r.lost), InProgress: r.open > 0, LastHeardUnixNano: r.lastHeard,
	}
	if r.rootName != 0 && r.rootName < uint64(len(v.names)) {
		n := v.names[r.rootName]
		sum.RootName = n.name
		if n.service < uint64(len(v.services)) {
			sum.RootService = v.services[n.service]
		}
	}
	for _, id := range r.services {
		if id < uint64(len(v.services)) {
			sum.Services = append(sum.Services, v.services[id])
		}
	}
	slices.Sort(sum.Services)
	return sum
}
