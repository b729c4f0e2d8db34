package httptrace

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// testMux is the application of the server tests.
func testMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /scans/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "scan %s", r.PathValue("id"))
	})
	mux.HandleFunc("POST /scans", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Test", "created")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "created")
	})
	mux.HandleFunc("GET example.com/hosts/{id}", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("GET /fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	})
	mux.HandleFunc("GET /teapot", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.HandleFunc("GET /static/", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	return mux
}

// serve sends one request through h in process and returns the response.
func serve(h http.Handler, method, target string) *http.Response {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, target, nil))
	return w.Result()
}

// mustMiddleware wraps h in Middleware with opts, and an empty environment
// unless opts give one.
func mustMiddleware(t *testing.T, h http.Handler, opts ...MiddlewareOption) http.Handler {
	t.Helper()
	mh, err := Middleware(h, append([]MiddlewareOption{WithEnv(envMap(nil))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return mh
}

func TestMiddlewareRoutes(t *testing.T) {
	tests := []struct {
		method, target string
		wantName       string
		wantRoute      string // "": no http.route
		wantStatus     int
		wantCode       codes.Code
	}{
		{"GET", "/scans/42", "GET /scans/{id}", "/scans/{id}", 200, codes.Unset},
		{"POST", "/scans", "POST /scans", "/scans", 201, codes.Unset},
		{"GET", "http://example.com/hosts/7", "GET /hosts/{id}", "/hosts/{id}", 200, codes.Unset},
		{"GET", "/nowhere", "GET", "", 404, codes.Unset},
		{"DELETE", "/scans/42", "DELETE", "", 405, codes.Unset},
		{"PURGE", "/scans/42", "HTTP", "", 405, codes.Unset},
		{"GET", "/teapot", "GET /teapot", "/teapot", 418, codes.Unset},
		{"GET", "/fail", "GET /fail", "/fail", 500, codes.Error},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			tp, exp := newRecorder(t)
			h := mustMiddleware(t, testMux(), WithTracerProvider(tp))
			res := serve(h, tt.method, tt.target)
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.wantStatus)
			}
			s := onlySpan(t, exp)
			if s.Name != tt.wantName {
				t.Errorf("name %q, want %q", s.Name, tt.wantName)
			}
			if s.SpanKind != trace.SpanKindServer {
				t.Errorf("kind %v", s.SpanKind)
			}
			route, ok := attr(s, semconv.HTTPRouteKey)
			if tt.wantRoute == "" && ok {
				t.Errorf("http.route %q, want none", route.AsString())
			}
			if tt.wantRoute != "" && route.AsString() != tt.wantRoute {
				t.Errorf("http.route %q, want %q", route.AsString(), tt.wantRoute)
			}
			if v, _ := attr(s, semconv.HTTPResponseStatusCodeKey); v.AsInt64() != int64(tt.wantStatus) {
				t.Errorf("http.response.status_code %v, want %d", v.String(), tt.wantStatus)
			}
			if v, _ := attr(s, semconv.URLPathKey); !strings.HasSuffix(tt.target, v.AsString()) {
				t.Errorf("url.path %q", v.AsString())
			}
			if s.Status.Code != tt.wantCode {
				t.Errorf("status %v, want %v", s.Status, tt.wantCode)
			}
		})
	}
}

func TestMiddlewareExcluded(t *testing.T) {
	tp, exp := newRecorder(t)
	h := mustMiddleware(t, testMux(),
		WithTracerProvider(tp),
		WithKey("scan-api"),
		WithEnv(envMap(map[string]string{
			"SIGHTLINE_HTTP_EXCLUDED_URLS":          "^/healthz$",
			"SIGHTLINE_HTTP_SCAN_API_EXCLUDED_URLS": " ^/metrics$ ,",
		})),
		WithExcludedURLs("^/static/"),
		WithRequestHook(func(trace.Span, *http.Request) { t.Error("RequestHook called for an excluded URL") }),
	)
	for _, target := range []string{"/healthz", "/metrics", "/static/app.css"} {
		res := serve(h, "GET", target)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || string(body) != "ok" {
			t.Errorf("%s: %d %q", target, res.StatusCode, body)
		}
	}
	if n := len(exp.GetSpans()); n != 0 {
		t.Fatalf("%d spans for excluded URLs: %v", n, spanNames(exp.GetSpans()))
	}
	h = mustMiddleware(t, testMux(), WithTracerProvider(tp), WithEnv(envMap(map[string]string{"SIGHTLINE_HTTP_EXCLUDED_URLS": "^/healthz$"})))
	serve(h, "GET", "/metrics")
	if s := onlySpan(t, exp); s.Name != "GET /metrics" {
		t.Errorf("span %q", s.Name)
	}
}

