package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The requests below are those of Grafana's Tempo data source and Tempo's
// HTTP API docs (read 2026-11): grafana/grafana
// public/app/plugins/datasource/tempo/datasource.ts, handleTraceQlQuery
// (q, limit, spss, start, end) and, in Grafana 9, buildSearchQuery (tags
// in logfmt with ` service.name="x" name="y"` appended, minDuration,
// maxDuration, limit, start, end); grafana/tempo
// docs/sources/tempo/api_docs/_index.md, "Search".

func TestTempoLogfmtTags(t *testing.T) {
	type tp = tagPair
	for _, c := range []struct {
		in   string
		want []tp
	}{
		{``, nil},
		{`   `, nil},
		{`service.name=checkout`, []tp{{"service.name", "checkout"}}},
		// Grafana 9 appends its fields after a space, even to empty tags.
		{` service.name="checkout" name="GET /cart"`, []tp{{"service.name", "checkout"}, {"name", "GET /cart"}}},
		{"a=1\tb=2  c=3", []tp{{"a", "1"}, {"b", "2"}, {"c", "3"}}},
		{`http.url="/a b?c=d" empty=`, []tp{{"http.url", "/a b?c=d"}, {"empty", ""}}},
		{`msg="say \"hi\"\\n \/ \u00b5\t"`, []tp{{"msg", "say \"hi\"\\n / µ\t"}}},
		{`k=µ-motor`, []tp{{"k", "µ-motor"}}},
		{`k=""`, []tp{{"k", ""}}},
	} {
		got, err := parseLogfmtTags(c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%q: %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct{ in, msg string }{
		{`service.name`, `key "service.name" has no =value`},
		{`a=1 b`, `key "b" has no =value`},
		{`=x`, "empty key"},
		{`"a"=1`, "unexpected"},
		{`a="unterminated`, "no closing quote"},
		{`a="x"y`, "after the value"},
		{`a=b"c"`, "after the value"},
		{`a=1=2`, "after the value"},
		{`a="\q"`, `unknown escape \q`},
		{`a="\u12"`, `4 hex digits`},
		{`a="\uzzzz"`, `4 hex digits`},
		{"a=\"x\x01\"", "control character"},
		{`a=1 a=2`, "tag a given twice"},
		{"a=1 b=2 x", `key "x" has no =value`},
		{strings.Repeat("a", 16<<10+1), "bytes, more than"},
		{"a=\xff", "not UTF-8"},
	} {
		_, err := parseLogfmtTags(c.in)
		var ae *apiError
		if err == nil || !asAPIError(err, &ae) || ae.Field != "tags" || !strings.Contains(ae.Message, c.msg) || !strings.Contains(ae.Message, "allowed: logfmt") {
			t.Errorf("%q: %v, want a tags error with %q", c.in, err, c.msg)
		}
	}
	var many []string
	for i := range 65 {
		many = append(many, "k"+strings.Repeat("x", i)+"=v")
	}
	if _, err := parseLogfmtTags(strings.Join(many, " ")); err == nil || !strings.Contains(err.Error(), "more than 64 pairs") {
		t.Errorf("65 pairs: %v", err)
	}
	if _, err := parseLogfmtTags(strings.Join(many[:64], " ")); err != nil {
		t.Errorf("64 pairs: %v", err)
	}
}

func asAPIError(err error, ae **apiError) bool {
	e, ok := err.(*apiError)
	*ae = e
	return ok
}

// FuzzTempoTags: the tags parser never panics, and what it accepts it
// accepts again when written back as quoted logfmt.
func FuzzTempoTags(f *testing.F) {
	for _, s := range []string{`service.name="a b" x=1`, `a="\u00b5\"" b=`, ` name="GET /"`, `a=1 a=2`, `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pairs, err := parseLogfmtTags(s)
		if err != nil {
			return
		}
		var b strings.Builder
		for _, p := range pairs {
			v, _ := json.Marshal(p.value)
			b.WriteString(p.key + "=" + string(v) + " ")
		}
		again, err := parseLogfmtTags(b.String())
		if err != nil && !strings.Contains(err.Error(), "bytes, more than") {
			t.Fatalf("%q -> %q: %v", s, b.String(), err)
		}
		if err == nil && !slices.Equal(pairs, again) {
			t.Fatalf("%q: %q, then %q", s, pairs, again)
		}
	})
}

// tempoSearch is a decoded /api/search answer.
type tempoSearchAnswerJSON struct {
	Traces []struct {
		TraceID           string `json:"traceID"`
		RootServiceName   string `json:"rootServiceName"`
		RootTraceName     string `json:"rootTraceName"`
		StartTimeUnixNano string `json:"startTimeUnixNano"`
		DurationMs        int    `json:"durationMs"`
		SpanSets          []struct {
			Spans []struct {
				SpanID string `json:"spanID"`
				Name   string `json:"name"`
			} `json:"spans"`
			Matched int `json:"matched"`
		} `json:"spanSets"`
	} `json:"traces"`
}

func (a tempoSearchAnswerJSON) ids() []string {
	var ids []string
	for _, t := range a.Traces {
		ids = append(ids, t.TraceID)
	}
	return ids
}

// TestTempoSearchTags runs tag searches (Grafana 9's search form, Tempo's
// tags parameter) over the fixtures: checkout's GET /cart (100 ms, a db
// query child with an error) and motor's move (2 s), a second later.
func TestTempoSearchTags(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	t0 := "1772618400" // fixtureT0 in unix seconds
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{moveHex, cartHex}},
		{"tags=", []string{moveHex, cartHex}},
		// Grafana 9, buildSearchQuery: tags, limit, start, end.
		{"tags=" + url.QueryEscape(` service.name="checkout" name="db query"`) + "&limit=20&start=1772618399&end=" + t0, []string{cartHex}},
		{"tags=" + url.QueryEscape(`service.name=motor`), []string{moveHex}},
		{"tags=" + url.QueryEscape(`service.name=nobody`), nil},
		{"tags=" + url.QueryEscape(`name="GET /cart"`), []string{cartHex}},
		{"tags=" + url.QueryEscape(`name="GET"`), nil}, // whole values, not substrings
		{"tags=" + url.QueryEscape(`http.status_code=500 http.method=GET`), []string{cartHex}},
		{"tags=" + url.QueryEscape(`deployment.environment=test`), []string{cartHex}}, // a resource attribute
		{"tags=" + url.QueryEscape(`motor.position=12.5`), []string{moveHex}},
		{"tags=" + url.QueryEscape(`status=error`), []string{cartHex}},
		{"tags=" + url.QueryEscape(`status.code=error service.name=motor`), nil},
		{"tags=" + url.QueryEscape(`status=unset`), []string{moveHex, cartHex}},
		{"tags=" + url.QueryEscape(`status=ok`), nil},
		{"tags=" + url.QueryEscape(`root.name=move`), []string{moveHex}},
		{"tags=" + url.QueryEscape(`root.service.name=checkout`), []string{cartHex}},
		{"tags=" + url.QueryEscape(`root.service.name=checkout name=move`), nil},
		// Grafana 9: durations beside the tags.
		{"tags=&minDuration=1s", []string{moveHex}},
		{"tags=" + url.QueryEscape(`service.name="checkout"`) + "&minDuration=50ms&maxDuration=150ms", []string{cartHex}},
		{"maxDuration=100ms", []string{cartHex}},
		{"minDuration=2001ms", nil},
		{"limit=1", []string{moveHex}},
		{"start=1772618399&end=" + t0, []string{cartHex}}, // end's second included
		{"start=1772618401", []string{moveHex}},
		{"end=1772618399", nil},
	} {
		var got tempoSearchAnswerJSON
		getJSON(t, srv, "/api/search?"+c.query, http.StatusOK, &got)
		if !slices.Equal(got.ids(), c.want) {
			t.Errorf("?%s: %q, want %q", c.query, got.ids(), c.want)
		}
		for _, tr := range got.Traces {
			if tr.SpanSets != nil {
				t.Errorf("?%s: a tag search answered span sets: %+v", c.query, tr)
			}
		}
	}
}

// TestTempoSearchTraceQL runs TraceQL searches as Grafana sends them.
func TestTempoSearchTraceQL(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	for _, c := range []struct {
		q     string
		extra string
		want  []string
		spans [][]string // per trace, the matched span ids
		count []int
	}{
		{`{}`, "", []string{moveHex, cartHex}, [][]string{{"aa00000000000001"}, {"eee19b7ec3c1b174", "0102030405060708"}}, []int{1, 2}},
		{`{}`, "&spss=1", []string{moveHex, cartHex}, [][]string{{"aa00000000000001"}, {"eee19b7ec3c1b174"}}, []int{1, 2}},
		{`{ status = error }`, "", []string{cartHex}, [][]string{{"0102030405060708"}}, []int{1}},
		{`{ resource.service.name = "checkout" } >> { name = "db query" }`, "", []string{cartHex}, [][]string{{"0102030405060708"}}, []int{1}},
		{`{ span.http.status_code >= 500 && .http.method =~ "G.*" }`, "&limit=5", []string{cartHex}, [][]string{{"eee19b7ec3c1b174"}}, []int{1}},
		{`{ duration > 1s }`, "", []string{moveHex}, [][]string{{"aa00000000000001"}}, []int{1}},
		{`{ name = "nothing" }`, "", nil, nil, nil},
		{`{}`, "&limit=1", []string{moveHex}, [][]string{{"aa00000000000001"}}, []int{1}},
		{`{}`, "&start=1772618399&end=1772618400", []string{cartHex}, [][]string{{"eee19b7ec3c1b174", "0102030405060708"}}, []int{2}},
	} {
		path := "/api/search?q=" + url.QueryEscape(c.q) + c.extra
		var got tempoSearchAnswerJSON
		getJSON(t, srv, path, http.StatusOK, &got)
		if !slices.Equal(got.ids(), c.want) {
			t.Errorf("%s: %q, want %q", path, got.ids(), c.want)
			continue
		}
		for i, tr := range got.Traces {
			if len(tr.SpanSets) != 1 {
				t.Errorf("%s: trace %s: %d span sets", path, tr.TraceID, len(tr.SpanSets))
				continue
			}
			var ids []string
			for _, sp := range tr.SpanSets[0].Spans {
				ids = append(ids, sp.SpanID)
			}
			if !slices.Equal(ids, c.spans[i]) || tr.SpanSets[0].Matched != c.count[i] {
				t.Errorf("%s: trace %s: spans %q matched %d, want %q %d", path, tr.TraceID, ids, tr.SpanSets[0].Matched, c.spans[i], c.count[i])
			}
		}
	}
}

// TestTempoSearchGolden pins the answer's shape, Tempo's JSON field for
// field, for one TraceQL search and one tag search (go test -update
// rewrites testdata/).
func TestTempoSearchGolden(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	for _, c := range []struct{ name, query string }{
		{"tempo_search_traceql.json", "q=" + url.QueryEscape(`{ resource.deployment.environment = "test" && span.http.status_code = 500 } || { .motor.position > 1 }`) + "&spss=2"},
		{"tempo_search_tags.json", "tags=" + url.QueryEscape(`service.name=checkout`) + "&minDuration=10ms"},
	} {
		resp, body := get(t, srv, "/api/search?"+c.query)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", c.name, resp.StatusCode, body)
		}
		var indented bytes.Buffer
		if err := json.Indent(&indented, body, "", "  "); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", c.name)
		if *update {
			if err := os.WriteFile(path, indented.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test -run TestTempoSearchGolden -update writes it)", err)
		}
		if !bytes.Equal(indented.Bytes(), want) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, indented.Bytes(), want)
		}
	}
}

// TestTempoSearchRefused: every bad parameter is a 400 whose message
// (what Grafana shows) names the parameter, the value and what is allowed.
func TestTempoSearchRefused(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	for _, c := range []struct {
		query, field, value, msg string
	}{
		{"q=" + url.QueryEscape(`{ } | count() > 1`), "q", `{ } | count() > 1`, "not supported"},
		{"q=" + url.QueryEscape(`{ .a = 1 } ~ { .b = 2 }`), "q", `{ .a = 1 } ~ { .b = 2 }`, "at 11"},
		{"q=" + url.QueryEscape(`{ .a = `), "q", `{ .a = `, "unexpected end of query"},
		{"q=" + url.QueryEscape("{ .a = \""+strings.Repeat("x", 16<<10)+"\" }"), "q", "", "limit"},
		{"q=" + url.QueryEscape(`{}`) + "&tags=a%3D1", "tags", "a=1", "can't specify tags and q in the same query"},
		{"tags=" + url.QueryEscape(`service.name`), "tags", "service.name", "has no =value"},
		{"tags=" + url.QueryEscape(`status=bad`), "tags", "status=bad", "not a span status"},
		{"minDuration=fast", "minDuration", "fast", "not a duration"},
		{"maxDuration=-1s", "maxDuration", "-1s", "negative"},
		{"minDuration=2s&maxDuration=1s", "maxDuration", "1s", "less than minDuration"},
		{"limit=1001", "limit", "1001", "out of range"},
		{"limit=0", "limit", "0", "out of range"},
		{"limit=ten", "limit", "ten", "not an integer"},
		{"spss=0", "spss", "0", "out of range"},
		{"spss=1001", "spss", "1001", "out of range"},
		{"start=yesterday", "start", "yesterday", "not unix seconds"},
		{"start=-1", "start", "-1", "not unix seconds"},
		{"start=10&end=10", "end", "10", "not after start"},
		{"limit=1&limit=2", "limit", "2", "given 2 times"},
		{"service.name=checkout", "service.name", "checkout", "unknown parameter"},
	} {
		var e apiErr
		getJSON(t, srv, "/api/search?"+c.query, http.StatusBadRequest, &e)
		if e.Field != c.field || e.Value == nil || (c.value != "" && *e.Value != c.value) || e.Allowed == "" ||
			!strings.Contains(e.Error, c.msg) || !strings.HasPrefix(e.Error, c.field+": ") {
			t.Errorf("?%.80s: %+v, want field %q value %q and %q", c.query, e, c.field, c.value, c.msg)
		}
		if c.field != "q" && (!strings.Contains(e.Error, "(given ") || !strings.Contains(e.Error, "allowed: ")) {
			t.Errorf("?%s: message %q does not say the value and what is allowed", c.query, e.Error)
		}
	}
}
