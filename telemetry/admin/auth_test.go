package admin

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/telemetry"
)

const goodToken = "s3cret-0123456789abcdef"

func TestToken(t *testing.T) {
	f := serve(t, WithToken(goodToken))
	before := snap(f.comp)
	tests := []struct {
		name, method, path, auth string
		status                   int
		msg                      string
	}{
		{"missing", "PUT", motor + "/topics", "", 401, "missing bearer token"},
		{"basic scheme", "PUT", motor + "/topics", "Basic czNjcmV0", 401, "missing bearer token"},
		{"empty bearer", "POST", motor + "/stop", "Bearer ", 401, "missing bearer token"},
		{"wrong", "PUT", motor + "/topics", "Bearer " + goodToken[:len(goodToken)-1], 403, "wrong bearer token"},
		{"wrong longer", "DELETE", motor + "/tracing/endpoints", "Bearer " + goodToken + "2", 403, "wrong bearer token"},
		// Authorization comes before the component is looked up.
		{"missing, unknown component", "POST", PathPrefix + "/nope/stop", "", 401, "missing bearer token"},
		{"right, persist refused", "PUT", motor + "/topics?persist=1", "Bearer " + goodToken, 400, "no property store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := ""
			if tt.method != "POST" {
				body = `{"topics":["kernel"]}`
			}
			r := f.do(t, tt.method, tt.path, body, map[string]string{"Authorization": tt.auth})
			e := errorBody(t, r)
			if r.status != tt.status || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("got %d %q, want %d %q", r.status, e.Message, tt.status, tt.msg)
			}
			if got := r.header.Get("WWW-Authenticate"); (tt.status == 401) != (got == "Bearer") {
				t.Errorf("WWW-Authenticate = %q with status %d", got, r.status)
			}
			before.unchanged(t, f.comp)
		})
	}

	// Even with the right token, a browser's cross-site request is refused.
	r := f.do(t, http.MethodPost, motor+"/stop", "", map[string]string{"Sec-Fetch-Site": "cross-site"})
	checkError(t, r.status, errorBody(t, r), Error{StatusCode: 403, Message: "cross-origin request refused"})
	before.unchanged(t, f.comp)

	// Reads on loopback need no token.
	if r := f.do(t, http.MethodGet, motor+"/status", "", map[string]string{"Authorization": ""}); r.status != 200 {
		t.Errorf("GET status without a token: %d", r.status)
	}
	// The right token, any case of the scheme.
	r = f.do(t, http.MethodPut, motor+"/topics", `{"topics":["kernel"]}`, map[string]string{"Authorization": "bearer " + goodToken})
	if r.status != 200 {
		t.Fatalf("right token: %d %s", r.status, r.body)
	}

	ctx := context.Background()
	e := asError(t, f.newClient(t).Disable(ctx, "motor"))
	if e.StatusCode != 401 {
		t.Errorf("client without token: %d %v", e.StatusCode, e)
	}
	e = asError(t, f.newClient(t, WithClientToken("nope")).Disable(ctx, "motor"))
	if e.StatusCode != 403 {
		t.Errorf("client with a wrong token: %d %v", e.StatusCode, e)
	}
	if err := f.newClient(t, WithClientToken(goodToken)).Disable(ctx, "motor"); err != nil || f.comp.Control().Enabled() {
		t.Errorf("client with the token: %v", err)
	}
	got := f.h.Refusals()
	if want := (Refusals{MissingToken: 5, WrongToken: 3, CrossOrigin: 1}); got != want {
		t.Errorf("Refusals = %+v, want %+v", got, want)
	}
}

