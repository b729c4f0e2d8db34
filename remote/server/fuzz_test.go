package server

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/remote"
)

func fuzzServer(t testing.TB) *Server {
	ctx := context.Background()
	srv, err := New(ctx, "FuzzServer/f", WithEnv(func(string) (string, bool) { return "", false }))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDevice("fuzz/calc/1", "Calc")
	Command(d, "Add", func(_ context.Context, s struct{ A, B float64 }) (float64, error) { return s.A + s.B, nil })
	Command(d, "Echo", func(_ context.Context, s []string) ([]string, error) { return s, nil })
	Attribute(d, "gain", func(context.Context) (int, remote.Quality, error) { return 1, "", nil },
		func(context.Context, int) error { return nil })
	if err := srv.Add(ctx, d); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return srv
}

// FuzzServerRequest sends the server arbitrary bodies and headers on every
// route: it must answer with a known status and a JSON body (an error body
// naming a code for anything but 200), never panic.
func FuzzServerRequest(f *testing.F) {
	srv := fuzzServer(f)
	dev := remote.PathPrefix + "/devices/fuzz%2Fcalc%2F1"
	routes := []struct{ method, path string }{
		{"POST", dev + "/commands/Add"},
		{"POST", dev + "/commands/Echo"},
		{"PUT", dev + "/attributes/gain"},
		{"GET", dev + "/attributes/gain"},
		{"GET", remote.PathPrefix + "/operations/x?wait=1ms"},
		{"POST", remote.PathPrefix + "/devices/fuzz%2Fnope%2F1/commands/Add"},
	}
	f.Add(uint8(0), []byte(`{"argin":{"A":1,"B":2}}`), "application/json", "1s", "42")
	f.Add(uint8(1), []byte(`{"argin":["a","b"]}`), "", "", "")
	f.Add(uint8(2), []byte(`{"value":3}`), "application/json; charset=utf-8", "-1s", "x")
	f.Add(uint8(4), []byte(``), "", "", "")
	f.Fuzz(func(t *testing.T, route uint8, body []byte, ctype, timeout, pid string) {
		r := routes[int(route)%len(routes)]
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(string(body)))
		if ctype != "" {
			req.Header["Content-Type"] = []string{ctype}
		}
		if timeout != "" {
			req.Header[remote.HeaderTimeout] = []string{timeout}
		}
		if pid != "" {
			req.Header[remote.HeaderClientPID] = []string{pid}
		}
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		switch w.Code {
		case 200, 400, 404, 405, 413, 500, 503, 504:
		default:
			t.Fatalf("status %d for %s %s %q", w.Code, r.method, r.path, body)
		}
		var v map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
			t.Fatalf("answer is not JSON: %q", w.Body.String())
		}
		if w.Code != 200 {
			e, _ := v["error"].(map[string]any)
			if c, _ := e["code"].(string); c == "" {
				t.Fatalf("error answer without a code: %q", w.Body.String())
			}
		}
	})
}
