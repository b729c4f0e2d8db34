package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/internal/httpjson"
	"github.com/sightline-dev/sightline/internal/store"
)

// Jaeger compatibility: the routes of jaeger-query's HTTP API (/api/...)
// under /jaeger, so that Grafana's Jaeger data source (and other Jaeger
// clients) with the URL http://127.0.0.1:8760/jaeger search and show
// sightline's traces. docs/api.md ("Jaeger's query API") lists what is
// covered and the sources followed: jaegertracing/jaeger
// cmd/query/app/query_parser.go (parameters) and http_handler.go
// (routes, answer shape); grafana/grafana
// public/app/plugins/datasource/jaeger/datasource.ts and
// components/SearchForm.tsx (the requests Grafana sends).

// Bounds of the Jaeger routes (docs/security.md, Queries).
const (
	jaegerDefaultLimit = 100     // traces when limit is absent: jaeger-query's default
	jaegerMaxSpans     = 100_000 // spans in one answer, all traces together
	jaegerMaxTagsBytes = 4096    // the tags parameter
	jaegerMaxTags      = 64      // key-value pairs of tags and tag together
)

// jaegerResponse is jaeger-query's answer: {"data", "total", "limit",
// "offset", "errors"}; an error answer has "data": null.
type jaegerResponse struct {
	Data   any         `json:"data"`
	Total  int         `json:"total"`
	Limit  int         `json:"limit"`
	Offset int         `json:"offset"`
	Errors []jaegerErr `json:"errors"`
}

type jaegerErr struct {
	Code    int    `json:"code,omitempty"`
	Msg     string `json:"msg"`
	TraceID string `json:"traceID,omitempty"`
}

type jaegerOperation struct {
	Name     string `json:"name"`
	SpanKind string `json:"spanKind"`
}

// jaegerRoutes adds the Jaeger routes to mux.
func (a *api) jaegerRoutes(mux *http.ServeMux) {
	for pattern, h := range map[string]func(http.ResponseWriter, *http.Request) error{
		"/jaeger/api/services":                      a.jaegerServices,
		"/jaeger/api/services/{service}/operations": a.jaegerServiceOperations,
		"/jaeger/api/operations":                    a.jaegerOperations,
		"/jaeger/api/traces":                        a.jaegerSearch,
		"/jaeger/api/traces/{trace_id}":             a.jaegerTrace,
		"/jaeger/": func(_ http.ResponseWriter, r *http.Request) error {
			return &apiError{Status: http.StatusNotFound, Message: "no such Jaeger API path: " + r.URL.Path + " (see docs/api.md)"}
		},
	} {
		mux.Handle(pattern, a.jaegerHandle(h))
	}
}

// jaegerHandle is handle with Jaeger's error shape.
func (a *api) jaegerHandle(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			a.jaegerFail(w, r, &apiError{Status: http.StatusMethodNotAllowed, Message: "method " + r.Method + " not allowed: the API is read-only (GET)"})
			return
		}
		if err := h(w, r); err != nil {
			a.jaegerFail(w, r, err)
		}
	})
}

// jaegerFail answers err as jaeger-query does: {"data": null, "errors":
// [{"code", "msg"}]}, a bad parameter's msg naming it, its value and what
// is allowed.
func (a *api) jaegerFail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, store.ErrNotFound):
		ae = &apiError{Status: http.StatusNotFound, Message: "trace not found"}
	case errors.Is(err, store.ErrClosed):
		ae = &apiError{Status: http.StatusServiceUnavailable, Message: "the store is closing: " + err.Error()}
	case r.Context().Err() != nil:
		return // the client went away: nobody to answer
	default:
		ae = &apiError{Status: http.StatusInternalServerError, Message: err.Error()}
		a.opts.logger.Error("Jaeger API", "path", r.URL.Path, "query", r.URL.RawQuery, "error", err)
	}
	msg := ae.Message
	if ae.Value != nil {
		msg += fmt.Sprintf(" (given %q; allowed: %s)", trimValue(*ae.Value), ae.Allowed)
	}
	httpjson.Write(w, ae.Status, jaegerResponse{Errors: []jaegerErr{{Code: ae.Status, Msg: msg}}})
}

func trimValue(s string) string {
	if len(s) > 100 {
		return s[:100] + "..."
	}
	return s
}

// jaegerServices answers GET /jaeger/api/services: data is the services.
func (a *api) jaegerServices(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, nil); err != nil {
		return err
	}
	names, err := a.st.Services(r.Context())
	if err != nil {
		return err
	}
	return answer(w, r, jaegerResponse{Data: nonNil(names), Total: len(names)})
}