func TestMiddlewareHooks(t *testing.T) {
	tp, exp := newRecorder(t)
	var hooks hookSpans
	var recording []bool
	h := mustMiddleware(t, testMux(),
		WithTracerProvider(tp),
		WithRequestHook(func(span trace.Span, r *http.Request) {
			recording = append(recording, span.IsRecording())
			hooks.requestHook(span, r)
		}),
		WithResponseHook(func(span trace.Span, info ResponseInfo) {
			recording = append(recording, span.IsRecording())
			hooks.responseHook(span, info)
		}),
	)
	serve(h, "POST", "/scans")
	s := onlySpan(t, exp)
	if len(hooks.request) != 1 || !hooks.request[0].Equal(s.SpanContext) {
		t.Errorf("RequestHook spans %v, want [%v]", hooks.request, s.SpanContext)
	}
	if len(hooks.response) != 1 || !hooks.response[0].Equal(s.SpanContext) {
		t.Errorf("ResponseHook spans %v, want [%v]", hooks.response, s.SpanContext)
	}
	if len(recording) != 2 || !recording[0] || !recording[1] {
		t.Errorf("span recording in hooks: %v", recording)
	}
	info := hooks.infos[0]
	if info.Status != 201 || info.Size != int64(len("created")) || info.Header.Get("X-Test") != "created" {
		t.Errorf("ResponseInfo %+v", info)
	}
	if info.Request == nil || info.Request.Pattern != "POST /scans" ||
		!trace.SpanContextFromContext(info.Request.Context()).Equal(s.SpanContext) {
		t.Errorf("ResponseInfo.Request %+v", info.Request)
	}

	// A handler that writes nothing answers 200.
	hooks = hookSpans{}
	serve(h, "GET", "http://example.com/hosts/1")
	if info := hooks.infos[0]; info.Status != 200 || info.Size != 0 {
		t.Errorf("ResponseInfo of an empty response %+v", info)
	}
}

func TestMiddlewareSpanDetails(t *testing.T) {
	tp, exp := newRecorder(t)
	mp, reader := newMeter(t)
	var patterns, hookPatterns []string
	h := mustMiddleware(t, testMux(),
		WithTracerProvider(tp),
		WithMeterProvider(mp),
		WithResponseHook(func(_ trace.Span, info ResponseInfo) {
			hookPatterns = append(hookPatterns, info.Request.Pattern)
		}),
		WithSpanDetails(func(r *http.Request) (string, []attribute.KeyValue) {
			patterns = append(patterns, r.Pattern)
			if r.Pattern == "" {
				return "", []attribute.KeyValue{attribute.Bool("app.routed", false)}
			}
			return "scan " + r.PathValue("id"), []attribute.KeyValue{attribute.String("scan.id", r.PathValue("id"))}
		}),
	)
	serve(h, "GET", "/scans/7")
	serve(h, "GET", "/nowhere")
	if len(patterns) != 2 || patterns[0] != "GET /scans/{id}" || patterns[1] != "" {
		t.Errorf("SpanDetails saw patterns %q", patterns)
	}
	if len(hookPatterns) != 2 || hookPatterns[0] != "GET /scans/{id}" {
		t.Errorf("ResponseHook saw patterns %q", hookPatterns)
	}
	s := spanNamed(t, exp, "scan 7")
	if v, _ := attr(s, "scan.id"); v.AsString() != "7" {
		t.Errorf("scan.id %q", v.AsString())
	}
	if v, _ := attr(s, semconv.HTTPRouteKey); v.AsString() != "/scans/{id}" {
		t.Errorf("http.route %q", v.AsString())
	}
	s = spanNamed(t, exp, "GET")
	if v, ok := attr(s, "app.routed"); !ok || v.AsBool() {
		t.Errorf("app.routed %v %v", v.String(), ok)
	}
	// The route reaches the metrics through otelhttp's labeler.
	points := histogramPoints[float64](t, collect(t, reader), "http.server.request.duration")
	if len(points) != 2 {
		t.Fatalf("%d duration data points, want 2: %v", len(points), pointAttrs(points))
	}
	if p := pointWith(t, points, semconv.HTTPRouteKey, "/scans/{id}"); p.Count != 1 {
		t.Errorf("duration count of /scans/{id}: %d, want 1", p.Count)
	}
	if p := pointWith(t, points, semconv.HTTPRouteKey, ""); p.Count != 1 {
		t.Errorf("duration count without a route: %d, want 1", p.Count)
	}
}

