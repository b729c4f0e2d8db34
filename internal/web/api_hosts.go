package web

import (
	"net"
	"net/http"
	"strings"
)

// WithAllowedHosts adds host names (without port) that requests arriving
// on a loopback address may name in their Host header, besides localhost
// and loopback IPs: for a reverse proxy on the same machine that passes
// its own host name on.
func WithAllowedHosts(hosts ...string) Option {
	return apiOption(func(o *options) {
		for _, h := range hosts {
			o.hosts[strings.ToLower(h)] = true
		}
	})
}

// hostAllowed guards against DNS rebinding: a web page whose own host name
// resolves to 127.0.0.1 could otherwise read the API (traces can hold
// secrets) as a same-origin page. A request that arrived on a loopback
// address must name a loopback host (localhost, 127.0.0.1, [::1]) or one
// of WithAllowedHosts. Requests on other addresses (serve listening on
// 0.0.0.0 for other machines) are not checked: their Host is whatever
// name the machine is reached by.
func (a *api) hostAllowed(r *http.Request) bool {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return true // not from a net/http server (a test recorder)
	}
	tcp, ok := local.(*net.TCPAddr)
	if !ok || !tcp.IP.IsLoopback() {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || a.opts.hosts[host] {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