// jaegerServiceOperations answers GET
// /jaeger/api/services/{service}/operations: data is the span names.
func (a *api) jaegerServiceOperations(w http.ResponseWriter, r *http.Request) error {
	if err := checkParams(r, nil); err != nil {
		return err
	}
	names, err := a.st.SpanNames(r.Context(), r.PathValue("service"))
	if err != nil {
		return err
	}
	return answer(w, r, jaegerResponse{Data: nonNil(names), Total: len(names)})
}

// jaegerOperations answers GET /jaeger/api/operations?service=&spanKind=:
// data is [{"name", "spanKind"}]. The store does not index span kinds by
// name, so spanKind is checked but not applied, and answered "".
func (a *api) jaegerOperations(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, []string{"service", "spanKind"})
	if err != nil {
		return err
	}
	service, err := jaegerService(p)
	if err != nil {
		return err
	}
	switch kind, err := p.str("spanKind"); {
	case err != nil:
		return err
	case !strings.Contains(",server,client,producer,consumer,internal,", ","+kind+","):
		return badParam("spanKind", kind, "server, client, producer, consumer, internal or empty", "not a span kind")
	}
	names, err := a.st.SpanNames(r.Context(), service)
	if err != nil {
		return err
	}
	ops := make([]jaegerOperation, len(names))
	for i, n := range names {
		ops[i] = jaegerOperation{Name: n}
	}
	return answer(w, r, jaegerResponse{Data: ops, Total: len(ops)})
}

// jaegerSearch answers GET /jaeger/api/traces: data is the matching
// traces, whole, newest first, at most jaegerMaxSpans spans in all.
func (a *api) jaegerSearch(w http.ResponseWriter, r *http.Request) error {
	q, err := jaegerQuery(r)
	if err != nil {
		return err
	}
	res, err := a.st.SearchTraces(r.Context(), q)
	if err != nil {
		return err
	}
	out := jaegerResponse{Data: []jaegerTrace{}}
	traces := make([]jaegerTrace, 0, len(res.Traces))
	spans := 0
	for i, sum := range res.Traces {
		if spans >= jaegerMaxSpans {
			out.Errors = append(out.Errors, jaegerErr{Msg: fmt.Sprintf("answer cut after %d of %d traces: at most %d spans are served in one answer; narrow the search or lower limit",
				i, len(res.Traces), jaegerMaxSpans)})
			break
		}
		t, n, err := a.jaegerRead(r, sum.TraceID, jaegerMaxSpans-spans)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted since the search
		}
		if err != nil {
			return err
		}
		spans += n
		traces = append(traces, *t)
	}
	out.Data, out.Total = traces, len(traces)
	return answer(w, r, out)
}

// jaegerTrace answers GET /jaeger/api/traces/{trace_id}: data is [trace].
func (a *api) jaegerTrace(w http.ResponseWriter, r *http.Request) error {
	id, err := tempoTraceID(r.PathValue("trace_id"))
	if err != nil {
		return err
	}
	// start and end narrow where Jaeger looks; the store finds by id.
	if err := checkParams(r, []string{"start", "end", "prettyPrint"}); err != nil {
		return err
	}
	t, _, err := a.jaegerRead(r, id, jaegerMaxSpans)
	if err != nil {
		return err
	}
	return answer(w, r, jaegerResponse{Data: []jaegerTrace{*t}, Total: 1})
}

// jaegerRead reads a trace, page by page, cut at budget (at least 1)
// spans with a warning; it returns the spans read.
func (a *api) jaegerRead(r *http.Request, id string, budget int) (*jaegerTrace, int, error) {
	b := newJaegerTrace(id)
	var page store.Page
	n := 0
	for {
		page.Limit = min(maxSpanLimit, budget-n)
		p, err := a.st.Trace(r.Context(), id, page)
		if err != nil {
			return nil, n, err
		}
		b.add(&p)
		n += len(p.Spans)
		if p.Cursor == "" {
			return &b.t, n, nil
		}
		if n >= budget {
			b.t.Warnings = append(b.t.Warnings, fmt.Sprintf("sightline: trace cut at %d of its %d spans (at most %d spans are served in one answer); "+
				"/api/v1/traces/%s pages through all of them", n, p.Summary.SpanCount, jaegerMaxSpans, id))
			return &b.t, n, nil
		}
		page.Cursor = p.Cursor
	}
}

