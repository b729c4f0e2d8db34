package demo

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace/noop"

	"github.com/sightline-dev/sightline/plan"
)

// TestScanAPIRefusesBadRequests: every bad request gets a 4xx naming what
// was wrong, and a second scan while one runs is refused.
func TestScanAPIRefusesBadRequests(t *testing.T) {
	release := make(chan struct{})
	blocking := func(*beamline) plan.Plan {
		return func(yield func(*plan.Msg) bool) {
			<-release
			for m := range plan.Sleep(time.Millisecond) {
				if !yield(m) {
					return
				}
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := &scanAPI{ctx: ctx, b: &beamline{tracer: noop.NewTracerProvider().Tracer("")}, re: plan.NewRunEngine(),
		exps: []experiment{{name: "slow", plan: blocking}}, scans: map[string]*Scan{}, done: map[string]chan struct{}{},
		log: discardLogger()}
	srv := httptest.NewServer(a.routes())
	defer srv.Close()
	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, c := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/scans", `{"experiment": "fly"}`, 400, `experiment \"fly\": want one of [\"slow\"]`},
		{"POST", "/scans", `{"experiment": `, 400, `want {\"experiment\": NAME}`},
		{"POST", "/scans", `{"plan": "slow"}`, 400, `unknown field \"plan\"`},
		{"GET", "/scans/7", "", 404, `no scan \"7\"`},
	} {
		if st, body := do(c.method, c.path, c.body); st != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s %s %s: %d %s; want %d with %q", c.method, c.path, c.body, st, body, c.status, c.want)
		}
	}
	st, body := do("POST", "/scans", `{"experiment": "slow"}`)
	if st != 202 {
		t.Fatalf("start: %d %s", st, body)
	}
	var s Scan
	if err := json.Unmarshal([]byte(body), &s); err != nil || s.State != "running" {
		t.Fatalf("start answer %s (%v)", body, err)
	}
	if st, body := do("POST", "/scans", `{"experiment": "slow"}`); st != 409 || !strings.Contains(body, "scan 1 is running") {
		t.Errorf("second scan while one runs: %d %s", st, body)
	}
	if st, body := do("GET", "/scans/1?wait=forever", ""); st != 400 || !strings.Contains(body, `wait \"forever\"`) {
		t.Errorf("bad wait: %d %s", st, body)
	}
	close(release)
	if st, body := do("GET", "/scans/1?wait=30s", ""); st != 200 || !strings.Contains(body, `"state":"done"`) {
		t.Errorf("wait for the end: %d %s", st, body)
	}
	a.wait()
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
