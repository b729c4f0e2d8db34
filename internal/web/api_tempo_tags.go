package web

import (
	"errors"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/internal/store"
)

// Tempo's tag routes: what Grafana's Tempo data source calls when it
// loads (build info) and when its search editor, TraceQL autocompletion
// and ad-hoc filters list tag names and values. docs/api.md lists the
// sources followed.
//
// The store has no attribute index yet, so names and values are collected
// from a bounded sample: the newest tagScanTraces traces (of the start-end
// range when given), at most tagScanSpans spans in all, the first page of
// each trace. Lists hold at most tagListMax entries (or limit), sorted and
// deduplicated. Indexed lists are used where the store has them: service
// names (service.name), span names (the intrinsic name); status and kind
// are fixed lists.
const (
	tagScanTraces = 1000
	tagScanSpans  = 100_000
	tagListMax    = 1000
	// tempoVersion is the Tempo version /api/status/buildinfo reports.
	// Grafana compares it with semver.gte to the minimum versions of
	// features (streaming search 2.2.0, streaming metrics 2.7.0); a
	// version that is not semver enables everything. 2.6.0 has the tag
	// routes served here and is below the TraceQL metrics sightline does
	// not serve.
	tempoVersion = "2.6.0"
)

// tempoIntrinsics are the intrinsic tags Tempo lists (its API docs).
var tempoIntrinsics = []string{
	"duration", "event:name", "event:timeSinceStart", "instrumentation:name", "instrumentation:version",
	"kind", "name", "rootName", "rootServiceName", "span:duration", "span:kind", "span:name",
	"span:status", "span:statusMessage", "status", "statusMessage", "trace:duration", "trace:rootName",
	"trace:rootService", "traceDuration",
}

// tempoScopes are the scopes of the v2 tag routes.
var tempoScopes = []string{"span", "resource", "event", "link", "instrumentation", "intrinsic"}

// tempoBuildInfo answers GET /api/status/buildinfo.
func (a *api) tempoBuildInfo(w http.ResponseWriter, r *http.Request) error {
	info := map[string]string{"version": tempoVersion, "revision": "sightline (devel)", "branch": "",
		"buildDate": "", "buildUser": "", "goVersion": runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		info["revision"] = "sightline " + bi.Main.Version // sightline's own version
	}
	return answer(w, r, info)
}

// tagQuery is what the tag routes read from the query: start and end
// (unix seconds, either may be absent) and limit. Other parameters (q,
// maxStaleValues) are accepted and ignored, as on the other Tempo routes.
type tagQuery struct {
	start, end time.Time
	limit      int
}

func readTagQuery(r *http.Request) (tagQuery, error) {
	q := tagQuery{limit: tagListMax}
	v := r.URL.Query()
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"start", &q.start}, {"end", &q.end}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > 9_000_000_000 {
			return q, badParam(p.name, s, "unix seconds (a non-negative integer)", "not unix seconds")
		}
		*p.t = time.Unix(n, 0)
	}
	if !q.start.IsZero() && !q.end.IsZero() && !q.end.After(q.start) {
		return q, badParam("end", v.Get("end"), "unix seconds after start", "not after start (%s)", v.Get("start"))
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return q, badParam("limit", s, "a non-negative integer (0 or more than "+strconv.Itoa(tagListMax)+" means "+strconv.Itoa(tagListMax)+")", "not a non-negative integer")
		}
		if n > 0 && n < tagListMax {
			q.limit = n
		}
	}
	return q, nil
}

// tagScope reads the scope parameter: "" for all scopes.
func tagScope(r *http.Request) (string, error) {
	s := r.URL.Query().Get("scope")
	if s == "" || s == "all" || slices.Contains(tempoScopes, s) {
		return strings.TrimPrefix(s, "all"), nil
	}
	return "", badParam("scope", s, "all, "+strings.Join(tempoScopes, ", "), "unknown scope")
}

