package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The requests below replay what Grafana's Jaeger data source sends
// (grafana/grafana, public/app/plugins/datasource/jaeger):
//   - datasource.ts testDatasource: GET {url}/api/services, success when
//     data is a non-empty list;
//   - components/SearchForm.tsx: GET {url}/api/services and
//     {url}/api/services/{encodeURIComponent(service)}/operations, reading
//     res.data.data as a list of strings;
//   - datasource.ts query (search): GET {url}/api/traces?service=&operation=
//     &tags=<JSON, from convertTagsLogfmt>&minDuration=&maxDuration=&limit=
//     &start=<µs>&end=<µs>&lookback=custom, reading data as traces;
//   - datasource.ts query (trace id): GET {url}/api/traces/{id}, reading
//     data[0].
// Parameters and their formats are jaeger-query's (jaegertracing/jaeger,
// cmd/query/app/query_parser.go: start/end unix µs, durations as Go
// durations, tags a JSON map of strings, tag key:value), as is
// /api/operations?service=&spanKind= (Jaeger's HTTP API docs).

// jResp and the types below are Jaeger's JSON as a client reads it.
type jResp[T any] struct {
	Data   T   `json:"data"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
	Errors []struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	} `json:"errors"`
}

type jTrace struct {
	TraceID   string `json:"traceID"`
	Spans     []jSpan
	Processes map[string]struct {
		ServiceName string `json:"serviceName"`
		Tags        []jKV  `json:"tags"`
	} `json:"processes"`
	Warnings []string `json:"warnings"`
}

type jSpan struct {
	TraceID       string `json:"traceID"`
	SpanID        string `json:"spanID"`
	OperationName string `json:"operationName"`
	References    []struct {
		RefType string `json:"refType"`
		TraceID string `json:"traceID"`
		SpanID  string `json:"spanID"`
	} `json:"references"`
	StartTime int64  `json:"startTime"`
	Duration  int64  `json:"duration"`
	Tags      []jKV  `json:"tags"`
	ProcessID string `json:"processID"`
	Flags     int    `json:"flags"`
	Logs      []struct {
		Timestamp int64 `json:"timestamp"`
		Fields    []jKV `json:"fields"`
	} `json:"logs"`
}

type jKV struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// tag returns the tag's type and value, "" when absent.
func tag(kvs []jKV, key string) (string, any) {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Type, kv.Value
		}
	}
	return "", nil
}

func TestJaegerServicesAndOperations(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	var svcs jResp[[]string]
	getJSON(t, srv, "/jaeger/api/services", 200, &svcs)
	if !slices.Equal(svcs.Data, []string{"checkout", "motor"}) || svcs.Total != 2 || svcs.Errors != nil {
		t.Errorf("services: %+v", svcs)
	}
	for svc, want := range map[string][]string{"checkout": {"GET /cart", "db query"}, "motor": {"move"}, "nobody": {}} {
		var ops jResp[[]string]
		getJSON(t, srv, "/jaeger/api/services/"+url.PathEscape(svc)+"/operations", 200, &ops)
		if !slices.Equal(ops.Data, want) || ops.Data == nil || ops.Total != len(want) {
			t.Errorf("operations of %s: %+v, want %q", svc, ops, want)
		}
		var named jResp[[]struct{ Name, SpanKind string }]
		getJSON(t, srv, "/jaeger/api/operations?service="+url.QueryEscape(svc)+"&spanKind=server", 200, &named)
		if len(named.Data) != len(want) {
			t.Errorf("/api/operations of %s: %+v", svc, named)
		}
		for i, op := range named.Data {
			if op.Name != want[i] {
				t.Errorf("/api/operations of %s: %+v, want %q", svc, named.Data, want)
			}
		}
	}
}

func TestJaegerSearch(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	us := func(d time.Duration) string { return strconv.FormatInt(fixtureT0.Add(d).UnixMicro(), 10) }
	tags := func(s string) string { return "&tags=" + url.QueryEscape(s) }
	cart, move := []string{cartHex}, []string{"123456789abcdef0"} // Jaeger writes a 64-bit id in 16 digits
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"service=checkout", cart},
		{"service=checkout&operation=db+query&limit=20&lookback=custom", cart},
		{"service=motor&operation=move", move},
		{"service=motor&operation=db+query", nil},
		{"service=nobody", nil},
		{"service=checkout" + tags(`{"http.status_code":"500"}`), cart},
		{"service=checkout" + tags(`{"deployment.environment":"test","http.method":"GET"}`), cart},
		{"service=checkout" + tags(`{"http.method":"POST"}`), nil},
		{"service=checkout&tag=http.method:GET", cart},
		{"service=checkout" + tags(`{"error":"true"}`), cart},
		{"service=motor" + tags(`{"error":"true"}`), nil},
		{"service=motor" + tags(`{"motor.position":"12.5"}`), move},
		{"service=motor&minDuration=1.5s", move},
		{"service=checkout&minDuration=1.5s", nil},
		{"service=checkout&maxDuration=150ms", cart},
		{"service=checkout&minDuration=50ms&maxDuration=150ms", cart},
		{"service=motor&maxDuration=1s", nil},
		{"service=motor&start=" + us(time.Second) + "&end=" + us(time.Second), move}, // end inclusive
		{"service=motor&start=" + us(1001*time.Millisecond), nil},
		{"service=checkout&start=" + us(-time.Hour) + "&end=" + us(-time.Millisecond), nil},
		{"service=checkout&start=" + us(-time.Hour) + "&end=" + us(time.Hour) + "&lookback=1h&limit=1", cart},
	} {
		var res jResp[[]jTrace]
		getJSON(t, srv, "/jaeger/api/traces?"+c.query, 200, &res)
		var got []string
		for _, tr := range res.Data {
			got = append(got, tr.TraceID)
		}
		if !slices.Equal(got, c.want) || res.Total != len(c.want) || res.Data == nil || res.Errors != nil {
			t.Errorf("%s: traces %q (total %d, errors %+v), want %q", c.query, got, res.Total, res.Errors, c.want)
		}
	}
	// Search answers whole traces.
	var res jResp[[]jTrace]
	getJSON(t, srv, "/jaeger/api/traces?service=checkout&operation=db+query", 200, &res)
	if len(res.Data) != 1 || len(res.Data[0].Spans) != 2 || len(res.Data[0].Processes) != 1 {
		t.Errorf("search: %+v", res.Data)
	}
}

func TestJaegerTrace(t *testing.T) {
	st, srv := newTestAPI(t, nil)
	// An event and a link on a span of its own trace, and an open span
	// in the cart trace.
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "lab")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID([16]byte{1, 15: 7})
	sp.SetSpanID([8]byte{7})
	sp.SetName("scan")
	sp.SetKind(ptrace.SpanKindClient)
	sp.SetStartTimestamp(ts(0))
	sp.SetEndTimestamp(ts(time.Second))
	sp.Status().SetCode(ptrace.StatusCodeOk)
	ev := sp.Events().AppendEmpty()
	ev.SetName("exposure")
	ev.SetTimestamp(ts(500 * time.Millisecond))
	ev.Attributes().PutInt("frame", 3)
	ev.Attributes().PutEmptyBytes("raw").FromRaw([]byte{1, 2})
	link := sp.Links().AppendEmpty()
	link.SetTraceID(cartTrace)
	link.SetSpanID(cartRoot)
	if _, err := st.AppendTraces(t.Context(), td); err != nil {
		t.Fatal(err)
	}
	announce(t, st, scanSpan, "scanning", time.Hour)

	var res jResp[[]jTrace]
	getJSON(t, srv, "/jaeger/api/traces/"+cartHex, 200, &res)
	if len(res.Data) != 1 || res.Total != 1 {
		t.Fatalf("cart: %+v", res)
	}
	tr := res.Data[0]
	// Two processes: the fixture's resource, and the announcement's.
	if tr.TraceID != cartHex || len(tr.Spans) != 3 || len(tr.Processes) != 2 || tr.Warnings != nil {
		t.Fatalf("cart: %+v", tr)
	}
	spans := map[string]jSpan{}
	for _, s := range tr.Spans {
		spans[s.OperationName] = s
		if p, ok := tr.Processes[s.ProcessID]; !ok || p.ServiceName != "checkout" || s.TraceID != cartHex || s.Flags != 1 {
			t.Errorf("span %s: process %q (%+v), trace %s", s.OperationName, s.ProcessID, p, s.TraceID)
		}
	}
	root, query, open := spans["GET /cart"], spans["db query"], spans["scanning"]
	if p := tr.Processes[root.ProcessID]; len(p.Tags) != 1 || p.Tags[0] != (jKV{"deployment.environment", "string", "test"}) || query.ProcessID != root.ProcessID {
		t.Errorf("process of root: %+v", p)
	}
	if open.ProcessID == root.ProcessID || len(tr.Processes[open.ProcessID].Tags) != 0 {
		t.Errorf("process of the open span: %q %+v", open.ProcessID, tr.Processes[open.ProcessID])
	}
	if root.SpanID != "eee19b7ec3c1b174" || len(root.References) != 0 || root.StartTime != fixtureT0.UnixMicro() || root.Duration != 100_000 {
		t.Errorf("root: %+v", root)
	}
	for key, want := range map[string][2]any{"span.kind": {"string", "server"}, "http.status_code": {"int64", 500.0}, "http.method": {"string", "GET"}, "otel.scope.name": {"string", "shop"}} {
		if typ, v := tag(root.Tags, key); typ != want[0] || v != want[1] {
			t.Errorf("root tag %s: %s %v, want %v", key, typ, v, want)
		}
	}
	if typ, _ := tag(root.Tags, "error"); typ != "" {
		t.Errorf("root has an error tag: %+v", root.Tags)
	}
	if r := query.References; len(r) != 1 || r[0].RefType != "CHILD_OF" || r[0].SpanID != root.SpanID || r[0].TraceID != cartHex || query.Duration != 50_000 {
		t.Errorf("query: %+v", query)
	}
	for key, want := range map[string][2]any{"otel.status_code": {"string", "ERROR"}, "error": {"bool", true}, "otel.status_description": {"string", "timeout"}} {
		if typ, v := tag(query.Tags, key); typ != want[0] || v != want[1] {
			t.Errorf("query tag %s: %s %v, want %v", key, typ, v, want)
		}
	}
	if typ, v := tag(open.Tags, "sightline.span.state"); typ != "string" || v != "open" || open.Duration <= 0 || len(open.References) != 1 {
		t.Errorf("open span: %+v", open)
	}

	getJSON(t, srv, "/jaeger/api/traces/01000000000000000000000000000007?start=1&end=2", 200, &res)
	s := res.Data[0].Spans[0]
	if len(res.Data[0].Spans) != 1 || res.Data[0].TraceID != "01000000000000000000000000000007" {
		t.Fatalf("lab: %+v", res.Data)
	}
	if typ, v := tag(s.Tags, "span.kind"); v != "client" || typ != "string" {
		t.Errorf("lab kind: %v", s.Tags)
	}
	if _, v := tag(s.Tags, "otel.status_code"); v != "OK" {
		t.Errorf("lab status: %v", s.Tags)
	}
	if r := s.References; len(r) != 1 || r[0].RefType != "FOLLOWS_FROM" || r[0].TraceID != cartHex || r[0].SpanID != "eee19b7ec3c1b174" {
		t.Errorf("lab link: %+v", r)
	}
	if len(s.Logs) != 1 || s.Logs[0].Timestamp != fixtureT0.Add(500*time.Millisecond).UnixMicro() {
		t.Fatalf("lab logs: %+v", s.Logs)
	}
	f := s.Logs[0].Fields
	if _, v := tag(f, "event"); v != "exposure" {
		t.Errorf("event name: %+v", f)
	}
	if typ, v := tag(f, "frame"); typ != "int64" || v != 3.0 {
		t.Errorf("event frame: %+v", f)
	}
	if typ, v := tag(f, "raw"); typ != "binary" || v != "AQI=" {
		t.Errorf("event raw: %+v", f)
	}
	// A 64-bit id, as Jaeger writes it.
	getJSON(t, srv, "/jaeger/api/traces/123456789abcdef0", 200, &res)
	if res.Data[0].TraceID != "123456789abcdef0" || res.Data[0].Spans[0].OperationName != "move" {
		t.Errorf("move: %+v", res.Data)
	}
}

// TestJaegerRefusals: Jaeger's error shape, a message naming the
// parameter, its value and what is allowed.
func TestJaegerRefusals(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	for _, c := range []struct {
		path   string
		status int
		want   []string // in the message
	}{
		{"/jaeger/api/traces/" + unknownHex, 404, []string{"trace not found"}},
		{"/jaeger/api/traces/xyz", 400, []string{"trace_id", `"xyz"`, "hex digits"}},
		{"/jaeger/api/traces?service=checkout&limit=0", 400, []string{"limit", `"0"`, "1 to 1000"}},
		{"/jaeger/api/traces?service=checkout&limit=ten", 400, []string{"limit", `"ten"`, "integer"}},
		{"/jaeger/api/traces?service=checkout&minDuration=fast", 400, []string{"minDuration", `"fast"`, "Go duration"}},
		{"/jaeger/api/traces?service=checkout&minDuration=2s&maxDuration=1s", 400, []string{"maxDuration", `"1s"`, "at least minDuration"}},
		{"/jaeger/api/traces?service=checkout&tags=" + url.QueryEscape(`{"a":`), 400, []string{"tags", `{\"a\":`, "JSON object of strings"}},
		{"/jaeger/api/traces?service=checkout&tags=" + url.QueryEscape(`{"a":1}`), 400, []string{"tags", "JSON object of strings"}},
		{"/jaeger/api/traces?service=checkout&tags=" + url.QueryEscape(`{"`+strings.Repeat("k", 5000)+`":"v"}`), 400, []string{"tags", "5008 bytes", "at most 4096 bytes"}},
		{"/jaeger/api/traces?service=checkout&tag=nocolon", 400, []string{"tag", `"nocolon"`, "key:value"}},
		{"/jaeger/api/traces?operation=move", 400, []string{"service", "required"}},
		{"/jaeger/api/traces?service=checkout&start=yesterday", 400, []string{"start", `"yesterday"`, "unix microseconds"}},
		{"/jaeger/api/traces?service=checkout&start=20&end=10", 400, []string{"end", `"10"`, "not before start"}},
		{"/jaeger/api/traces?service=checkout&traceID=" + cartHex, 400, []string{"traceID", "unknown parameter"}},
		{"/jaeger/api/operations?service=checkout&spanKind=sideways", 400, []string{"spanKind", `"sideways"`, "server, client"}},
		{"/jaeger/api/dependencies", 404, []string{"no such Jaeger API path"}},
	} {
		var res jResp[json.RawMessage]
		getJSON(t, srv, c.path, c.status, &res)
		if string(res.Data) != "null" || len(res.Errors) != 1 || res.Errors[0].Code != c.status {
			t.Errorf("%s: %+v", c.path, res)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(res.Errors[0].Msg, w) {
				t.Errorf("%.80s: message %.300q lacks %q", c.path, res.Errors[0].Msg, w)
			}
		}
	}
	resp, _ := get(t, srv, "/jaeger/api/services")
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: %v", resp.Header)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/jaeger/api/services", nil)
	post, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != 405 || post.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v", post.StatusCode, post.Header)
	}
}
