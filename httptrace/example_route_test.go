package httptrace_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/sightline-dev/sightline/httptrace"
)

// patternKey is where this example's router keeps its route, as chi keeps
// its RouteContext.
type patternKey struct{}

// Route names from a router other than net/http's ServeMux. With chi,
// WithRoute(func(r *http.Request) string { return
// chi.RouteContext(r.Context()).RoutePattern() }) and Middleware installed
// with r.Use; with gorilla/mux, mux.CurrentRoute(r).GetPathTemplate() and
// router.Use (docs/http-tracing.md).
func ExampleWithRoute() {
	tp, exp := recorder()
	route := httptrace.WithRoute(func(r *http.Request) string {
		p, _ := r.Context().Value(patternKey{}).(*string)
		if p == nil {
			return ""
		}
		return *p
	})
	var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*r.Context().Value(patternKey{}).(*string) = "/scans/{id}" // the router matched
	})
	traced, err := httptrace.Middleware(handler, route, httptrace.WithTracerProvider(tp))
	if err != nil {
		fmt.Println(err)
		return
	}
	// The router: a route holder in the context, then its middlewares.
	router := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		traced.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), patternKey{}, new(string))))
	})
	router.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/scans/42", nil))
	s := exp.GetSpans()[0]
	for _, kv := range s.Attributes {
		if kv.Key == "http.route" {
			fmt.Println(s.Name, "http.route="+kv.Value.AsString())
		}
	}
	// Output: GET /scans/{id} http.route=/scans/{id}
}
