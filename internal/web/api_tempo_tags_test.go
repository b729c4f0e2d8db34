package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The shapes below follow (read 2026-11):
//   - Tempo's HTTP API docs (grafana/tempo, docs/sources/tempo/api_docs/_index.md):
//     "Search tags" GET /api/search/tags -> {"tagNames": [...]}, scope
//     resource|span|intrinsic|event|link|instrumentation, start/end unix
//     seconds, limit; "Search tags V2" GET /api/v2/search/tags -> {"scopes":
//     [{"name": "span", "tags": [...]}, ...]} and its intrinsic list; "Search
//     tag values" GET /api/search/tag/<tag>/values -> {"tagValues": ["a"]};
//     "Search tag values V2" GET /api/v2/search/tag/<identifier>/values ->
//     {"tagValues": [{"type": "string", "value": "a"}]} for TraceQL
//     identifiers (.service.name, resource.service.name); "List build
//     information" GET /api/status/buildinfo -> version, revision, branch,
//     buildDate, buildUser, goVersion.
//   - Grafana's Tempo data source (grafana/grafana,
//     public/app/plugins/datasource/tempo/datasource.ts): init() reads
//     response.data.version of /api/status/buildinfo and isFeatureAvailable
//     compares it with semver.gte to featuresToTempoVersion (streaming
//     search 2.2.0, streaming metrics 2.7.0); labelValuesQuery sends
//     scope.tag to the v2 values route, the bare tag for intrinsics, and
//     falls back to v1 on failure; the tags are fetched from
//     /api/v2/search/tags, falling back to /api/search/tags (grafana/grafana
//     PR 68106, "Tempo: Integrate scoped tags API").

func TestTempoBuildInfo(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	var info map[string]string
	getJSON(t, srv, "/api/status/buildinfo", http.StatusOK, &info)
	for _, k := range []string{"version", "revision", "branch", "buildDate", "buildUser", "goVersion"} {
		if _, ok := info[k]; !ok {
			t.Errorf("buildinfo lacks %q: %v", k, info)
		}
	}
	if info["version"] != "2.6.0" || !strings.HasPrefix(info["revision"], "sightline") || !strings.HasPrefix(info["goVersion"], "go") {
		t.Errorf("buildinfo %v", info)
	}
}

func TestTempoTagsV1(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"deployment.environment", "http.method", "http.status_code", "motor.position", "service.name"}},
		{"?scope=span&start=1&end=9000000000&limit=5000&q=%7B%7D", []string{"http.method", "http.status_code", "motor.position"}},
		{"?scope=resource", []string{"deployment.environment", "service.name"}},
		{"?limit=2", []string{"http.method", "http.status_code"}},
		{"?end=1", []string{}}, // no trace started before 1970-01-01T00:00:01Z
	} {
		var got struct{ TagNames []string }
		getJSON(t, srv, "/api/search/tags"+c.query, http.StatusOK, &got)
		if !slices.Equal(got.TagNames, c.want) {
			t.Errorf("%s: %q, want %q", c.query, got.TagNames, c.want)
		}
	}
	var got struct{ TagNames []string }
	getJSON(t, srv, "/api/search/tags?scope=intrinsic", http.StatusOK, &got)
	if !slices.Contains(got.TagNames, "rootServiceName") || !slices.Contains(got.TagNames, "status") {
		t.Errorf("intrinsic: %q", got.TagNames)
	}
}

func TestTempoTagsV2(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	type scopes struct {
		Scopes []struct {
			Name string
			Tags []string
		}
	}
	var got scopes
	getJSON(t, srv, "/api/v2/search/tags?start=0", http.StatusOK, &got)
	byName := map[string][]string{}
	for _, s := range got.Scopes {
		byName[s.Name] = s.Tags
	}
	if len(got.Scopes) != 3 {
		t.Errorf("scopes %+v, want span, resource, intrinsic", got.Scopes)
	}
	if want := []string{"http.method", "http.status_code", "motor.position"}; !slices.Equal(byName["span"], want) {
		t.Errorf("span %q, want %q", byName["span"], want)
	}
	if want := []string{"deployment.environment", "service.name"}; !slices.Equal(byName["resource"], want) {
		t.Errorf("resource %q, want %q", byName["resource"], want)
	}
	for _, tag := range []string{"duration", "kind", "name", "status", "statusMessage", "rootName", "rootServiceName", "traceDuration"} {
		if !slices.Contains(byName["intrinsic"], tag) {
			t.Errorf("intrinsic lacks %q: %q", tag, byName["intrinsic"])
		}
	}
	got = scopes{}
	getJSON(t, srv, "/api/v2/search/tags?scope=resource", http.StatusOK, &got)
	if len(got.Scopes) != 1 || got.Scopes[0].Name != "resource" || len(got.Scopes[0].Tags) != 2 {
		t.Errorf("scope=resource: %+v", got.Scopes)
	}
	got = scopes{}
	getJSON(t, srv, "/api/v2/search/tags?scope=event", http.StatusOK, &got)
	if len(got.Scopes) != 1 || got.Scopes[0].Name != "event" || got.Scopes[0].Tags == nil || len(got.Scopes[0].Tags) != 0 {
		t.Errorf("scope=event: %+v", got.Scopes)
	}
}

