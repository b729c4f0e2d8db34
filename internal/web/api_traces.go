package web

import (
	"errors"
	"fmt"
	"net/http"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/httpjson"
	"github.com/sightline-dev/sightline/internal/store"
)

// Page size bounds, the store's.
const (
	maxTraceLimit = 1000  // traces per search page
	maxSpanLimit  = 10000 // spans per trace page
	maxLogLimit   = 1000  // log records per page
)

// services answers GET /api/v1/services: {"services": [...]}.
func (a *api) services(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, nil); err != nil {
		return err
	}
	names, err := a.st.Services(r.Context())
	if err != nil {
		return err
	}
	return answer(w, r, struct {
		Services []string `json:"services"`
	}{nonNil(names)})
}

// spanNames answers GET /api/v1/services/{service}/span-names:
// {"span_names": [...]}, empty for an unknown service.
func (a *api) spanNames(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, nil); err != nil {
		return err
	}
	names, err := a.st.SpanNames(r.Context(), r.PathValue("service"))
	if err != nil {
		return err
	}
	return answer(w, r, struct {
		SpanNames []string `json:"span_names"`
	}{nonNil(names)})
}

var traceSearchParams = []string{"service", "span_name", "attr", "min_duration", "max_duration", "errors", "in_progress", "start", "end", "limit", "cursor"}

// searchTraces answers GET /api/v1/traces with a store.TraceSearch.
func (a *api) searchTraces(w http.ResponseWriter, r *http.Request) error {
	q, err := traceQuery(r)
	if err != nil {
		return err
	}
	res, err := a.st.SearchTraces(r.Context(), q)
	if err != nil {
		return err
	}
	return answer(w, r, res)
}

// traceQuery reads a store.TraceQuery from r's parameters.
func traceQuery(r *http.Request) (store.TraceQuery, error) {
	var q store.TraceQuery
	p, err := queryParams(r, traceSearchParams)
	if err != nil {
		return q, err
	}
	if q.Service, err = p.str("service"); err != nil {
		return q, err
	}
	if q.SpanName, err = p.str("span_name"); err != nil {
		return q, err
	}
	if q.Attributes, err = p.attrs("attr"); err != nil {
		return q, err
	}
	if q.MinDuration, err = p.duration("min_duration"); err != nil {
		return q, err
	}
	if q.MaxDuration, err = p.duration("max_duration"); err != nil {
		return q, err
	}
	if q.MaxDuration > 0 && q.MinDuration > q.MaxDuration {
		return q, badParam("max_duration", p.v.Get("max_duration"), "a duration at least min_duration", "less than min_duration (%v)", q.MinDuration)
	}
	if q.ErrorsOnly, err = p.boolean("errors"); err != nil {
		return q, err
	}
	if p.v.Get("in_progress") != "" {
		inProgress, err := p.boolean("in_progress")
		if err != nil {
			return q, err
		}
		q.InProgress = &inProgress
	}
	if q.Start, q.End, err = p.timeRange(); err != nil {
		return q, err
	}
	if q.Limit, err = p.limit("limit", maxTraceLimit); err != nil {
		return q, err
	}
	q.Cursor, err = p.str("cursor")
	return q, err
}

// trace answers GET /api/v1/traces/{trace_id} with a store.TracePage: a
// page of the trace, or with changes_since the spans changed since that
// token (store.Store.TraceChanges).
func (a *api) trace(w http.ResponseWriter, r *http.Request) error {
	id, err := parseHexID("trace_id", r.PathValue("trace_id"), 16)
	if err != nil {
		return err
	}
	p, err := queryParams(r, []string{"limit", "cursor", "changes_since"})
	if err != nil {
		return err
	}
	var page store.Page
	if page.Limit, err = p.limit("limit", maxSpanLimit); err != nil {
		return err
	}
	if page.Cursor, err = p.str("cursor"); err != nil {
		return err
	}
	since, err := p.str("changes_since")
	if err != nil {
		return err
	}
	var res store.TracePage
	switch {
	case since != "" && page.Cursor != "":
		return badParam("cursor", page.Cursor, "no cursor with changes_since (a changes answer is cut by limit; ask again with its token)",
			"given with changes_since")
	case since != "":
		res, err = a.st.TraceChanges(r.Context(), id, since, page.Limit)
	case p.v.Has("changes_since"):
		return badParam("changes_since", since, "the changes token of a previous answer for this trace", "empty")
	default:
		res, err = a.st.Trace(r.Context(), id, page)
	}
	if err != nil {
		return traceError(id, err)
	}
	return answer(w, r, res)
}

// traceOTLP answers GET /api/v1/traces/{trace_id}/otlp: the whole trace
// as an OTLP-JSON ExportTraceServiceRequest, as a download.
func (a *api) traceOTLP(w http.ResponseWriter, r *http.Request) error {
	id, err := parseHexID("trace_id", r.PathValue("trace_id"), 16)
	if err != nil {
		return err
	}
	if err := checkParams(r, nil); err != nil {
		return err
	}
	td, err := a.st.TraceOTLP(r.Context(), id)
	if err != nil {
		return traceError(id, err)
	}
	if err := clientGone(r); err != nil {
		return err
	}
	b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	if err != nil {
		return fmt.Errorf("trace %s: encode OTLP-JSON: %w", id, err)
	}
	if err := clientGone(r); err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="trace-`+id+`.json"`)
	httpjson.WriteBody(w, http.StatusOK, "application/json", b)
	return nil
}

// traceError makes a missing trace a 404 naming it.
func traceError(id string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		v := id
		return &apiError{Status: http.StatusNotFound, Message: "trace " + id + " not found", Field: "trace_id", Value: &v}
	}
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
