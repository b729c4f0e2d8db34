package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/store"
)

func TestServicesAndSpanNames(t *testing.T) {
	st, srv := newTestAPI(t, nil)
	// A service whose name needs escaping in a path.
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "lab/motor x")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID([16]byte{9: 1})
	sp.SetSpanID([8]byte{1})
	sp.SetName("home")
	sp.SetStartTimestamp(ts(0))
	sp.SetEndTimestamp(ts(time.Millisecond))
	if _, err := st.AppendTraces(t.Context(), td); err != nil {
		t.Fatal(err)
	}

	var svcs struct{ Services []string }
	getJSON(t, srv, "/api/v1/services", 200, &svcs)
	if want := []string{"checkout", "lab/motor x", "motor"}; !slices.Equal(svcs.Services, want) {
		t.Errorf("services %q, want %q", svcs.Services, want)
	}
	for svc, want := range map[string][]string{
		"checkout":    {"GET /cart", "db query"},
		"lab/motor x": {"home"},
		"nobody":      {},
	} {
		var names struct {
			SpanNames []string `json:"span_names"`
		}
		getJSON(t, srv, "/api/v1/services/"+url.PathEscape(svc)+"/span-names", 200, &names)
		if !slices.Equal(names.SpanNames, want) || names.SpanNames == nil {
			t.Errorf("span names of %q: %q, want %q", svc, names.SpanNames, want)
		}
	}
}

func TestSearchTraces(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	rfc := func(d time.Duration) string { return url.QueryEscape(fixtureT0.Add(d).Format(time.RFC3339Nano)) }
	ns := func(d time.Duration) string { return strconv.FormatInt(fixtureT0.Add(d).UnixNano(), 10) }
	both, cart, move := []string{moveHex, cartHex}, []string{cartHex}, []string{moveHex}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", both},
		{"service=checkout", cart},
		{"service=motor&span_name=move", move},
		{"span_name=db+query", cart},
		{"service=nobody", nil},
		{"attr=http.status_code%3D500", cart},
		{"attr=deployment.environment=test&attr=http.method=GET", cart},
		{"attr=motor.position=12.5", move},
		{"attr=http.method=POST", nil},
		{"min_duration=1s", move},
		{"max_duration=500ms", cart},
		{"min_duration=50ms&max_duration=150ms", cart},
		{"errors=true", cart},
		{"errors=false", both},
		{"start=" + rfc(500*time.Millisecond), move},
		{"end=" + rfc(500*time.Millisecond), cart},
		{"start=" + ns(0) + "&end=" + ns(time.Second+1), both},
		{"start=2026-03-04T11:00:00.5%2B01:00", move},
		{"start=2026-03-04T11:00:00.5+01:00", move}, // an unencoded + arrives as a space
	} {
		var res store.TraceSearch
		getJSON(t, srv, "/api/v1/traces?"+c.query, 200, &res)
		var got []string
		for _, tr := range res.Traces {
			got = append(got, tr.TraceID)
		}
		if !slices.Equal(got, c.want) || res.Traces == nil {
			t.Errorf("?%s: %q, want %q", c.query, got, c.want)
		}
	}

	// Paging, newest first.
	var p1, p2 store.TraceSearch
	getJSON(t, srv, "/api/v1/traces?limit=1", 200, &p1)
	if len(p1.Traces) != 1 || p1.Traces[0].TraceID != moveHex || p1.Cursor == "" {
		t.Fatalf("page 1: %+v", p1)
	}
	getJSON(t, srv, "/api/v1/traces?limit=1&cursor="+url.QueryEscape(p1.Cursor), 200, &p2)
	if len(p2.Traces) != 1 || p2.Traces[0].TraceID != cartHex {
		t.Fatalf("page 2: %+v", p2)
	}
	s := p2.Traces[0]
	if s.RootName != "GET /cart" || s.RootService != "checkout" || s.SpanCount != 2 || s.ErrorCount != 1 ||
		s.DurationNano != int64(100*time.Millisecond) || s.StartUnixNano != fixtureT0.UnixNano() {
		t.Errorf("summary %+v", s)
	}
}