func TestTempoTagValues(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	type tv = tagValue
	for _, c := range []struct {
		name string
		want []tv
	}{
		{"span.http.method", []tv{{"string", "GET"}}},
		{"span.http.status_code", []tv{{"int", "500"}}},
		{`span."motor.position"`, []tv{{"float", "12.5"}}},
		{".http.method", []tv{{"string", "GET"}}},
		{"resource.service.name", []tv{{"string", "checkout"}, {"string", "motor"}}},
		{".deployment.environment", []tv{{"string", "test"}}},
		{"resource.http.method", []tv{}}, // a span attribute, not a resource one
		{"span.no.such.tag", []tv{}},
		{"name", []tv{{"string", "GET /cart"}, {"string", "db query"}, {"string", "move"}}},
		{"span:name", []tv{{"string", "GET /cart"}, {"string", "db query"}, {"string", "move"}}},
		{"status", []tv{{"keyword", "error"}, {"keyword", "ok"}, {"keyword", "unset"}}},
		{"kind", []tv{{"keyword", "client"}, {"keyword", "consumer"}, {"keyword", "internal"}, {"keyword", "producer"}, {"keyword", "server"}, {"keyword", "unspecified"}}},
		{"statusMessage", []tv{{"string", "timeout"}}},
		{"rootServiceName", []tv{{"string", "checkout"}, {"string", "motor"}}},
		{"rootName", []tv{{"string", "GET /cart"}, {"string", "move"}}},
		{"duration", []tv{}},
		{"instrumentation.x", []tv{}},
	} {
		var got struct{ TagValues []tv }
		getJSON(t, srv, "/api/v2/search/tag/"+url.PathEscape(c.name)+"/values?start=1&end=9000000000&q=%7B%7D", http.StatusOK, &got)
		if !slices.Equal(got.TagValues, c.want) || got.TagValues == nil {
			t.Errorf("v2 %s: %v, want %v", c.name, got.TagValues, c.want)
		}
	}
	for _, c := range []struct {
		name string
		want []string
	}{
		{"http.method", []string{"GET"}},
		{"http.status_code", []string{"500"}},
		{"service.name", []string{"checkout", "motor"}},
		{"no.such.tag", []string{}},
	} {
		var got struct{ TagValues []string }
		getJSON(t, srv, "/api/search/tag/"+c.name+"/values?limit=10", http.StatusOK, &got)
		if !slices.Equal(got.TagValues, c.want) {
			t.Errorf("v1 %s: %q, want %q", c.name, got.TagValues, c.want)
		}
	}
	var got struct{ TagValues []tv }
	getJSON(t, srv, "/api/v2/search/tag/name/values?limit=1", http.StatusOK, &got)
	if len(got.TagValues) != 1 {
		t.Errorf("limit=1: %v", got.TagValues)
	}
}

func TestTempoTagsRefused(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	for _, c := range []struct{ path, field, value string }{
		{"/api/v2/search/tags?scope=spans", "scope", "spans"},
		{"/api/search/tags?scope=all2", "scope", "all2"},
		{"/api/v2/search/tag/span./values", "name", "span."},
		{"/api/v2/search/tag/http.method/values", "name", "http.method"},
		{"/api/v2/search/tag/bogus/values", "name", "bogus"},
		{"/api/v2/search/tag/span.%22a/values", "name", `span."a`},
		{"/api/search/tag/%20/values", "name", " "},
		{"/api/search/tags?start=yesterday", "start", "yesterday"},
		{"/api/v2/search/tags?start=10&end=5", "end", "5"},
		{"/api/search/tag/x/values?limit=-1", "limit", "-1"},
	} {
		var e apiErr
		getJSON(t, srv, c.path, http.StatusBadRequest, &e)
		if e.Field != c.field || e.Value == nil || *e.Value != c.value || e.Allowed == "" || !strings.Contains(e.Error, c.field) {
			t.Errorf("%s: %+v, want field %q value %q and what is allowed", c.path, e, c.field, c.value)
		}
	}
}