func TestMiddlewareMetrics(t *testing.T) {
	tp, _ := newRecorder(t)
	mp, reader := newMeter(t)
	h := mustMiddleware(t, testMux(), WithTracerProvider(tp), WithMeterProvider(mp), WithExcludedURLs("^/healthz$"))
	serve(h, "GET", "/scans/1")
	serve(h, "GET", "/scans/2")
	serve(h, "GET", "/fail")
	serve(h, "GET", "/nowhere")
	serve(h, "GET", "/healthz") // excluded: no measurement
	rm := collect(t, reader)

	want := []string{
		"http.server.active_requests",
		"http.server.request.body.size",
		"http.server.request.duration",
		"http.server.response.body.size",
	}
	if got := metricNames(rm); !slices.Equal(got, want) {
		t.Errorf("metrics %v, want %v", got, want)
	}
	if _, scope, _ := metricNamed(rm, "http.server.request.duration"); scope.Name != otelhttp.ScopeName {
		t.Errorf("http.server.request.duration in scope %q, want otelhttp's", scope.Name)
	}

	durations := histogramPoints[float64](t, rm, "http.server.request.duration")
	if len(durations) != 3 {
		t.Errorf("%d duration data points, want 3: %v", len(durations), pointAttrs(durations))
	}
	for _, tt := range []struct {
		route  string // "": no http.route
		status int64
		count  uint64
	}{
		{"/scans/{id}", 200, 2},
		{"/fail", 500, 1},
		{"", 404, 1},
	} {
		p := pointWith(t, durations, semconv.HTTPRouteKey, tt.route)
		if v, _ := p.Attributes.Value(semconv.HTTPResponseStatusCodeKey); v.AsInt64() != tt.status {
			t.Errorf("route %q: http.response.status_code %d, want %d", tt.route, v.AsInt64(), tt.status)
		}
		if v, _ := p.Attributes.Value(semconv.HTTPRequestMethodKey); v.AsString() != "GET" {
			t.Errorf("route %q: http.request.method %q", tt.route, v.AsString())
		}
		if p.Count != tt.count {
			t.Errorf("route %q: count %d, want %d", tt.route, p.Count, tt.count)
		}
		if p.Sum < 0 {
			t.Errorf("route %q: duration sum %v", tt.route, p.Sum)
		}
	}

	sizes := histogramPoints[int64](t, rm, "http.server.response.body.size")
	p := pointWith(t, sizes, semconv.HTTPRouteKey, "/scans/{id}")
	if p.Count != 2 || p.Sum != int64(len("scan 1")+len("scan 2")) {
		t.Errorf("response body size of /scans/{id}: count %d sum %d", p.Count, p.Sum)
	}

	// Every request ended; the excluded one was never counted.
	if got := activeSum(t, reader); !maps.Equal(got, map[string]int64{activeGetHTTP: 0}) {
		t.Errorf("active requests %v", got)
	}
}

const (
	activeGetHTTP   = "http.request.method=GET,url.scheme=http"
	activeGetHTTPS  = "http.request.method=GET,url.scheme=https"
	activePostHTTP  = "http.request.method=POST,url.scheme=http"
	activeOtherHTTP = "http.request.method=_OTHER,url.scheme=http"
)

// blockingMux serves GET /block/{name} and POST /block/{name}: the handler
// reports on started that it runs, then waits for release to be closed.
func blockingMux(started chan<- string, release <-chan struct{}) *http.ServeMux {
	mux := http.NewServeMux()
	block := func(w http.ResponseWriter, r *http.Request) {
		started <- r.PathValue("name")
		<-release
	}
	mux.HandleFunc("GET /block/{name}", block)
	mux.HandleFunc("POST /block/{name}", block)
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	return mux
}

