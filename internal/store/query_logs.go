package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// LogQuery selects log records for SearchLogs. Zero fields do not filter.
type LogQuery struct {
	TraceID     string    // 32 hex digits
	SpanID      string    // 16 hex digits
	Service     string    // the service of the record's resource
	MinSeverity int       // severity number at least this (1-24; 0: any)
	Text        string    // a substring of the body (case-sensitive; a non-string body is searched in its JSON form)
	Start, End  time.Time // record time in [Start, End); zero: unbounded
	Limit       int       // records per page: 0 means 100, at most 1000
	Cursor      string    // from a previous LogSearch; "" for the first page
}

const (
	defaultLogLimit = 100
	maxLogLimit     = 1000
)

// Validate reports every invalid field, one per line.
func (q LogQuery) Validate() error {
	var errs []error
	if q.Limit < 0 || q.Limit > maxLogLimit {
		errs = append(errs, fmt.Errorf("store: log query: limit %d is not in [0, %d]", q.Limit, maxLogLimit))
	}
	if q.MinSeverity < 0 || q.MinSeverity > 24 {
		errs = append(errs, fmt.Errorf("store: log query: minimum severity %d is not in [0, 24]", q.MinSeverity))
	}
	if q.TraceID != "" {
		if _, err := parseTraceID(q.TraceID); err != nil {
			errs = append(errs, fmt.Errorf("store: log query: %w", err))
		}
	}
	if q.SpanID != "" {
		if b, err := hex.DecodeString(q.SpanID); err != nil || len(b) != 8 {
			errs = append(errs, fmt.Errorf("store: log query: span id %q: want 16 hex digits", trim(q.SpanID)))
		}
	}
	if !q.Start.IsZero() && !q.End.IsZero() && !q.End.After(q.Start) {
		errs = append(errs, fmt.Errorf("store: log query: end %v is not after start %v", q.End, q.Start))
	}
	if _, _, err := decodeCursor(q.Cursor, cursorLogs); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// SearchLogs returns the log records matching q, newest first. The time
// range, trace id and service are answered from indexes (logs_time,
// logs_trace, logs_service); severity, span id and text are checked on
// the records met on the way.
func (s *Store) SearchLogs(ctx context.Context, q LogQuery) (LogSearch, error) {
	res := LogSearch{Logs: []LogRecord{}}
	if s.isClosed() {
		return res, ErrClosed
	}
	if err := q.Validate(); err != nil {
		return res, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = defaultLogLimit
	}
	cur, hasCur, _ := decodeCursor(q.Cursor, cursorLogs) // checked by Validate
	lo, hi := timeRange(q.Start, q.End)
	if hasCur && cur.Time < hi {
		hi = cur.Time + 1 // the index range read starts at the cursor
	}
	var b strings.Builder
	b.WriteString("SELECT id, time_ns, observed_ns, severity, trace_id, span_id, service_id, body, payload FROM logs WHERE time_ns >= ? AND time_ns < ?")
	args := []any{lo, hi}
	if q.TraceID != "" {
		tid, _ := parseTraceID(q.TraceID) // checked by Validate
		b.WriteString(" AND trace_id = ?")
		args = append(args, tid[:])
	}
	if q.SpanID != "" {
		sid, _ := hex.DecodeString(q.SpanID)
		b.WriteString(" AND span_id = ?")
		args = append(args, sid)
	}
	if q.Service != "" {
		svc, ok := s.dict.lookupService(q.Service)
		if !ok {
			return res, nil
		}
		b.WriteString(" AND service_id = ?")
		args = append(args, int64(svc))
	}
	if q.MinSeverity > 0 {
		b.WriteString(" AND severity >= ?")
		args = append(args, q.MinSeverity)
	}
	if q.Text != "" {
		b.WriteString(" AND instr(body, ?) > 0")
		args = append(args, q.Text)
	}
	if hasCur {
		b.WriteString(" AND (time_ns, id) < (?, ?)")
		args = append(args, cur.Time, cur.ID)
	}
	b.WriteString(" ORDER BY time_ns DESC, id DESC LIMIT ?")
	args = append(args, limit+1)
	rows, err := s.rdb.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return res, fmt.Errorf("store: search logs: %w", err)
	}
	defer rows.Close()
	v := s.dict.view()
	resources := map[uint64]Resource{}
	var lastTime, lastID int64
	st := s.stopper(ctx)
	for rows.Next() {
		if err := st.tick(); err != nil {
			return res, fmt.Errorf("store: search logs: %w", err)
		}
		if len(res.Logs) == limit {
			res.Cursor = cursor{Kind: cursorLogs, Time: lastTime, ID: lastID}.encode()
			break
		}
		var id, service int64
		var body sql.NullString
		var traceID, spanID, payload []byte
		var lr LogRecord
		if err := rows.Scan(&id, &lr.TimeUnixNano, &lr.ObservedUnixNano, &lr.SeverityNumber, &traceID, &spanID, &service, &body, &payload); err != nil {
			return res, fmt.Errorf("store: search logs: %w", err)
		}
		rec, err := parseLog(payload, &v, st)
		if err != nil {
			return res, fmt.Errorf("store: search logs: record %d: %w", id, err)
		}
		lr.SeverityText = rec.severityText
		lr.DroppedAttributes = int(rec.droppedAttrs)
		lr.Body = rec.body
		if rec.bits&logBody == 0 && body.Valid {
			lr.Body = body.String
		}
		if lr.Attributes, err = jsonMapOf(rec.attrs, &v, st); err != nil {
			return res, fmt.Errorf("store: search logs: record %d: %w", id, err)
		}
		lr.TraceID, lr.SpanID = hex.EncodeToString(traceID), hex.EncodeToString(spanID)
		if service > 0 && service < int64(len(v.services)) {
			lr.Service = v.services[service]
		}
		r, ok := resources[rec.resource]
		if !ok {
			if r, err = jsonResource(rec.resource, &v, st); err != nil {
				return res, fmt.Errorf("store: search logs: record %d: %w", id, err)
			}
			resources[rec.resource] = r
		}
		lr.Resource = r
		res.Logs = append(res.Logs, lr)
		lastTime, lastID = lr.TimeUnixNano, id
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("store: search logs: %w", err)
	}
	return res, nil
}