// Without a configured token the handler makes one: a change without it is
// refused on loopback too (it was accepted before: loopback is not a trust
// boundary on a shared machine).
func TestChangeWithoutConfiguredTokenRefused(t *testing.T) {
	f := serve(t) // noEnv: no token configured
	if f.h.TokenConfigured() {
		t.Fatal("token configured")
	}
	before := snap(f.comp)
	ctx := context.Background()
	noToken := f.newClient(t)
	for name, change := range map[string]func() error{
		"stop":      func() error { return noToken.Disable(ctx, "motor") },
		"topics":    func() error { return noToken.SetTopics(ctx, "motor", []string{"kernel"}) },
		"endpoints": func() error { return noToken.SetTracingEndpoints(ctx, "motor", nil) },
		"sampler":   func() error { return noToken.SetSampler(ctx, "motor", telemetry.RatioSampler(0.5)) },
	} {
		e := asError(t, change())
		if e.StatusCode != 401 || !strings.Contains(e.Message, "missing bearer token") {
			t.Errorf("%s without a token on 127.0.0.1: %d %v", name, e.StatusCode, e)
		}
	}
	before.unchanged(t, f.comp)
	if got := f.h.Refusals().MissingToken; got != 4 {
		t.Errorf("MissingToken = %d, want 4", got)
	}
	// The generated token works.
	if err := f.newClient(t, WithClientToken(f.h.Token())).Disable(ctx, "motor"); err != nil || f.comp.Control().Enabled() {
		t.Fatalf("stop with the generated token: %v", err)
	}
}

