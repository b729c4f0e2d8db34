package web

import (
	"cmp"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/internal/store"
	"github.com/sightline-dev/sightline/internal/traceql"
)

// Tempo's search, GET /api/search: what Grafana's Tempo data source sends
// with streaming off. docs/api.md ("Tempo compatibility") lists the
// sources followed; in short:
//
//   - Grafana (public/app/plugins/datasource/tempo/datasource.ts,
//     handleTraceQlQuery) sends q, limit (default 20), spss (default 3),
//     start and end (unix seconds, the dashboard's range); Grafana 9's
//     search form (buildSearchQuery) sent tags (logfmt), minDuration,
//     maxDuration, limit, start, end. Errors are shown from the body's
//     "message", or "error" when it has none (backend_srv.ts,
//     processRequestError), so every 400 here says in "error" what was
//     given and what is allowed.
//   - Tempo (pkg/api/http.go, ParseSearchRequest) refuses q with tags,
//     limit or spss that are not positive, end not after start.
//   - Tempo's tag search (tempodb/encoding/vparquet4/block_search.go)
//     maps name to the span name, status.code to the span status,
//     service.name to the resource, root.name and root.service.name to the
//     trace's root, anything else to a span or resource attribute, all
//     conditions on the trace; its results carry no span sets
//     (rawToResults).
//   - The answer is tempopb.SearchResponse in Tempo's JSON
//     (pkg/tempopb/tempo.proto): 64-bit numbers as strings, durationMs a
//     number, spanSets (and the deprecated spanSet, the first of them) for
//     TraceQL searches, "<root span not yet received>" for a trace without
//     its root (pkg/search/util.go, RootSpanNotYetReceivedText).

const (
	tempoDefaultLimit = 20
	tempoMaxSpss      = 1000 // the store's bound on spans per span set
	// tempoNoRoot is Tempo's root service name of a trace whose root span
	// has not arrived.
	tempoNoRoot = "<root span not yet received>"
)

var tempoSearchParams = []string{"q", "tags", "minDuration", "maxDuration", "limit", "spss", "start", "end"}

// tempoSearchQuery is a parsed /api/search request.
type tempoSearchQuery struct {
	store.TraceQuery
	// traceQL says the query came as q: the answer carries span sets.
	traceQL bool
	// keys maps the store's names of matched attributes to Tempo's
	// ("resource.host.name" -> "host.name").
	keys map[string]string
}

// tempoSearch answers GET /api/search.
func (a *api) tempoSearch(w http.ResponseWriter, r *http.Request) error {
	q, err := parseTempoSearch(r)
	if err != nil {
		return err
	}
	res, err := a.st.SearchTraces(r.Context(), q.TraceQuery)
	if err != nil {
		return err
	}
	return answer(w, r, tempoSearchAnswer(res, q))
}

// parseTempoSearch reads the parameters of /api/search.
func parseTempoSearch(r *http.Request) (tempoSearchQuery, error) {
	var q tempoSearchQuery
	p, err := queryParams(r, tempoSearchParams)
	if err != nil {
		return q, tempoDetailed(err)
	}
	for _, name := range tempoSearchParams {
		if _, err := p.str(name); err != nil {
			return q, tempoDetailed(err)
		}
	}
	_, hasQ := p.v["q"]
	_, hasTags := p.v["tags"]
	if hasQ && hasTags {
		return q, tempoBadParam("tags", p.v.Get("tags"), "either q (TraceQL) or tags (logfmt), not both, as in Tempo",
			"can't specify tags and q in the same query")
	}
	if s := p.v.Get("q"); s != "" {
		e, err := traceql.Parse(s)
		if err == nil {
			q.TraceQL, err = traceql.Compile(e)
		}
		if err != nil {
			return q, &apiError{Status: http.StatusBadRequest, Message: "q: " + err.Error(), Field: "q", Value: &s,
				Allowed: "TraceQL spanset filters { ... } combined with &&, ||, > and >>, at most 16 KiB (internal/traceql's package documentation)"}
		}
		q.traceQL = true
		q.keys = tempoAttrKeys(q.TraceQL.Fields())
	}
	if s := p.v.Get("tags"); s != "" {
		if err := tagsToQuery(s, &q.TraceQuery); err != nil {
			return q, err
		}
	}
	if q.MinDuration, err = p.duration("minDuration"); err != nil {
		return q, tempoDetailed(err)
	}
	if q.MaxDuration, err = p.duration("maxDuration"); err != nil {
		return q, tempoDetailed(err)
	}
	if q.MaxDuration > 0 && q.MinDuration > q.MaxDuration {
		return q, tempoBadParam("maxDuration", p.v.Get("maxDuration"), "a duration at least minDuration", "less than minDuration (%v)", q.MinDuration)
	}
	if q.Limit, err = p.limit("limit", maxTraceLimit); err != nil {
		return q, tempoDetailed(err)
	}
	if q.Limit == 0 {
		q.Limit = tempoDefaultLimit
	}
	if q.SpansPerSet, err = p.limit("spss", tempoMaxSpss); err != nil {
		return q, tempoDetailed(err)
	}
	return q, tempoRange(p, &q.TraceQuery)
}

