package web

import (
	"net/http"

	"github.com/sightline-dev/sightline/internal/store"
)

var logSearchParams = []string{"trace_id", "span_id", "service", "min_severity", "text", "start", "end", "limit", "cursor"}

// searchLogs answers GET /api/v1/logs with a store.LogSearch.
func (a *api) searchLogs(w http.ResponseWriter, r *http.Request) error {
	q, err := logQuery(r)
	if err != nil {
		return err
	}
	res, err := a.st.SearchLogs(r.Context(), q)
	if err != nil {
		return err
	}
	return answer(w, r, res)
}

// logQuery reads a store.LogQuery from r's parameters.
func logQuery(r *http.Request) (store.LogQuery, error) {
	var q store.LogQuery
	p, err := queryParams(r, logSearchParams)
	if err != nil {
		return q, err
	}
	if q.TraceID, err = p.hexID("trace_id", 16); err != nil {
		return q, err
	}
	if q.SpanID, err = p.hexID("span_id", 8); err != nil {
		return q, err
	}
	if q.Service, err = p.str("service"); err != nil {
		return q, err
	}
	if q.MinSeverity, err = p.severity("min_severity"); err != nil {
		return q, err
	}
	if q.Text, err = p.str("text"); err != nil {
		return q, err
	}
	if q.Start, q.End, err = p.timeRange(); err != nil {
		return q, err
	}
	if q.Limit, err = p.limit("limit", maxLogLimit); err != nil {
		return q, err
	}
	q.Cursor, err = p.str("cursor")
	return q, err
}
