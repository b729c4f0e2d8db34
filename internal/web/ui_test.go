package web

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// uiGet requests path from h and returns the answer and its body.
func uiGet(t *testing.T, h http.Handler, method, target string, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

func uiCheckSecurityHeaders(t *testing.T, target string, res *http.Response) {
	t.Helper()
	for k, want := range map[string]string{
		"Content-Security-Policy": uiCSP,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s: %s = %q, want %q", target, k, got, want)
		}
	}
}

func TestUIRoutes(t *testing.T) {
	h := NewUI()
	for _, tc := range []struct {
		target, contentType, contains string
	}{
		{"/", "text/html; charset=utf-8", `src="/static/js/search.js"`},
		{"/?service=scan&range=all", "text/html; charset=utf-8", `src="/static/js/search.js"`},
		{"/trace/5b8efff798038103d269b633813fc60c", "text/html; charset=utf-8", `src="/static/js/trace.js"`},
		{"/trace/5B8EFFF798038103D269B633813FC60C?span=eee19b7ec3c1b174", "text/html; charset=utf-8",
			`<link rel="preload" href="/api/v1/traces/5b8efff798038103d269b633813fc60c?limit=5000" as="fetch" crossorigin="anonymous">`},
		{"/logs", "text/html; charset=utf-8", `src="/static/js/logs.js"`},
		{"/static/js/dom.js", "text/javascript; charset=utf-8", "export function el("},
		{"/static/js/tree.js", "text/javascript; charset=utf-8", "export class TraceModel"},
		{"/static/css/app.css", "text/css; charset=utf-8", "prefers-color-scheme: dark"},
		{"/static/favicon.svg", "image/svg+xml", "<svg"},
	} {
		res, body := uiGet(t, h, http.MethodGet, tc.target)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", tc.target, res.StatusCode)
			continue
		}
		uiCheckSecurityHeaders(t, tc.target, res)
		if got := res.Header.Get("Content-Type"); got != tc.contentType {
			t.Errorf("%s: Content-Type %q, want %q", tc.target, got, tc.contentType)
		}
		if !strings.Contains(body, tc.contains) {
			t.Errorf("%s: body lacks %q", tc.target, tc.contains)
		}
	}
}

func TestUIErrors(t *testing.T) {
	h := NewUI()
	for _, tc := range []struct {
		method, target string
		status         int
	}{
		{http.MethodGet, "/static/js/nope.js", http.StatusNotFound},
		{http.MethodGet, "/static/", http.StatusNotFound},
		{http.MethodGet, "/static/js", http.StatusNotFound},
		{http.MethodGet, "/static/js/", http.StatusNotFound},
		{http.MethodGet, "/nope", http.StatusNotFound},
		{http.MethodGet, "/index.html", http.StatusNotFound},
		{http.MethodGet, "/trace/", http.StatusNotFound},
		{http.MethodGet, "/trace/not-a-trace-id", http.StatusNotFound},
		{http.MethodGet, "/trace/5b8efff798038103d269b633813fc60c/extra", http.StatusNotFound},
		{http.MethodPost, "/", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/static/js/dom.js", http.StatusMethodNotAllowed},
	} {
		res, _ := uiGet(t, h, tc.method, tc.target)
		if res.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.target, res.StatusCode, tc.status)
		}
		uiCheckSecurityHeaders(t, tc.target, res)
	}
}

func TestUIConditionalAndHead(t *testing.T) {
	h := NewUI()
	res, body := uiGet(t, h, http.MethodGet, "/static/js/trace.js")
	etag := res.Header.Get("ETag")
	if etag == "" || res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, res.Header.Get("Cache-Control"))
	}
	if res, _ := uiGet(t, h, http.MethodGet, "/static/js/trace.js", "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", res.StatusCode)
	}
	res, head := uiGet(t, h, http.MethodHead, "/static/js/trace.js")
	if res.StatusCode != http.StatusOK || head != "" || res.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
		t.Errorf("HEAD: status %d, body %d bytes, Content-Length %q", res.StatusCode, len(head), res.Header.Get("Content-Length"))
	}
}

func TestUIGroupMinOption(t *testing.T) {
	for _, tc := range []struct {
		opts []UIOption
		want string
	}{
		{nil, `content="10"`},
		{[]UIOption{WithGroupMin(25)}, `content="25"`},
		{[]UIOption{WithGroupMin(1)}, `content="10"`},
	} {
		_, body := uiGet(t, NewUI(tc.opts...), http.MethodGet, "/trace/5b8efff798038103d269b633813fc60c")
		if !strings.Contains(body, `<meta name="sightline-group-min" `+tc.want+`>`) {
			t.Errorf("%v: the page lacks the group-min meta %s", tc.opts, tc.want)
		}
	}
}

// uiWalk calls f with the name and text of every embedded file with one
// of the extensions.
func uiWalk(t *testing.T, f func(name, text string), exts ...string) {
	t.Helper()
	err := fs.WalkDir(uiFiles, "ui", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, e := range exts {
			if path.Ext(name) == e {
				b, err := fs.ReadFile(uiFiles, name)
				if err != nil {
					return err
				}
				f(name, string(b))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUIScriptSafety keeps data out of HTML parsing and code evaluation:
// the JavaScript renders everything with DOM APIs and text nodes.
func TestUIScriptSafety(t *testing.T) {
	banned := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\s*\(|new\s+Function\b|setTimeout\s*\(\s*['"` + "`" + `]|setAttribute\s*\(\s*['"](style|on)`)
	n := 0
	uiWalk(t, func(name, text string) {
		n++
		for i, line := range strings.Split(text, "\n") {
			if m := banned.FindString(line); m != "" {
				t.Errorf("%s:%d: %q is not allowed (build DOM nodes with dom.js el and textContent)", name, i+1, m)
			}
		}
	}, ".js")
	if n < 8 {
		t.Errorf("found %d JavaScript files, want the viewer's modules", n)
	}
}

// TestUIPagesStrict keeps the pages within the CSP: no inline script,
// style or event handler, and every local reference embedded.
func TestUIPagesStrict(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script(\s[^>]*)?>\s*[^<\s]|<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)
	ref := regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`)
	imp := regexp.MustCompile(`(?m)^\s*import\s[^'"]*['"](\./[^'"]+)['"]`)
	uiWalk(t, func(name, text string) {
		if m := inline.FindString(text); m != "" {
			t.Errorf("%s: inline code or style %q (the CSP forbids it)", name, m)
		}
		for _, m := range ref.FindAllStringSubmatch(text, -1) {
			if _, err := fs.Stat(uiFiles, "ui"+m[1]); err != nil {
				t.Errorf("%s: %s is not embedded", name, m[1])
			}
		}
	}, ".html")
	uiWalk(t, func(name, text string) {
		for _, m := range imp.FindAllStringSubmatch(text, -1) {
			if _, err := fs.Stat(uiFiles, path.Join(path.Dir(name), m[1])); err != nil {
				t.Errorf("%s imports %s, which is not embedded", name, m[1])
			}
		}
	}, ".js")
}