// The token comes from SIGHTLINE_ADMIN_TOKEN unless WithToken is given;
// with neither, a fresh one is generated per handler.
func TestTokenSource(t *testing.T) {
	env := WithEnv(lookup(map[string]string{TokenEnv: " from-env-0123456789 "}))
	tests := []struct {
		name       string
		opts       []Option
		want       string // "" means generated
		configured bool
	}{
		{"env", []Option{env}, "from-env-0123456789", true},
		{"option wins", []Option{env, WithToken("from-code-0123456789")}, "from-code-0123456789", true},
		{"empty option means generated", []Option{WithToken(""), env}, "", false},
		{"empty env means generated", []Option{WithEnv(lookup(map[string]string{TokenEnv: " "}))}, "", false},
		{"no env", []Option{noEnv}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewHandler(tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if h.TokenConfigured() != tt.configured {
				t.Errorf("TokenConfigured = %v, want %v", h.TokenConfigured(), tt.configured)
			}
			if tt.want != "" {
				if h.Token() != tt.want {
					t.Errorf("token = %q, want %q", h.Token(), tt.want)
				}
				return
			}
			h2, err := NewHandler(tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if len(h.Token()) < 32 || checkToken(h.Token()) != nil || h.Token() == h2.Token() {
				t.Errorf("generated tokens %q, %q: want two different ones of 32+ visible characters", h.Token(), h2.Token())
			}
		})
	}
}

// A weak configured token is refused at NewHandler, with its source, its
// length and how to make a good one, never the token itself.
func TestWeakTokenRefused(t *testing.T) {
	tests := []struct {
		name, token, source, why string
		fromEnv                  bool
	}{
		{"short option", "s3cret", "WithToken", "too short", false},
		{"short env", "hunter2hunter2", TokenEnv, "too short", true},
		{"15 characters", "0123456789abcde", "WithToken", "too short", false},
		{"inner space", "0123456789 abcdefgh", TokenEnv, "character 11 is not visible ASCII", true},
		{"control character", "0123456789abcdefgh\x01", "WithToken", "character 19 is not visible ASCII", false},
		{"non-ASCII", "0123456789abcdefgh\u00e9", "WithToken", "is not visible ASCII", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []Option{WithToken(tt.token)}
			if tt.fromEnv {
				opts = []Option{WithEnv(lookup(map[string]string{TokenEnv: tt.token}))}
			}
			h, err := NewHandler(opts...)
			if err == nil || h != nil {
				t.Fatalf("NewHandler with token %q = %v, %v; want a refusal", tt.token, h, err)
			}
			msg := err.Error()
			for _, want := range []string{tt.source, "characters)", tt.why, "at least 16", "openssl rand -hex 16"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
			if strings.Contains(msg, strings.TrimSpace(tt.token)) {
				t.Errorf("error %q prints the token", msg)
			}
			if !errors.Is(err, ErrWeakToken) {
				t.Errorf("error %v is not ErrWeakToken", err)
			}
		})
	}
	if _, err := NewHandler(WithToken("0123456789abcdef")); err != nil {
		t.Errorf("16 characters refused: %v", err)
	}
}

// Who may read and change, by connection and headers, for a handler whose
// token was generated (the rules do not depend on where it came from).
func TestAuthorizeByConnection(t *testing.T) {
	comp, _ := testComponent(t, "motor", nil)
	h, err := NewHandler(noEnv, WithComponents(comp))
	if err != nil {
		t.Fatal(err)
	}
	good, bad := "Bearer "+h.Token(), "Bearer not-the-token-0123456789"
	loopback := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8761}
	far := &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 8761}
	tests := []struct {
		name   string
		method string
		local  net.Addr
		host   string // "" means 127.0.0.1:8761
		hdr    map[string]string
		status int
		msg    string
	}{
		// Reads.
		{"read on loopback", "GET", loopback, "", nil, 200, ""},
		{"read on loopback, localhost", "GET", loopback, "localhost:8761", nil, 200, ""},
		{"read on ipv6 loopback", "GET", &net.TCPAddr{IP: net.IPv6loopback, Port: 8761}, "[::1]:8761", nil, 200, ""},
		{"read on a unix socket", "GET", &net.UnixAddr{Name: "/run/sightline.sock", Net: "unix"}, "unix", nil, 200, ""},
		{"read, rebound host name", "GET", loopback, "evil.example:8761", nil, 403, "must name a loopback host"},
		{"read from afar", "GET", far, "192.0.2.1:8761", nil, 401, "reads over a non-loopback connection"},
		{"read, all interfaces", "GET", &net.TCPAddr{IP: net.IPv4zero, Port: 8761}, "", nil, 401, "missing bearer token"},
		{"read, no local address", "GET", nil, "", nil, 401, "missing bearer token"},
		{"read from afar, token", "GET", far, "192.0.2.1:8761", map[string]string{"Authorization": good}, 200, ""},
		{"read from afar, wrong token", "GET", far, "192.0.2.1:8761", map[string]string{"Authorization": bad}, 403, "wrong bearer token"},
		{"read on loopback, wrong token", "GET", loopback, "", map[string]string{"Authorization": bad}, 403, "wrong bearer token"},
		// Changes.
		{"change on loopback", "PUT", loopback, "", nil, 401, "missing bearer token"},
		{"change on a unix socket", "PUT", &net.UnixAddr{Name: "/run/sightline.sock", Net: "unix"}, "unix", nil, 401, "missing bearer token"},
		{"change on loopback, token", "PUT", loopback, "", map[string]string{"Authorization": good}, 200, ""},
		{"change from afar, token", "PUT", far, "192.0.2.1:8761", map[string]string{"Authorization": good}, 200, ""},
		{"change, rebound host, token", "PUT", loopback, "evil.example:8761", map[string]string{"Authorization": good}, 200, ""},
		{"change, cross-site page", "PUT", loopback, "", map[string]string{"Authorization": good, "Sec-Fetch-Site": "cross-site"}, 403, "cross-origin request refused"},
		{"change, foreign origin", "PUT", loopback, "", map[string]string{"Authorization": good, "Origin": "http://evil.example"}, 403, "cross-origin request refused"},
		{"change, same origin page", "PUT", loopback, "", map[string]string{"Authorization": good, "Sec-Fetch-Site": "same-origin"}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snap(comp)
			body := ""
			if tt.method == "PUT" {
				body = `{"topics":["user"]}`
			}
			req := httptest.NewRequest(tt.method, motor+"/topics", strings.NewReader(body))
			req.Host = tt.host
			if req.Host == "" {
				req.Host = "127.0.0.1:8761"
			}
			for k, v := range tt.hdr {
				req.Header.Set(k, v)
			}
			if tt.local != nil {
				req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, tt.local))
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != 200 {
				e := errorBody(t, response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()})
				if !strings.Contains(e.Message, tt.msg) {
					t.Errorf("message = %q, want %q", e.Message, tt.msg)
				}
				before.unchanged(t, comp)
			}
		})
	}
}