// tempoTags answers GET /api/search/tags (v1): {"tagNames": [...]}, span
// and resource attribute names unless scope says otherwise.
func (a *api) tempoTags(w http.ResponseWriter, r *http.Request) error {
	q, scope, names, err := a.tagNames(r)
	if err != nil {
		return err
	}
	out := newNameSet(q.limit)
	switch scope {
	case "":
		out.addAll(names["span"], names["resource"])
	case "intrinsic":
		out.addAll(tempoIntrinsics)
	default:
		out.addAll(names[scope])
	}
	return answer(w, r, map[string][]string{"tagNames": out.sorted()})
}

// tempoTagsV2 answers GET /api/v2/search/tags: {"scopes": [{"name":
// "span", "tags": [...]}, ...]}. All scopes lists span, resource and
// intrinsic, and event and link when they have tags.
func (a *api) tempoTagsV2(w http.ResponseWriter, r *http.Request) error {
	q, scope, names, err := a.tagNames(r)
	if err != nil {
		return err
	}
	type scopeTags struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}
	scopes := []scopeTags{}
	for _, s := range tempoScopes {
		var tags []string
		if s == "intrinsic" {
			tags = tempoIntrinsics[:min(len(tempoIntrinsics), q.limit)]
		} else {
			set := newNameSet(q.limit)
			set.addAll(names[s])
			tags = set.sorted()
		}
		if scope == s || (scope == "" && (len(tags) > 0 || s == "span" || s == "resource" || s == "intrinsic")) {
			scopes = append(scopes, scopeTags{s, tags})
		}
	}
	return answer(w, r, map[string]any{"scopes": scopes})
}

// tagNames reads the query and scope and collects the attribute names of
// the sample, by scope (instrumentation is always empty: the store keeps
// no scope attributes).
func (a *api) tagNames(r *http.Request) (tagQuery, string, map[string][]string, error) {
	q, err := readTagQuery(r)
	if err != nil {
		return q, "", nil, err
	}
	scope, err := tagScope(r)
	if err != nil || scope == "intrinsic" || scope == "instrumentation" {
		return q, scope, nil, err
	}
	sets := map[string]*nameSet{}
	for _, s := range []string{"span", "resource", "event", "link"} {
		sets[s] = newNameSet(tagListMax)
	}
	add := func(s string, m map[string]any) {
		for k := range m {
			sets[s].add(k)
		}
	}
	err = a.scanSpans(r, q, func(tp *store.TracePage) bool {
		for _, res := range tp.Resources {
			add("resource", res.Attributes)
		}
		for _, sp := range tp.Spans {
			add("span", sp.Attributes)
			for _, e := range sp.Events {
				add("event", e.Attributes)
			}
			for _, l := range sp.Links {
				add("link", l.Attributes)
			}
		}
		return sets["span"].full() && sets["resource"].full() && sets["event"].full() && sets["link"].full()
	})
	names := map[string][]string{}
	for s, set := range sets {
		names[s] = set.sorted()
	}
	return q, scope, names, err
}

// scanSpans calls visit with the first page of each trace of the sample,
// newest first, until it returns true or the sample is done.
func (a *api) scanSpans(r *http.Request, q tagQuery, visit func(*store.TracePage) bool) error {
	ctx := r.Context()
	res, err := a.st.SearchTraces(ctx, store.TraceQuery{Start: q.start, End: q.end, Limit: tagScanTraces})
	if err != nil {
		return err
	}
	left := tagScanSpans
	for _, t := range res.Traces {
		if left <= 0 {
			break
		}
		tp, err := a.st.Trace(ctx, t.TraceID, store.Page{Limit: min(left, 1000)})
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted since the search
		}
		if err != nil {
			return err
		}
		left -= len(tp.Spans)
		if visit(&tp) {
			break
		}
		if err := clientGone(r); err != nil {
			return err
		}
	}
	return nil
}