var jaegerSearchParams = []string{"service", "operation", "tags", "tag", "minDuration", "maxDuration", "start", "end", "limit", "lookback", "prettyPrint"}

// jaegerQuery reads jaeger-query's search parameters: start and end in
// unix microseconds (end inclusive), durations as Go durations, tags a
// JSON object of strings and tag repeatable key:value. lookback is what
// the UI derived start from, and is ignored as jaeger-query does.
func jaegerQuery(r *http.Request) (store.TraceQuery, error) {
	var q store.TraceQuery
	p, err := queryParams(r, jaegerSearchParams)
	if err != nil {
		return q, err
	}
	if q.Service, err = jaegerService(p); err != nil {
		return q, err
	}
	if q.SpanName, err = p.str("operation"); err != nil {
		return q, err
	}
	if q.Attributes, err = jaegerTags(p); err != nil {
		return q, err
	}
	if v, ok := q.Attributes["error"]; ok && v == "true" {
		// Jaeger's error tag is the translator's mark of an error status.
		q.ErrorsOnly = true
		delete(q.Attributes, "error")
	}
	if q.MinDuration, err = p.duration("minDuration"); err != nil {
		return q, err
	}
	if q.MaxDuration, err = p.duration("maxDuration"); err != nil {
		return q, err
	}
	if q.MaxDuration > 0 && q.MinDuration > q.MaxDuration {
		return q, badParam("maxDuration", p.v.Get("maxDuration"), "a duration at least minDuration", "less than minDuration (%v)", q.MinDuration)
	}
	if q.Start, err = jaegerMicros(p, "start"); err != nil {
		return q, err
	}
	if q.End, err = jaegerMicros(p, "end"); err != nil {
		return q, err
	}
	if !q.End.IsZero() {
		if !q.Start.IsZero() && q.End.Before(q.Start) {
			return q, badParam("end", p.v.Get("end"), "unix microseconds not before start", "before start (%s)", p.v.Get("start"))
		}
		q.End = q.End.Add(time.Microsecond) // inclusive, as in Jaeger
	}
	if q.Limit, err = p.limit("limit", maxTraceLimit); err != nil {
		return q, err
	}
	if q.Limit == 0 {
		q.Limit = jaegerDefaultLimit
	}
	return q, nil
}

func jaegerService(p params) (string, error) {
	s, err := p.str("service")
	if err == nil && s == "" {
		err = badParam("service", s, "a service name (see /jaeger/api/services)", "required")
	}
	return s, err
}

// jaegerMicros returns the time of unix microseconds; zero when absent.
func jaegerMicros(p params, name string) (time.Time, error) {
	s, err := p.str(name)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	const allowed = "unix microseconds, an integer from 0 to 9223372036854775 (as jaeger-query reads it)"
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil:
		return time.Time{}, badParam(name, s, allowed, "not an integer")
	case n < 0 || n > math.MaxInt64/1000-1:
		return time.Time{}, badParam(name, s, allowed, "out of range")
	}
	return time.UnixMicro(n), nil
}

// jaegerTags reads tags (a JSON object of strings) and tag (repeatable
// key:value) into one map.
func jaegerTags(p params) (map[string]string, error) {
	m := map[string]string{}
	const allowedTag = "key:value (repeatable; the key must not be empty)"
	for _, s := range p.v["tag"] {
		k, v, ok := strings.Cut(s, ":")
		switch {
		case !ok:
			return nil, badParam("tag", s, allowedTag, "no : between key and value")
		case k == "":
			return nil, badParam("tag", s, allowedTag, "empty key")
		}
		m[k] = v
	}
	allowed := fmt.Sprintf(`a JSON object of strings such as {"http.status_code":"500","error":"true"}, at most %d bytes`, jaegerMaxTagsBytes)
	for _, s := range p.v["tags"] {
		if len(s) > jaegerMaxTagsBytes {
			return nil, badParam("tags", s, allowed, "%d bytes", len(s))
		}
		var obj map[string]string
		if err := json.Unmarshal([]byte(s), &obj); err != nil {
			return nil, badParam("tags", s, allowed, "not a JSON object of strings: %v", err)
		}
		for k, v := range obj {
			if k == "" {
				return nil, badParam("tags", s, allowed, "empty key")
			}
			m[k] = v
		}
	}
	if len(m) > jaegerMaxTags {
		return nil, badParam("tags", p.v.Get("tags"), fmt.Sprintf("at most %d key-value pairs in tags and tag together", jaegerMaxTags), "%d pairs", len(m))
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}
