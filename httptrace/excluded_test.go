package httptrace

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
)

// envMap is a getenv (WithEnv) that reads m.
func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestExcludedURLsEnvNames(t *testing.T) {
	tests := []struct {
		opts []Option
		want []string
	}{
		{nil, []string{"SIGHTLINE_HTTP_EXCLUDED_URLS"}},
		{[]Option{WithKey("scan-api")}, []string{"SIGHTLINE_HTTP_EXCLUDED_URLS", "SIGHTLINE_HTTP_SCAN_API_EXCLUDED_URLS"}},
		{[]Option{WithKey("Viewer.v2 é")}, []string{"SIGHTLINE_HTTP_EXCLUDED_URLS", "SIGHTLINE_HTTP_VIEWER_V2___EXCLUDED_URLS"}},
		{[]Option{WithKey("a"), WithExcludedURLsEnv("MY_EXCLUDED")}, []string{"MY_EXCLUDED", "SIGHTLINE_HTTP_A_EXCLUDED_URLS"}},
	}
	for _, tt := range tests {
		if got := ExcludedURLsEnvNames(tt.opts...); !slices.Equal(got, tt.want) {
			t.Errorf("%d options: got %q, want %q", len(tt.opts), got, tt.want)
		}
	}
}

func TestParseExcludedList(t *testing.T) {
	tests := []struct {
		value string
		want  []string
	}{
		{"", nil},
		{" , ,", nil},
		{"/healthz", []string{"/healthz"}},
		{" ^/healthz$ , /metrics,,/debug/.* ", []string{"^/healthz$", "/metrics", "/debug/.*"}},
		{`https?://[^/]+/internal`, []string{`https?://[^/]+/internal`}},
	}
	for _, tt := range tests {
		res, err := parseExcludedList("VAR", tt.value)
		if err != nil {
			t.Errorf("%q: %v", tt.value, err)
			continue
		}
		var got []string
		for _, re := range res {
			got = append(got, re.String())
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.value, got, tt.want)
		}
	}
}

