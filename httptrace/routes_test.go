package httptrace

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func TestRouteCache(t *testing.T) {
	var c routeCache
	a := c.get(http.MethodGet, "/scans/{id}")
	if a.name != "GET /scans/{id}" || len(a.attrs) != 1 || a.attrs[0] != attribute.String("http.route", "/scans/{id}") {
		t.Errorf("GET /scans/{id}: %q, %v", a.name, a.attrs)
	}
	if b := c.get("get", "/scans/{id}"); b != a {
		t.Errorf("get (lower case) made a second entry %+v, want GET's", b)
	}
	if o := c.get("PURGE", "/scans/{id}"); o.name != "HTTP /scans/{id}" || c.get("BREW", "/scans/{id}") != o {
		t.Errorf("non-standard methods: %q, want one entry named HTTP /scans/{id}", o.name)
	}
	long := "/" + strings.Repeat("x", maxRouteLen)
	if l := c.get(http.MethodGet, long); l.name != "GET "+long || len(c.m) != 2 {
		t.Errorf("a route of %d bytes: %d bytes of name, %d cached; want it named, not cached", len(long), len(l.name), len(c.m))
	}
	for i := range maxRoutes {
		c.get(http.MethodGet, "/r/"+strconv.Itoa(i))
	}
	if len(c.m) != maxRoutes {
		t.Errorf("%d routes cached, want the bound %d", len(c.m), maxRoutes)
	}
	if over := c.get(http.MethodPost, "/one-too-many"); over.name != "POST /one-too-many" || len(c.m) != maxRoutes {
		t.Errorf("past the bound: %q, %d cached; want the name made anyway, nothing more cached", over.name, len(c.m))
	}
}

func TestRouteCacheSpanName(t *testing.T) {
	var c routeCache
	for _, tc := range []struct{ method, pattern, want string }{
		{"GET", "", "GET"},
		{"post", "", "POST"},
		{"PURGE", "", "HTTP"},
		{"GET", "GET example.com/scans/{id}", "GET /scans/{id}"},
		{"GET", "/scans/", "GET /scans/"},
	} {
		r := httptest.NewRequest(tc.method, "/scans/1", nil)
		r.Pattern = tc.pattern
		if got := c.spanName("", r); got != tc.want {
			t.Errorf("%s with pattern %q: %q, want %q", tc.method, tc.pattern, got, tc.want)
		}
	}
}

// TestMiddlewareAllocatesLessThanOtelhttp checks that what Middleware adds
// to otelhttp's handler (http.route, the span name from the route, the
// active-requests counter) allocates nothing per request once a route has
// been seen: it even saves otelhttp's own span name.
func TestMiddlewareAllocatesLessThanOtelhttp(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts under the race detector vary by a few (its sync.Pool drops items on purpose)")
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	mux := http.NewServeMux()
	mux.HandleFunc("GET /scans/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "scan %s", r.PathValue("id"))
	})
	ours, err := Middleware(mux, WithTracerProvider(tp), WithMeterProvider(mp), WithEnv(func(string) (string, bool) { return "", false }))
	if err != nil {
		t.Fatal(err)
	}
	theirs := otelhttp.NewHandler(mux, "", otelhttp.WithTracerProvider(tp), otelhttp.WithMeterProvider(mp))
	req := httptest.NewRequest(http.MethodGet, "/scans/42", nil)
	allocs := func(h http.Handler) float64 {
		return testing.AllocsPerRun(200, func() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d", w.Code)
			}
		})
	}
	if o, th := allocs(ours), allocs(theirs); o >= th {
		t.Errorf("Middleware: %v allocations per request, otelhttp alone %v; want fewer", o, th)
	}
}