// tempoRange reads start and end, unix seconds as Grafana sends them (the
// dashboard's range, rounded down): a trace is found when it starts in
// [start, end + 1s), so the end's last second is included.
func tempoRange(p params, q *store.TraceQuery) error {
	const allowed = "unix seconds, an integer from 0 to 9000000000"
	var secs [2]int64
	for i, name := range []string{"start", "end"} {
		s := p.v.Get(name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > 9_000_000_000 {
			return tempoBadParam(name, s, allowed, "not unix seconds")
		}
		secs[i] = n
		if i == 0 {
			q.Start = time.Unix(n, 0)
		} else {
			q.End = time.Unix(n+1, 0)
		}
	}
	if !q.Start.IsZero() && !q.End.IsZero() && secs[1] <= secs[0] {
		return tempoBadParam("end", p.v.Get("end"), "unix seconds after start", "not after start (%d)", secs[0])
	}
	return nil
}

// tagsToQuery turns the logfmt tags into the store's filters, as Tempo's
// tag search reads them: service.name a service of the trace, name a span
// name in the trace, status and status.code a span status in the trace
// (error, ok or unset), root.name and root.service.name the root span's
// name and service; any other key an attribute of a span or resource
// whose string form is the value. Each condition may hold on a different
// span. Values match whole, not as Tempo's substrings.
func tagsToQuery(s string, q *store.TraceQuery) error {
	pairs, err := parseLogfmtTags(s)
	if err != nil {
		return err
	}
	var filters []string // TraceQL spanset filters, all of which must match
	for _, t := range pairs {
		switch t.key {
		case "service.name":
			q.Service = t.value
		case "name":
			filters = append(filters, "{ name = "+strconv.Quote(t.value)+" }")
		case "root.name":
			filters = append(filters, "{ rootName = "+strconv.Quote(t.value)+" }")
		case "root.service.name":
			filters = append(filters, "{ rootServiceName = "+strconv.Quote(t.value)+" }")
		case "status", "status.code":
			switch t.value {
			case "error":
				q.ErrorsOnly = true
			case "ok", "unset":
				filters = append(filters, "{ status = "+t.value+" }")
			default:
				return tempoBadParam("tags", s, "error, ok or unset as the value of "+t.key, "%s=%s is not a span status", t.key, t.value)
			}
		default:
			if q.Attributes == nil {
				q.Attributes = map[string]string{}
			}
			q.Attributes[t.key] = t.value
		}
	}
	if len(filters) == 0 {
		return nil
	}
	// Built from quoted literals: it parses, unless a value is too long.
	text := strings.Join(filters, " && ")
	e, err := traceql.Parse(text)
	if err == nil {
		q.TraceQL, err = traceql.Compile(e)
	}
	if err != nil {
		return tempoBadParam("tags", s, "tags whose values fit a TraceQL query of at most 16 KiB", "%v", err)
	}
	return nil
}

// tempoAttrKeys maps the store's keys of a query's resource attributes
// ("resource.x") to Tempo's, the attribute's name ("x").
func tempoAttrKeys(fields []traceql.Field) map[string]string {
	keys := map[string]string{}
	for _, f := range fields {
		if f.Intrinsic == traceql.NoIntrinsic && f.Scope == traceql.ScopeResource {
			keys["resource."+f.Name] = f.Name
		}
	}
	return keys
}

// tempoBadParam is badParam whose message also says the value given and
// what is allowed: Grafana shows only the message.
func tempoBadParam(field, value, allowed, format string, args ...any) *apiError {
	ae := badParam(field, value, allowed, format, args...)
	tempoDetailed(ae)
	return ae
}

// tempoDetailed adds the value and what is allowed to a bad parameter's
// message.
func tempoDetailed(err error) error {
	var ae *apiError
	if errors.As(err, &ae) && ae.Value != nil && !strings.Contains(ae.Message, "(given ") {
		ae.Message += " (given " + strconv.Quote(trimValue(*ae.Value)) + "; allowed: " + ae.Allowed + ")"
	}
	return err
}

// The answer, tempopb.SearchResponse as Tempo writes it in JSON.
type (
	tempoSearchResponse struct {
		Traces  []tempoTraceMeta   `json:"traces"`
		Metrics tempoSearchMetrics `json:"metrics"`
	}
	tempoTraceMeta struct {
		TraceID           string         `json:"traceID"`
		RootServiceName   string         `json:"rootServiceName"`
		RootTraceName     string         `json:"rootTraceName,omitempty"`
		StartTimeUnixNano string         `json:"startTimeUnixNano"`
		DurationMs        uint32         `json:"durationMs"`
		SpanSet           *tempoSpanSet  `json:"spanSet,omitempty"`
		SpanSets          []tempoSpanSet `json:"spanSets,omitempty"`
	}
	tempoSpanSet struct {
		Spans   []tempoSpan `json:"spans"`
		Matched int         `json:"matched"`
	}
	tempoSpan struct {
		SpanID            string    `json:"spanID"`
		Name              string    `json:"name,omitempty"`
		StartTimeUnixNano string    `json:"startTimeUnixNano"`
		DurationNanos     string    `json:"durationNanos"`
		Attributes        []tempoKV `json:"attributes,omitempty"`
	}
	tempoKV struct {
		Key   string        `json:"key"`
		Value tempoAnyValue `json:"value"`
	}
	// tempoAnyValue is OTLP's AnyValue in proto3 JSON: one field set, an
	// int64 as a string.
	tempoAnyValue struct {
		StringValue *string  `json:"stringValue,omitempty"`
		IntValue    *string  `json:"intValue,omitempty"`
		DoubleValue *float64 `json:"doubleValue,omitempty"`
		BoolValue   *bool    `json:"boolValue,omitempty"`
	}
	// tempoSearchMetrics: the search is one job; inspectedTraces counts
	// the traces answered and inspectedBytes is 0 (the store counts
	// neither what it read nor its bytes).
	tempoSearchMetrics struct {
		InspectedTraces int    `json:"inspectedTraces"`
		InspectedBytes  string `json:"inspectedBytes"`
		CompletedJobs   int    `json:"completedJobs"`
		TotalJobs       int    `json:"totalJobs"`
	}
)

// tempoSearchAnswer writes the store's page as Tempo's answer.
func tempoSearchAnswer(res store.TraceSearch, q tempoSearchQuery) tempoSearchResponse {
	out := tempoSearchResponse{Traces: make([]tempoTraceMeta, 0, len(res.Traces)),
		Metrics: tempoSearchMetrics{InspectedTraces: len(res.Traces), InspectedBytes: "0", CompletedJobs: 1, TotalJobs: 1}}
	for _, t := range res.Traces {
		m := tempoTraceMeta{
			TraceID:           t.TraceID,
			RootServiceName:   t.RootService,
			RootTraceName:     t.RootName,
			StartTimeUnixNano: strconv.FormatInt(t.StartUnixNano, 10),
			DurationMs:        uint32(min(t.DurationNano/int64(time.Millisecond), math.MaxUint32)),
		}
		if m.RootServiceName == "" {
			m.RootServiceName = tempoNoRoot
		}
		if q.traceQL {
			set := tempoSpanSet{Spans: make([]tempoSpan, 0, len(t.Matched)), Matched: t.MatchedCount}
			for _, sp := range t.Matched {
				set.Spans = append(set.Spans, tempoSpan{
					SpanID:            sp.SpanID,
					Name:              sp.Name,
					StartTimeUnixNano: strconv.FormatInt(sp.StartUnixNano, 10),
					DurationNanos:     strconv.FormatInt(max(sp.DurationNano, 0), 10),
					Attributes:        tempoAttrs(sp.Attributes, q.keys),
				})
			}
			m.SpanSets = []tempoSpanSet{set}
			m.SpanSet = &m.SpanSets[0]
		}
		out.Traces = append(out.Traces, m)
	}
	return out
}

// tempoAttrs writes matched attributes as OTLP key-values, sorted by key.
func tempoAttrs(attrs map[string]any, keys map[string]string) []tempoKV {
	if len(attrs) == 0 {
		return nil
	}
	out := make([]tempoKV, 0, len(attrs))
	for k, v := range attrs {
		if tk, ok := keys[k]; ok {
			k = tk
		}
		var av tempoAnyValue
		switch v := v.(type) {
		case string:
			av.StringValue = &v
		case int64:
			s := strconv.FormatInt(v, 10)
			av.IntValue = &s
		case float64:
			av.DoubleValue = &v
		case bool:
			av.BoolValue = &v
		default:
			continue // the store gives only these
		}
		out = append(out, tempoKV{Key: k, Value: av})
	}
	// Equal keys (span.x and resource.x, both named x) are ordered by value.
	slices.SortFunc(out, func(a, b tempoKV) int {
		return cmp.Or(strings.Compare(a.Key, b.Key), strings.Compare(valueText(a.Value), valueText(b.Value)))
	})
	return out
}

func valueText(v tempoAnyValue) string {
	switch {
	case v.StringValue != nil:
		return "s" + *v.StringValue
	case v.IntValue != nil:
		return "i" + *v.IntValue
	case v.DoubleValue != nil:
		return "d" + strconv.FormatFloat(*v.DoubleValue, 'g', -1, 64)
	case v.BoolValue != nil:
		return "b" + strconv.FormatBool(*v.BoolValue)
	}
	return ""
}
