package httptrace

import (
	"net/http"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// maxRoutes bounds the (method, route) pairs a Middleware keeps the span
// name and http.route attribute of; requests beyond are traced the same,
// with both made anew.
const maxRoutes = 4096

// maxRouteLen bounds the length in bytes of a route a Middleware keeps:
// a WithRoute function may give one made of the request (its path), and
// maxRoutes of those would keep up to a megabyte each (a request line's
// bound).
const maxRouteLen = 256

// routeCache makes the server span name ("GET /scans/{id}") and the
// http.route attribute of a route once per method and route, instead of on
// every request (each would be an allocation). The zero value is ready to
// use.
type routeCache struct {
	mu sync.RWMutex
	m  map[routeKey]*routeSpan
}

// routeKey is a method as spanMethod gives it, and a route.
type routeKey struct{ method, route string }

// routeSpan is what the server spans of one method and route share.
type routeSpan struct {
	name  string               // "METHOD route"
	attrs []attribute.KeyValue // http.route alone; shared: do not change
}

// get is the routeSpan of method and route (not empty).
func (c *routeCache) get(method, route string) *routeSpan {
	k := routeKey{spanMethod(method), route}
	c.mu.RLock()
	rs := c.m[k]
	c.mu.RUnlock()
	if rs != nil {
		return rs
	}
	rs = &routeSpan{name: k.method + " " + route, attrs: []attribute.KeyValue{semconv.HTTPRoute(route)}}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev := c.m[k]; prev != nil {
		return prev
	}
	if c.m == nil {
		c.m = make(map[routeKey]*routeSpan)
	}
	if len(c.m) < maxRoutes && len(route) <= maxRouteLen {
		c.m[k] = rs
	}
	return rs
}

// spanName is the span name formatter given to otelhttp; it names the
// span at its start and, when the mux set a pattern, again after the
// handler: "METHOD route", or "METHOD" before routing.
func (c *routeCache) spanName(_ string, r *http.Request) string {
	route := routeOf(r.Pattern)
	if route == "" {
		return spanMethod(r.Method)
	}
	return c.get(r.Method, route).name
}

// spanMethod is method upper-cased when it is a standard one, else "HTTP",
// as the HTTP semantic conventions name spans.
func spanMethod(method string) string {
	switch m := strings.ToUpper(method); m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "HTTP"
}

// routeOf strips the method and host of a ServeMux pattern:
// "GET example.com/scans/{id}" gives "/scans/{id}", "" gives "".
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		return pattern[i:]
	}
	return ""
}
