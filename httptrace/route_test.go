package httptrace

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// tinyRouter stands for chi and gorilla/mux: it puts a route context in
// the request before its middlewares run, and writes the matched pattern
// into it when it routes, after them (as chi's RouteContext does).
type tinyRouter struct {
	routes      map[string]http.Handler // "METHOD /path/{id}" -> handler
	middlewares []func(http.Handler) http.Handler
}

type routeCtxKey struct{}

type routeCtx struct{ pattern string }

// routePattern is the one-liner a program passes to WithRoute, the
// counterpart of chi.RouteContext(r.Context()).RoutePattern().
func routePattern(r *http.Request) string {
	if rc, ok := r.Context().Value(routeCtxKey{}).(*routeCtx); ok {
		return rc.pattern
	}
	return ""
}

func (t *tinyRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc := &routeCtx{}
	r = r.WithContext(context.WithValue(r.Context(), routeCtxKey{}, rc))
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for p, h := range t.routes {
			method, path, _ := strings.Cut(p, " ")
			if method != r.Method {
				continue
			}
			prefix, _, _ := strings.Cut(path, "{")
			if strings.HasPrefix(r.URL.Path, prefix) {
				rc.pattern = path
				h.ServeHTTP(w, r)
				return
			}
		}
		http.NotFound(w, r)
	})
	for i := len(t.middlewares) - 1; i >= 0; i-- {
		h = t.middlewares[i](h)
	}
	h.ServeHTTP(w, r)
}

// TestWithRoute: with Middleware installed as a router's middleware, the
// span name and http.route (on the span and on the request duration
// metric) come from the route function.
func TestWithRoute(t *testing.T) {
	tp, exp := newRecorder(t)
	mp, reader := newMeter(t)
	opts := []Option{WithTracerProvider(tp), WithMeterProvider(mp), WithEnv(envMap(nil)), WithRoute(routePattern)}
	if err := Validate(opts...); err != nil {
		t.Fatal(err)
	}
	router := &tinyRouter{routes: map[string]http.Handler{
		"GET /scans/{id}": http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}),
	}}
	router.middlewares = append(router.middlewares, func(next http.Handler) http.Handler {
		mopts := make([]MiddlewareOption, len(opts))
		for i, o := range opts {
			mopts[i] = o
		}
		h, err := Middleware(next, mopts...)
		if err != nil {
			t.Fatal(err)
		}
		return h
	})
	router.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/scans/42", nil))
	router.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/nowhere", nil))

	s := spanNamed(t, exp, "GET /scans/{id}")
	if v, _ := attr(s, semconv.HTTPRouteKey); v.AsString() != "/scans/{id}" {
		t.Errorf("http.route = %q, want /scans/{id}", v.AsString())
	}
	spanNamed(t, exp, "GET") // no route: the method alone
	points := histogramPoints[float64](t, collect(t, reader), "http.server.request.duration")
	pointWith(t, points, semconv.HTTPRouteKey, "/scans/{id}")
}

// TestWithRouteFallsBackToPattern: a route function that knows no route
// leaves the ServeMux's pattern in charge; one that knows wins over it.
func TestWithRouteFallsBackToPattern(t *testing.T) {
	for _, tc := range []struct {
		route func(*http.Request) string
		want  string
	}{
		{func(*http.Request) string { return "" }, "GET /items/{id}"},
		{func(*http.Request) string { return "/custom/{x}" }, "GET /custom/{x}"},
	} {
		tp, exp := newRecorder(t)
		mux := http.NewServeMux()
		mux.HandleFunc("GET /items/{id}", func(http.ResponseWriter, *http.Request) {})
		h, err := Middleware(mux, WithTracerProvider(tp), WithEnv(envMap(nil)), WithRoute(tc.route))
		if err != nil {
			t.Fatal(err)
		}
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/items/7", nil))
		if s := onlySpan(t, exp); s.Name != tc.want {
			t.Errorf("span %q, want %q", s.Name, tc.want)
		}
	}
}

// TestFrameworkSetsPattern: the documented one-liner for gin and echo, a
// framework middleware that copies its route (gin's c.FullPath(), echo's
// c.Path()) into Request.Pattern of the request it was given, names the
// span without WithRoute.
func TestFrameworkSetsPattern(t *testing.T) {
	tp, exp := newRecorder(t)
	framework := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		r.Pattern = "/things/:id" // engine.Use(func(c *gin.Context) { c.Request.Pattern = c.FullPath() })
	})
	h, err := Middleware(framework, WithTracerProvider(tp), WithEnv(envMap(nil)))
	if err != nil {
		t.Fatal(err)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/things/3", nil))
	s := onlySpan(t, exp)
	if v, _ := attr(s, semconv.HTTPRouteKey); s.Name != "GET /things/:id" || v != attribute.StringValue("/things/:id") {
		t.Errorf("span %q http.route %q, want GET /things/:id", s.Name, v.AsString())
	}
}
