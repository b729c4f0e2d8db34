package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/remote"
)

// TestRawProtocolErrors sends what a non-Go client might get wrong.
func TestRawProtocolErrors(t *testing.T) {
	_, addr := startServer(t, "CalcServer/raw", offEnv, nil, calc("lab/calc/1"))
	base := "http://" + addr + remote.PathPrefix + "/devices/lab%2Fcalc%2F1"
	cases := []struct {
		name, method, path, ctype, body string
		header                          [2]string
		status                          int
		want                            string
	}{
		{"malformed body", "POST", "/commands/Add", "application/json", `{"argin": {"a": 1,`, [2]string{}, 400, `"code":"malformed_body"`},
		{"unknown body field", "POST", "/commands/Add", "application/json", `{"arg": 1}`, [2]string{}, 400, `unknown field \"arg\"`},
		{"trailing data", "POST", "/commands/Echo", "application/json", `{"argin": "x"} {}`, [2]string{}, 400, "data after"},
		{"wrong content type", "POST", "/commands/Echo", "text/plain", `{"argin": "x"}`, [2]string{}, 400, "Content-Type"},
		{"body too large", "POST", "/commands/Echo", "application/json", `{"argin": "` + strings.Repeat("x", remote.MaxBody) + `"}`, [2]string{}, 413, "body_too_large"},
		{"bad timeout header", "POST", "/commands/Echo", "application/json", `{"argin": "x"}`, [2]string{remote.HeaderTimeout, "soon"}, 400, remote.HeaderTimeout},
		{"bad pid header", "GET", "/ping", "", "", [2]string{remote.HeaderClientPID, "-3"}, 400, remote.HeaderClientPID},
		{"write without value", "PUT", "/attributes/gain", "application/json", `{}`, [2]string{}, 400, `{\"value\": ...}`},
		{"unknown route", "GET", "/whatever", "", "", [2]string{}, 404, "unknown_route"},
		{"unknown operation", "GET", "/../../operations/x?wait=1s", "", "", [2]string{}, 404, "unknown_operation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			if c.header[0] != "" {
				req.Header.Set(c.header[0], c.header[1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status || !strings.Contains(string(b), c.want) {
				t.Fatalf("%s %s: %d %s; want %d with %q", c.method, c.path, resp.StatusCode, b, c.status, c.want)
			}
		})
	}
}
