package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/goleak"

	"github.com/sightline-dev/sightline/internal/store"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Fixture ids and times.
var (
	cartTrace  = pcommon.TraceID{0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f, 0xc6, 0x0c}
	moveTrace  = pcommon.TraceID{0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0}
	cartRoot   = pcommon.SpanID{0xee, 0xe1, 0x9b, 0x7e, 0xc3, 0xc1, 0xb1, 0x74}
	cartQuery  = pcommon.SpanID{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}
	moveRoot   = pcommon.SpanID{0xaa, 0, 0, 0, 0, 0, 0, 0x01}
	fixtureT0  = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	cartHex    = "5b8efff798038103d269b633813fc60c"
	moveHex    = "0000000000000000123456789abcdef0"
	unknownHex = "0123456789abcdef0123456789abcdef"
)

func ts(d time.Duration) pcommon.Timestamp { return pcommon.NewTimestampFromTime(fixtureT0.Add(d)) }

// fixtureTraces: "checkout" GET /cart (100ms, a db query child with an
// error), and "motor" move (2s), a second later.
func fixtureTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "checkout")
	rs.Resource().Attributes().PutStr("deployment.environment", "test")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("shop")
	root := ss.Spans().AppendEmpty()
	root.SetTraceID(cartTrace)
	root.SetSpanID(cartRoot)
	root.SetName("GET /cart")
	root.SetKind(ptrace.SpanKindServer)
	root.SetStartTimestamp(ts(0))
	root.SetEndTimestamp(ts(100 * time.Millisecond))
	root.Attributes().PutStr("http.method", "GET")
	root.Attributes().PutInt("http.status_code", 500)
	child := ss.Spans().AppendEmpty()
	child.SetTraceID(cartTrace)
	child.SetSpanID(cartQuery)
	child.SetParentSpanID(cartRoot)
	child.SetName("db query")
	child.SetStartTimestamp(ts(10 * time.Millisecond))
	child.SetEndTimestamp(ts(60 * time.Millisecond))
	child.Status().SetCode(ptrace.StatusCodeError)
	child.Status().SetMessage("timeout")

	rs2 := td.ResourceSpans().AppendEmpty()
	rs2.Resource().Attributes().PutStr("service.name", "motor")
	move := rs2.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	move.SetTraceID(moveTrace)
	move.SetSpanID(moveRoot)
	move.SetName("move")
	move.SetStartTimestamp(ts(time.Second))
	move.SetEndTimestamp(ts(3 * time.Second))
	move.Attributes().PutDouble("motor.position", 12.5)
	return td
}

// fixtureLogs: two records of the cart trace (info, error) and one
// without a trace.
func fixtureLogs() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "checkout")
	recs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i, r := range []struct {
		sev  plog.SeverityNumber
		body string
		span pcommon.SpanID
	}{{plog.SeverityNumberInfo, "cart loaded", cartRoot}, {plog.SeverityNumberError, "query timed out", cartQuery}, {plog.SeverityNumberWarn, "slow disk", pcommon.SpanID{}}} {
		lr := recs.AppendEmpty()
		lr.SetTimestamp(ts(time.Duration(i) * time.Millisecond))
		lr.SetSeverityNumber(r.sev)
		lr.Body().SetStr(r.body)
		if !r.span.IsEmpty() {
			lr.SetTraceID(cartTrace)
			lr.SetSpanID(r.span)
		}
	}
	return ld
}

// newTestAPI opens a store holding the fixtures and serves the API over
// it; both stop at the end of the test.
func newTestAPI(t *testing.T, stats func() any, opts ...Option) (*store.Store, *httptest.Server) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	if res, err := st.AppendTraces(ctx, fixtureTraces()); err != nil || res.Rejected != 0 {
		t.Fatalf("append traces: %+v, %v", res, err)
	}
	if res, err := st.AppendLogs(ctx, fixtureLogs()); err != nil || res.Rejected != 0 {
		t.Fatalf("append logs: %+v, %v", res, err)
	}
	srv := httptest.NewServer(NewAPI(st, stats, opts...))
	t.Cleanup(srv.Close)
	return st, srv
}

// get requests path with optional headers (name, value pairs).
func get(t *testing.T, srv *httptest.Server, path string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// getJSON requests path, wants status and decodes the body into v.
func getJSON(t *testing.T, srv *httptest.Server, path string, status int, v any) {
	t.Helper()
	resp, body := get(t, srv, path)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %d, want %d: %s", path, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, body)
	}
}

// apiErr is an error answer as decoded by tests.
type apiErr struct {
	Error   string  `json:"error"`
	Field   string  `json:"field"`
	Value   *string `json:"value"`
	Allowed string  `json:"allowed"`
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