func TestTracePage(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	var page store.TracePage
	getJSON(t, srv, "/api/v1/traces/"+strings.ToUpper(cartHex), 200, &page)
	if page.TraceID != cartHex || len(page.Spans) != 2 || len(page.Resources) != 1 || page.Cursor != "" {
		t.Fatalf("page %+v", page)
	}
	root, child := page.Spans[0], page.Spans[1]
	if root.SpanID != "eee19b7ec3c1b174" || root.Name != "GET /cart" || root.Kind != "server" || root.ParentSpanID != "" ||
		root.Attributes["http.status_code"] != float64(500) || root.Scope.Name != "shop" {
		t.Errorf("root %+v", root)
	}
	if child.ParentSpanID != root.SpanID || child.StatusCode != "error" || child.StatusMessage != "timeout" || child.Resource != 0 {
		t.Errorf("child %+v", child)
	}
	if env := page.Resources[0].Attributes["deployment.environment"]; env != "test" {
		t.Errorf("resource %+v", page.Resources[0])
	}

	var p1, p2 store.TracePage
	getJSON(t, srv, "/api/v1/traces/"+cartHex+"?limit=1", 200, &p1)
	getJSON(t, srv, "/api/v1/traces/"+cartHex+"?limit=1&cursor="+url.QueryEscape(p1.Cursor), 200, &p2)
	if len(p1.Spans) != 1 || len(p2.Spans) != 1 || p1.Spans[0].SpanID != root.SpanID || p2.Spans[0].SpanID != child.SpanID || p2.Cursor != "" {
		t.Errorf("pages %+v / %+v", p1, p2)
	}

	var e apiErr
	getJSON(t, srv, "/api/v1/traces/"+unknownHex, 404, &e)
	if e.Field != "trace_id" || !strings.Contains(e.Error, unknownHex) || !strings.Contains(e.Error, "not found") {
		t.Errorf("unknown trace: %+v", e)
	}
	getJSON(t, srv, "/api/v1/traces/"+moveHex+"?cursor="+url.QueryEscape(p1.Cursor), 400, &e)
	if e.Field != "cursor" || !strings.Contains(e.Error, "bad cursor") {
		t.Errorf("cursor of another trace: %+v", e)
	}
}