func TestInvalidExcludedURLs(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		source  string
		value   string
		errCode syntax.ErrorCode
	}{
		{
			name:    "generic env",
			opts:    []Option{WithEnv(envMap(map[string]string{"SIGHTLINE_HTTP_EXCLUDED_URLS": "/ok, /bad[ "}))},
			source:  "SIGHTLINE_HTTP_EXCLUDED_URLS",
			value:   "/bad[",
			errCode: syntax.ErrMissingBracket,
		},
		{
			name:    "app env",
			opts:    []Option{WithKey("scan-api"), WithEnv(envMap(map[string]string{"SIGHTLINE_HTTP_SCAN_API_EXCLUDED_URLS": "(/x"}))},
			source:  "SIGHTLINE_HTTP_SCAN_API_EXCLUDED_URLS",
			value:   "(/x",
			errCode: syntax.ErrMissingParen,
		},
		{
			name:    "custom env",
			opts:    []Option{WithExcludedURLsEnv("MY_EXCLUDED"), WithEnv(envMap(map[string]string{"MY_EXCLUDED": "*x"}))},
			source:  "MY_EXCLUDED",
			value:   "*x",
			errCode: syntax.ErrMissingRepeatArgument,
		},
		{
			name:    "code",
			opts:    []Option{WithExcludedURLs("/fine"), WithExcludedURLs("", `/a{1,2}\`), WithEnv(envMap(nil))},
			source:  "WithExcludedURLs[2]",
			value:   `/a{1,2}\`,
			errCode: syntax.ErrTrailingBackslash,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, err := range []error{Validate(tt.opts...), middlewareErr(tt.opts), transportErr(tt.opts)} {
				if err == nil {
					t.Fatal("no error")
				}
				msg := err.Error()
				if !strings.Contains(msg, tt.source) || !strings.Contains(msg, tt.value) {
					t.Errorf("error %q does not name %s and %q", msg, tt.source, tt.value)
				}
				var ee *ExcludedURLError
				if !errors.As(err, &ee) || ee.Source != tt.source || ee.Value != tt.value {
					t.Errorf("error %q: ExcludedURLError %+v", msg, ee)
				}
				var se *syntax.Error
				if !errors.As(err, &se) || se.Code != tt.errCode {
					t.Errorf("error %q does not wrap the regexp error %v", msg, tt.errCode)
				}
			}
		})
	}
}

func middlewareErr(opts []Option) error {
	mopts := make([]MiddlewareOption, len(opts))
	for i, o := range opts {
		mopts[i] = o
	}
	h, err := Middleware(http.NotFoundHandler(), mopts...)
	if err == nil && h == nil {
		return errors.New("nil handler and nil error")
	}
	return err
}

func transportErr(opts []Option) error {
	topts := make([]TransportOption, len(opts))
	for i, o := range opts {
		topts[i] = o
	}
	rt, err := Transport(nil, topts...)
	if err == nil && rt == nil {
		return errors.New("nil transport and nil error")
	}
	return err
}

func TestMiddlewareNilHandler(t *testing.T) {
	if _, err := Middleware(nil); err == nil {
		t.Fatal("no error for a nil handler")
	}
}

func TestExcludedMatch(t *testing.T) {
	c := optionsConfig([]Option{WithEnv(envMap(nil)), WithExcludedURLs(
		"^/healthz$",
		"/static/",
		`^https://[^/]+/internal`,
		`://admin\.example\.com/`,
		`://[^/]+/search\?debug=1`,
	)})
	m, err := c.excluded()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url  string
		tls  bool
		want bool
	}{
		{"http://h/healthz", false, true},
		{"http://h/healthz?x=1", false, true},
		{"http://h/healthz/more", false, false},
		{"http://h/app/static/x.css", false, true},
		{"http://h/scans/1", false, false},
		{"https://h/internal/x", true, true},
		{"http://h/internal/x", false, false},
		{"http://admin.example.com/x", false, true},
		{"http://example.com/x", false, false},
		{"http://h/search?debug=1", false, true},
		{"http://h/search?q=1", false, false},
	}
	for _, tt := range tests {
		srv := httptest.NewRequest(http.MethodGet, tt.url, nil)
		if !tt.tls {
			srv.TLS = nil
		}
		if got := m.excludedServer(srv); got != tt.want {
			t.Errorf("server %s: got %v, want %v", tt.url, got, tt.want)
		}
		cli, err := http.NewRequest(http.MethodGet, tt.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.excludedClient(cli); got != tt.want {
			t.Errorf("client %s: got %v, want %v", tt.url, got, tt.want)
		}
	}
}

// FuzzExcludedURLs checks that no environment value makes the parser panic,
// and that every error names its source and one of the value's entries.
func FuzzExcludedURLs(f *testing.F) {
	for _, s := range []string{"", ",", "/a,/b", "^/x$, (", "[", `\`, "a{1,2}", "://h/?q", `\xff,\p{Greek}`, strings.Repeat("(", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		res, err := parseExcludedList("VAR", value)
		entries := strings.Split(value, ",")
		if len(res) > len(entries) {
			t.Fatalf("%d regexps from %d entries", len(res), len(entries))
		}
		if err == nil {
			m := &matcher{}
			m.add(res...)
			m.excludedServer(httptest.NewRequest(http.MethodGet, "/x?y=z", nil))
			return
		}
		var ee *ExcludedURLError
		if !errors.As(err, &ee) || ee.Source != "VAR" {
			t.Fatalf("error %v is not an ExcludedURLError from VAR", err)
		}
		if !slices.ContainsFunc(entries, func(e string) bool { return strings.TrimSpace(e) == ee.Value }) {
			t.Fatalf("error value %q is not an entry of %q", ee.Value, value)
		}
	})
}
