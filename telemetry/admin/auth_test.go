package admin

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestToken(t *testing.T) {
	f := serve(t, WithToken("s3cret"))
	before := snap(f.comp)
	tests := []struct {
		name, method, path, auth string
		status                   int
		msg                      string
	}{
		{"missing", "PUT", motor + "/topics", "", 401, "missing bearer token"},
		{"basic scheme", "PUT", motor + "/topics", "Basic czNjcmV0", 401, "missing bearer token"},
		{"empty bearer", "POST", motor + "/stop", "Bearer ", 401, "missing bearer token"},
		{"wrong", "PUT", motor + "/topics", "Bearer s3cre", 403, "wrong bearer token"},
		{"wrong longer", "DELETE", motor + "/tracing/endpoints", "Bearer s3cret2", 403, "wrong bearer token"},
		// Authorization comes before the component is looked up.
		{"missing, unknown component", "POST", PathPrefix + "/nope/stop", "", 401, "missing bearer token"},
		{"right, persist refused", "PUT", motor + "/topics?persist=1", "Bearer s3cret", 400, "no property store"},
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
	r := f.do(t, http.MethodPost, motor+"/stop", "", map[string]string{"Authorization": "Bearer s3cret", "Sec-Fetch-Site": "cross-site"})
	checkError(t, r.status, errorBody(t, r), Error{StatusCode: 403, Message: "cross-origin request refused"})
	before.unchanged(t, f.comp)

	// Reads need no token.
	if r := f.do(t, http.MethodGet, motor+"/status", "", nil); r.status != 200 {
		t.Errorf("GET status without a token: %d", r.status)
	}
	// The right token, any case of the scheme.
	r = f.do(t, http.MethodPut, motor+"/topics", `{"topics":["kernel"]}`, map[string]string{"Authorization": "bearer s3cret"})
	if r.status != 200 {
		t.Fatalf("right token: %d %s", r.status, r.body)
	}

	ctx := context.Background()
	e := asError(t, f.client.Stop(ctx, "motor"))
	if e.StatusCode != 401 {
		t.Errorf("client without token: %d %v", e.StatusCode, e)
	}
	e = asError(t, f.newClient(t, WithClientToken("nope")).Stop(ctx, "motor"))
	if e.StatusCode != 403 {
		t.Errorf("client with a wrong token: %d %v", e.StatusCode, e)
	}
	if err := f.newClient(t, WithClientToken("s3cret")).Stop(ctx, "motor"); err != nil || f.comp.Control().IsEnabled() {
		t.Errorf("client with the token: %v", err)
	}
}

// The token comes from SIGHTLINE_ADMIN_TOKEN unless WithToken is given.
func TestTokenSource(t *testing.T) {
	env := WithEnv(lookup(map[string]string{TokenEnv: " from-env "}))
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"env", []Option{env}, "from-env"},
		{"option wins", []Option{env, WithToken("from-code")}, "from-code"},
		{"empty option means none", []Option{WithToken(""), env}, ""},
		{"no env", []Option{noEnv}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewHandler(tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if h.token != tt.want {
				t.Errorf("token = %q, want %q", h.token, tt.want)
			}
		})
	}
}

// Without a token, changes are accepted only on a loopback local address;
// reads anywhere.
func TestNoTokenLoopbackOnly(t *testing.T) {
	comp, _ := testComponent(t, "motor", nil)
	h, err := NewHandler(noEnv, WithComponents(comp))
	if err != nil {
		t.Fatal(err)
	}
	before := snap(comp)
	loopback := &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 8761}
	far := &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 8761}
	const refused = "no admin token configured; mutating requests are only accepted on a loopback address"
	tests := []struct {
		name   string
		local  net.Addr
		host   string // "" means 127.0.0.1:8761
		hdr    map[string]string
		method string
		status int
		msg    string
	}{
		{"documentation address", far, "192.0.2.1:8761", nil, "PUT", 403, refused},
		{"all interfaces", &net.TCPAddr{IP: net.IPv4zero, Port: 8761}, "", nil, "PUT", 403, refused},
		{"ipv6 global", &net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 8761}, "", nil, "PUT", 403, refused},
		{"no local address", nil, "", nil, "PUT", 403, refused},
		// A web page whose DNS name was rebound to 127.0.0.1.
		{"rebound host name", loopback, "evil.example:8761", nil, "PUT", 403, "must name a loopback host"},
		{"cross-site page", loopback, "", map[string]string{"Sec-Fetch-Site": "cross-site"}, "PUT", 403, "cross-origin request refused"},
		{"foreign origin", loopback, "", map[string]string{"Origin": "http://evil.example"}, "PUT", 403, "cross-origin request refused"},
		{"read from afar", far, "192.0.2.1:8761", nil, "GET", 200, ""},
		{"ipv4 loopback", loopback, "", nil, "PUT", 200, ""},
		{"localhost host", loopback, "localhost:8761", nil, "PUT", 200, ""},
		{"same origin page", loopback, "", map[string]string{"Sec-Fetch-Site": "same-origin"}, "PUT", 200, ""},
		{"ipv4 loopback net", &net.TCPAddr{IP: net.ParseIP("127.1.2.3"), Port: 8761}, "127.1.2.3:8761", nil, "PUT", 200, ""},
		{"ipv6 loopback", &net.TCPAddr{IP: net.IPv6loopback, Port: 8761}, "[::1]:8761", nil, "PUT", 200, ""},
		{"unix socket", &net.UnixAddr{Name: "/run/sightline.sock", Net: "unix"}, "unix", nil, "PUT", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body *strings.Reader
			if tt.method == "PUT" {
				body = strings.NewReader(`{"topics":["user"]}`)
			} else {
				body = strings.NewReader("")
			}
			req := httptest.NewRequest(tt.method, motor+"/topics", body)
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
			if tt.status == 403 {
				r := response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
				e := errorBody(t, r)
				if !strings.Contains(e.Message, tt.msg) {
					t.Errorf("message = %q, want %q", e.Message, tt.msg)
				}
				before.unchanged(t, comp)
			}
		})
	}
}
