package web

import (
	"cmp"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/sightline-dev/sightline/internal/store"
)

// tagValue is one of the v2 values: Tempo's type and the value as text.
type tagValue struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// tempoTagValues answers GET /api/search/tag/{name}/values (v1): the
// values of span and resource attribute name, as strings.
func (a *api) tempoTagValues(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if strings.TrimSpace(name) == "" {
		return badParam("name", name, "an attribute name, such as service.name or http.method", "empty")
	}
	vals, err := a.tagValues(r, "", name)
	if err != nil {
		return err
	}
	out := newNameSet(tagListMax)
	for _, v := range vals {
		out.add(v.Value)
	}
	return answer(w, r, map[string][]string{"tagValues": out.sorted()})
}

// tempoTagValuesV2 answers GET /api/v2/search/tag/{name}/values: the
// values of a TraceQL identifier (span.x, resource.x, .x, an intrinsic)
// with their types.
func (a *api) tempoTagValuesV2(w http.ResponseWriter, r *http.Request) error {
	scope, key, err := parseTagName(r.PathValue("name"))
	if err != nil {
		return err
	}
	vals, err := a.tagValues(r, scope, key)
	if err != nil {
		return err
	}
	return answer(w, r, map[string][]tagValue{"tagValues": vals})
}

// parseTagName splits a TraceQL identifier into its scope ("" for .x,
// "intrinsic" for an intrinsic) and attribute name, which may be quoted
// (span."a b").
func parseTagName(s string) (scope, key string, err error) {
	const allowed = `a TraceQL identifier: span.<attribute>, resource.<attribute>, event.<attribute>, ` +
		`link.<attribute>, instrumentation.<attribute>, .<attribute> (span or resource), or an intrinsic (name, status, kind, ...)`
	if slices.Contains(tempoIntrinsics, s) {
		return "intrinsic", strings.TrimPrefix(strings.TrimPrefix(s, "span:"), "trace:"), nil
	}
	scope, key, ok := strings.Cut(s, ".")
	if !ok || (scope != "" && (scope == "intrinsic" || !slices.Contains(tempoScopes, scope))) {
		return "", "", badParam("name", s, allowed, "not a known intrinsic nor a scoped attribute")
	}
	if strings.HasPrefix(key, `"`) {
		if key, err = strconv.Unquote(key); err != nil {
			return "", "", badParam("name", s, allowed, "bad quoted attribute name")
		}
	}
	if key == "" {
		return "", "", badParam("name", s, allowed, "empty attribute name")
	}
	return scope, key, nil
}

// tagValues collects the values of key in scope ("" for span and
// resource; "intrinsic" for an intrinsic), sorted.
func (a *api) tagValues(r *http.Request, scope, key string) ([]tagValue, error) {
	q, err := readTagQuery(r)
	if err != nil {
		return nil, err
	}
	set := map[tagValue]bool{}
	full := func() bool { return len(set) >= q.limit }
	add := func(v any) {
		if tv, ok := tempoValue(v); ok && !full() {
			set[tv] = true
		}
	}
	ctx := r.Context()
	switch {
	case scope == "intrinsic" && (key == "status" || key == "kind"):
		list := []string{"error", "ok", "unset"}
		if key == "kind" {
			list = []string{"client", "consumer", "internal", "producer", "server", "unspecified"}
		}
		for _, v := range list {
			set[tagValue{"keyword", v}] = true
		}
	case scope == "intrinsic" && key == "name":
		services, err := a.st.Services(ctx)
		for i := 0; err == nil && i < len(services) && !full(); i++ {
			var names []string
			names, err = a.st.SpanNames(ctx, services[i])
			for _, n := range names {
				add(n)
			}
		}
		if err != nil {
			return nil, err
		}
	case (scope == "resource" || scope == "") && key == "service.name":
		services, err := a.st.Services(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range services {
			add(s)
		}
	case scope == "intrinsic" && (key == "rootName" || key == "rootServiceName" || key == "rootService"):
		res, err := a.st.SearchTraces(ctx, store.TraceQuery{Start: q.start, End: q.end, Limit: tagScanTraces})
		if err != nil {
			return nil, err
		}
		for _, t := range res.Traces {
			v := t.RootService
			if key == "rootName" {
				v = t.RootName
			}
			if v != "" {
				add(v)
			}
		}
	case scope == "intrinsic" && key != "statusMessage", scope == "instrumentation":
		// Durations and the rest: no list to offer; no scope attributes stored.
	default:
		err = a.scanSpans(r, q, func(tp *store.TracePage) bool {
			if scope == "resource" || scope == "" {
				for _, res := range tp.Resources {
					add(res.Attributes[key])
				}
			}
			for _, sp := range tp.Spans {
				switch scope {
				case "", "span":
					add(sp.Attributes[key])
				case "event":
					for _, e := range sp.Events {
						add(e.Attributes[key])
					}
				case "link":
					for _, l := range sp.Links {
						add(l.Attributes[key])
					}
				case "intrinsic": // statusMessage
					if sp.StatusMessage != "" {
						add(sp.StatusMessage)
					}
				}
			}
			return full()
		})
		if err != nil {
			return nil, err
		}
	}
	out := slices.AppendSeq(make([]tagValue, 0, len(set)), maps.Keys(set))
	slices.SortFunc(out, func(x, y tagValue) int {
		return cmp.Or(strings.Compare(x.Value, y.Value), strings.Compare(x.Type, y.Type))
	})
	return out, nil
}

// tempoValue gives an attribute value Tempo's type and text; arrays,
// key-value lists, bytes and empty values are not offered.
func tempoValue(v any) (tagValue, bool) {
	switch v := v.(type) {
	case string:
		return tagValue{"string", v}, true
	case bool:
		return tagValue{"bool", strconv.FormatBool(v)}, true
	case int64:
		return tagValue{"int", strconv.FormatInt(v, 10)}, true
	case float64:
		return tagValue{"float", strconv.FormatFloat(v, 'g', -1, 64)}, true
	}
	return tagValue{}, false
}

// nameSet is a set of at most most strings.
type nameSet struct {
	m    map[string]bool
	most int
}

func newNameSet(most int) *nameSet { return &nameSet{m: map[string]bool{}, most: most} }

func (s *nameSet) full() bool { return len(s.m) >= s.most }

// sorted returns the strings sorted, [] (not nil) when none.
func (s *nameSet) sorted() []string {
	out := slices.AppendSeq(make([]string, 0, len(s.m)), maps.Keys(s.m))
	slices.Sort(out)
	return out
}

func (s *nameSet) add(v string) {
	if !s.full() {
		s.m[v] = true
	}
}

func (s *nameSet) addAll(lists ...[]string) {
	for _, l := range lists {
		for _, v := range l {
			s.add(v)
		}
	}
}
