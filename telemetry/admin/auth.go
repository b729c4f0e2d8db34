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

// authorize checks every request (see doc.go, "Security"). A browser's
// cross-origin change is refused (403). A change needs "Authorization:
// Bearer TOKEN" (401 when missing, 403 when wrong), whatever the address.
// A read with the token passes; one without it passes only when it arrived
// on a loopback address (or a Unix socket) and names a loopback Host (the
// Host check stops a web page that rebinds its own DNS name to 127.0.0.1).
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) *Error {
	change := mutating(r.Method)
	if change {
		if err := crossOrigin.Check(r); err != nil {
			h.refused.crossOrigin.Add(1)
			return apiError(http.StatusForbidden, "", "",
				"cross-origin request refused: changes cannot be sent by a web page of another origin", nil)
		}
	}
	if got, ok := bearerToken(r.Header.Get("Authorization")); ok {
		if !tokensEqual(got, h.token) {
			h.refused.wrongToken.Add(1)
			return apiError(http.StatusForbidden, "", "", msgWrongToken, nil)
		}
		return nil
	}
	if !change {
		localAddr, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		if isLoopbackAddr(localAddr) {
			if _, isUnix := localAddr.(*net.UnixAddr); isUnix || isLoopbackHost(hostOf(r.Host)) {
				return nil
			}
			h.refused.host.Add(1)
			return apiError(http.StatusForbidden, "Host", r.Host,
				"reads without a token must name a loopback host", []string{"127.0.0.1", "[::1]", "localhost"})
		}
		h.refused.missingToken.Add(1)
		w.Header().Set("WWW-Authenticate", "Bearer")
		return apiError(http.StatusUnauthorized, "", "",
			msgMissingToken+": reads over a non-loopback connection need the header Authorization: Bearer <token>", nil)
	}
	h.refused.missingToken.Add(1)
	w.Header().Set("WWW-Authenticate", "Bearer")
	return apiError(http.StatusUnauthorized, "", "",
		msgMissingToken+": changes need the header Authorization: Bearer <token>, the server's "+TokenEnv+
			" or the token in its token file admin-PORT.json (in the runtime directory of the user who runs it)", nil)
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