func TestMiddlewareActiveRequests(t *testing.T) {
	tp, _ := newRecorder(t)
	mp, reader := newMeter(t)
	started := make(chan string)
	release := make(chan struct{})
	h := mustMiddleware(t, blockingMux(started, release),
		WithTracerProvider(tp),
		WithMeterProvider(mp),
		WithExcludedURLs("^/block/excluded$"),
	)
	if got := activeSum(t, reader); len(got) != 0 {
		t.Errorf("active requests before any request: %v", got)
	}

	var wg sync.WaitGroup
	start := func(method, target string) {
		wg.Go(func() { serve(h, method, target) })
		<-started
	}

	// An excluded request is not counted, even while it runs.
	start("GET", "/block/excluded")
	if got := activeSum(t, reader); len(got) != 0 {
		t.Errorf("active requests while an excluded request runs: %v", got)
	}

	start("GET", "/block/a")
	if got := activeSum(t, reader); !maps.Equal(got, map[string]int64{activeGetHTTP: 1}) {
		t.Errorf("active requests while one GET runs: %v", got)
	}
	start("GET", "/block/b")
	start("POST", "/block/c")
	start("GET", "https://example.com/block/d")
	want := map[string]int64{activeGetHTTP: 2, activePostHTTP: 1, activeGetHTTPS: 1}
	if got := activeSum(t, reader); !maps.Equal(got, want) {
		t.Errorf("active requests while four requests run: %v, want %v", got, want)
	}

	close(release)
	wg.Wait()
	want = map[string]int64{activeGetHTTP: 0, activePostHTTP: 0, activeGetHTTPS: 0}
	if got := activeSum(t, reader); !maps.Equal(got, want) {
		t.Errorf("active requests after the requests ended: %v, want %v", got, want)
	}

	// A handler that panics is no longer active.
	func() {
		defer func() { _ = recover() }()
		serve(h, "GET", "/panic")
	}()
	// A non-standard method is _OTHER; the mux answers 405 at once.
	serve(h, "PURGE", "/block/e")
	want = map[string]int64{activeGetHTTP: 0, activePostHTTP: 0, activeGetHTTPS: 0, activeOtherHTTP: 0}
	if got := activeSum(t, reader); !maps.Equal(got, want) {
		t.Errorf("active requests after a panic and a PURGE: %v, want %v", got, want)
	}
}

func TestActiveMethodIndex(t *testing.T) {
	for method, want := range map[string]string{
		"GET": "GET", "get": "GET", "Post": "POST", "OPTIONS": "OPTIONS", "TRACE": "TRACE",
		"PURGE": "_OTHER", "": "_OTHER", "GETS": "_OTHER",
	} {
		if got := activeMethods[activeMethodIndex(method)]; got != want {
			t.Errorf("%q: %q, want %q", method, got, want)
		}
	}
}

// failingMeterProvider makes meters whose up-down counters fail.
type failingMeterProvider struct{ noop.MeterProvider }

func (failingMeterProvider) Meter(string, ...metric.MeterOption) metric.Meter { return failingMeter{} }

type failingMeter struct{ noop.Meter }

func (failingMeter) Int64UpDownCounter(string, ...metric.Int64UpDownCounterOption) (metric.Int64UpDownCounter, error) {
	return nil, errBadInstrument
}

var errBadInstrument = errors.New("bad instrument")

func TestMiddlewareInstrumentError(t *testing.T) {
	h, err := Middleware(testMux(), WithMeterProvider(failingMeterProvider{}), WithEnv(envMap(nil)))
	if h != nil || !errors.Is(err, errBadInstrument) {
		t.Fatalf("Middleware: %v, %v; want the instrument error", h, err)
	}
	const want = "httptrace: Middleware: creating the http.server.active_requests instrument: bad instrument"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestMiddlewarePropagation(t *testing.T) {
	tp, exp := newRecorder(t)
	h := mustMiddleware(t, testMux(), WithTracerProvider(tp), WithPropagator(propagation.TraceContext{}))
	req := httptest.NewRequest("GET", "/scans/1", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), req)
	s := onlySpan(t, exp)
	if got := s.SpanContext.TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("trace id %s", got)
	}
	if got := s.Parent.SpanID().String(); got != "00f067aa0ba902b7" || !s.Parent.IsRemote() {
		t.Errorf("parent %s remote=%v", got, s.Parent.IsRemote())
	}
}

func TestMiddlewarePanic(t *testing.T) {
	tp, exp := newRecorder(t)
	responseHook := false
	h := mustMiddleware(t, testMux(),
		WithTracerProvider(tp),
		WithResponseHook(func(trace.Span, ResponseInfo) { responseHook = true }),
	)
	got := func() (v any) {
		defer func() { v = recover() }()
		serve(h, "GET", "/panic")
		return nil
	}()
	if got != "boom" {
		t.Fatalf("panic value %v, want boom", got)
	}
	s := onlySpan(t, exp)
	if s.Name != "GET /panic" || s.Status.Code != codes.Error || s.Status.Description != "panic: boom" {
		t.Errorf("span %q status %+v", s.Name, s.Status)
	}
	if len(s.Events) != 1 || s.Events[0].Name != "exception" {
		t.Fatalf("events %+v", s.Events)
	}
	if responseHook {
		t.Error("ResponseHook called after a panic")
	}
}
