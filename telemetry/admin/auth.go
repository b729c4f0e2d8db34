package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// mutating reports whether a method changes something (and so needs
// authorization).
func mutating(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodDelete
}

// crossOrigin refuses changes sent by a web page of another origin (the
// browser's Sec-Fetch-Site or Origin header says so); curl and Go clients
// send neither and pass.
var crossOrigin = http.NewCrossOriginProtection()

// authorize checks a mutating request. A browser's cross-origin request is
// refused (403). With a token configured the request must carry it as
// "Authorization: Bearer TOKEN" (401 when missing, 403 when wrong).
// Without one, only requests that arrived on a loopback address (or a Unix
// socket) and name a loopback host are accepted; the Host check stops a
// web page that rebinds its own DNS name to 127.0.0.1.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) *Error {
	if err := crossOrigin.Check(r); err != nil {
		return apiError(http.StatusForbidden, "", "",
			"cross-origin request refused: changes cannot be sent by a web page of another origin", nil)
	}
	if h.token == "" {
		localAddr, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		if !isLoopbackAddr(localAddr) {
			return apiError(http.StatusForbidden, "", "",
				"no admin token configured; mutating requests are only accepted on a loopback address", nil)
		}
		if _, isUnix := localAddr.(*net.UnixAddr); !isUnix && !isLoopbackHost(hostOf(r.Host)) {
			return apiError(http.StatusForbidden, "Host", r.Host,
				"no admin token configured; mutating requests must name a loopback host (127.0.0.1, [::1] or localhost)", nil)
		}
		return nil
	}
	got, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		w.Header().Set("WWW-Authenticate", "Bearer")
		return apiError(http.StatusUnauthorized, "", "",
			"missing bearer token: changes need the header Authorization: Bearer <token>", nil)
	}
	if !tokensEqual(got, h.token) {
		return apiError(http.StatusForbidden, "", "", "wrong bearer token", nil)
	}
	return nil
}

// bearerToken returns the token of an "Authorization: Bearer TOKEN" header.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// tokensEqual compares in constant time; hashing first hides the length
// of the configured token too.
func tokensEqual(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// isLoopbackAddr reports whether a connection's local address is a
// loopback IP or a Unix socket: only this host can reach it.
func isLoopbackAddr(a net.Addr) bool {
	switch a := a.(type) {
	case nil:
		return false
	case *net.TCPAddr:
		return a != nil && a.IP.IsLoopback()
	case *net.UnixAddr:
		return a != nil
	}
	ap, err := netip.ParseAddrPort(a.String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// hostOf is the host of a Host header, without the port.
func hostOf(hostport string) string {
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		return host
	}
	return hostport
}

// isLoopbackHost reports whether a listen address's host is loopback only:
// a loopback IP or "localhost". An empty host means every interface.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.Unmap().IsLoopback()
}