func TestTraceOTLP(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	resp, body := get(t, srv, "/api/v1/traces/"+cartHex+"/otlp")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="trace-`+cartHex+`.json"` {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(body)
	if err != nil {
		t.Fatal(err)
	}
	if td.SpanCount() != 2 {
		t.Fatalf("%d spans", td.SpanCount())
	}
	sp := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(1)
	if sp.TraceID() != cartTrace || sp.SpanID() != cartQuery || sp.ParentSpanID() != cartRoot || sp.Status().Code() != ptrace.StatusCodeError {
		t.Errorf("span %v %v %v", sp.TraceID(), sp.SpanID(), sp.Status().Code())
	}
	var e apiErr
	getJSON(t, srv, "/api/v1/traces/"+unknownHex+"/otlp", 404, &e)
	getJSON(t, srv, "/api/v1/traces/xyz/otlp", 400, &e)
	if e.Field != "trace_id" {
		t.Errorf("bad id: %+v", e)
	}
}

func TestSearchLogs(t *testing.T) {
	_, srv := newTestAPI(t, nil)
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"", []string{"slow disk", "query timed out", "cart loaded"}},
		{"trace_id=" + cartHex, []string{"query timed out", "cart loaded"}},
		{"trace_id=" + strings.ToUpper(cartHex) + "&span_id=0102030405060708", []string{"query timed out"}},
		{"service=checkout&min_severity=warn", []string{"slow disk", "query timed out"}},
		{"min_severity=17", []string{"query timed out"}},
		{"text=disk", []string{"slow disk"}},
		{"start=" + strconv.FormatInt(fixtureT0.Add(time.Millisecond).UnixNano(), 10), []string{"slow disk", "query timed out"}},
		{"trace_id=" + unknownHex, nil},
	} {
		var res store.LogSearch
		getJSON(t, srv, "/api/v1/logs?"+c.query, 200, &res)
		var got []string
		for _, l := range res.Logs {
			got = append(got, fmt.Sprint(l.Body))
		}
		if !slices.Equal(got, c.want) || res.Logs == nil {
			t.Errorf("?%s: %q, want %q", c.query, got, c.want)
		}
	}
	var p1, p2 store.LogSearch
	getJSON(t, srv, "/api/v1/logs?limit=2", 200, &p1)
	getJSON(t, srv, "/api/v1/logs?limit=2&cursor="+url.QueryEscape(p1.Cursor), 200, &p2)
	if len(p1.Logs) != 2 || len(p2.Logs) != 1 || p2.Logs[0].Body != "cart loaded" || p2.Logs[0].TraceID != cartHex {
		t.Errorf("pages %+v / %+v", p1, p2)
	}
}

func TestStats(t *testing.T) {
	_, srv := newTestAPI(t, func() any { return map[string]int{"spans": 3} })
	var got map[string]int
	getJSON(t, srv, "/api/stats", 200, &got)
	if got["spans"] != 3 {
		t.Errorf("stats %v", got)
	}
	_, srv = newTestAPI(t, nil)
	getJSON(t, srv, "/api/stats", 200, &got)
}

func TestHeadersAndRouting(t *testing.T) {
	_, srv := newTestAPI(t, nil, WithCORSOrigins("http://localhost:3000/"))
	for _, path := range []string{"/api/v1/services", "/api/nope", "/api/v1/traces/zz", "/", "/api/echo"} {
		resp, _ := get(t, srv, path, "Origin", "http://evil.example")
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: headers %v", path, resp.Header)
		}
	}
	resp, _ := get(t, srv, "/api/v1/services", "Origin", "http://localhost:3000")
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("allowed origin: %v", resp.Header)
	}
	req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/api/v1/traces", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "GET")
	if resp, err := srv.Client().Do(req); err != nil || resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Methods") != "GET, HEAD" {
		t.Errorf("preflight: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	var e apiErr
	getJSON(t, srv, "/api/v2/nothing", 404, &e)
	if !strings.Contains(e.Error, "/api/v2/nothing") {
		t.Errorf("404: %+v", e)
	}
	resp, err := srv.Client().Post(srv.URL+"/api/v1/traces", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v", resp.StatusCode, resp.Header)
	}
	resp, err = srv.Client().Head(srv.URL + "/api/v1/services")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("HEAD: %d", resp.StatusCode)
	}
}

func TestStoreErrors(t *testing.T) {
	st, srv := newTestAPI(t, nil)
	a := &api{st: st, opts: options{logger: discardLogger()}}
	rec := httptest.NewRecorder()
	a.fail(rec, httptest.NewRequest("GET", "/api/v1/traces", nil), errors.New("store: disk I/O error"))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"error":"store: disk I/O error"`) {
		t.Errorf("500: %d %s", rec.Code, rec.Body)
	}
	if err := st.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	var e apiErr
	getJSON(t, srv, "/api/v1/traces", 503, &e)
	if !strings.Contains(e.Error, "closed") {
		t.Errorf("closed store: %+v", e)
	}
}

// TestHostCheck: on a loopback address, only loopback host names (and
// those of WithAllowedHosts) are answered: a DNS-rebinding page is not.
func TestHostCheck(t *testing.T) {
	_, srv := newTestAPI(t, nil, WithAllowedHosts("Traces.Example"))
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	for host, want := range map[string]int{
		"127.0.0.1:" + port:    200,
		"localhost:" + port:    200,
		"app.localhost":        200,
		"[::1]:" + port:        200,
		"127.1.2.3":            200,
		"traces.example:443":   200,
		"evil.example:" + port: 403,
		"192.168.1.10":         403,
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/services", nil)
		req.Host = host
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
}
