package httptrace

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

// TestOTelPythonExcludedURLs: a FastAPI/asgi-monitor user's
// OTEL_PYTHON_FASTAPI_EXCLUDED_URLS and OTEL_PYTHON_EXCLUDED_URLS keep
// excluding the same URLs, with OpenTelemetry Python's precedence
// (opentelemetry-util-http get_excluded_urls: the instrumentation's
// variable, when set, replaces the generic one; entries searched in the
// full URL), and add to sightline's own variables and options.
func TestOTelPythonExcludedURLs(t *testing.T) {
	const fastapi, generic = OTelPythonFastAPIExcludedURLsEnv, OTelPythonExcludedURLsEnv
	tests := []struct {
		name   string
		env    map[string]string
		opts   []Option
		url    string
		server bool // excluded by Middleware
		client bool // excluded by Transport
	}{
		// The example of opentelemetry-instrumentation-fastapi's README.
		{"fastapi info", map[string]string{fastapi: "client/.*/info,healthcheck"}, nil, "https://site/client/123/info", true, false},
		{"fastapi healthcheck", map[string]string{fastapi: "client/.*/info,healthcheck"}, nil, "https://site/xyz/healthcheck", true, false},
		{"generic", map[string]string{generic: "healthcheck"}, nil, "http://h/healthcheck", true, true},
		{"fastapi replaces generic", map[string]string{fastapi: "info", generic: "healthcheck"}, nil, "http://h/healthcheck", false, true},
		{"fastapi set empty replaces generic", map[string]string{fastapi: "", generic: "healthcheck"}, nil, "http://h/healthcheck", false, true},
		{"full URL as in Python", map[string]string{generic: `internal\.example\.com/`}, nil, "http://internal.example.com/x", true, true},
		{"sightline's adds", map[string]string{generic: "healthcheck", DefaultExcludedURLsEnv: "^/metrics$"}, nil, "http://h/metrics", true, true},
		{"python adds to sightline's", map[string]string{generic: "healthcheck", DefaultExcludedURLsEnv: "^/metrics$"}, nil, "http://h/healthcheck", true, true},
		{"option adds", map[string]string{generic: "healthcheck"}, []Option{WithExcludedURLs("^/debug$")}, "http://h/debug", true, true},
		{"turned off", map[string]string{generic: "healthcheck", fastapi: "healthcheck"}, []Option{WithOTelPythonEnv(false)}, "http://h/healthcheck", false, false},
		{"unrelated", map[string]string{generic: "healthcheck"}, nil, "http://h/scans/1", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := append([]Option{WithEnv(envMap(tt.env))}, tt.opts...)
			if got := serverExcludes(t, opts, tt.url); got != tt.server {
				t.Errorf("server: excluded %v, want %v", got, tt.server)
			}
			if got := clientExcludes(t, opts, tt.url); got != tt.client {
				t.Errorf("client: excluded %v, want %v", got, tt.client)
			}
		})
	}
}

// serverExcludes serves url through Middleware and reports whether it made
// no span.
func serverExcludes(t *testing.T, opts []Option, url string) bool {
	t.Helper()
	tp, exp := newRecorder(t)
	mopts := []MiddlewareOption{WithTracerProvider(tp)}
	for _, o := range opts {
		mopts = append(mopts, o)
	}
	h, err := Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), mopts...)
	if err != nil {
		t.Fatal(err)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, url, nil))
	return len(exp.GetSpans()) == 0
}

// clientExcludes sends url through Transport and reports whether it made
// no span.
func clientExcludes(t *testing.T, opts []Option, url string) bool {
	t.Helper()
	tp, exp := newRecorder(t)
	topts := []TransportOption{WithTracerProvider(tp)}
	for _, o := range opts {
		topts = append(topts, o)
	}
	base := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Header: http.Header{}}, nil
	})
	rt, err := Transport(base, topts...)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(trace.ContextWithSpanContext(context.Background(), trace.SpanContext{}), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	return len(exp.GetSpans()) == 0
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestOTelPythonExcludedURLsInvalid: a bad regular expression of an
// OpenTelemetry Python variable is an error naming it and the value, from
// Middleware, Transport and Validate.
func TestOTelPythonExcludedURLsInvalid(t *testing.T) {
	for _, name := range []string{OTelPythonFastAPIExcludedURLsEnv, OTelPythonExcludedURLsEnv} {
		err := Validate(WithEnv(envMap(map[string]string{name: "ok,(bad"})))
		var ee *ExcludedURLError
		if !errors.As(err, &ee) || ee.Source != name || ee.Value != "(bad" {
			t.Errorf("%s: Validate = %v, want an ExcludedURLError from it for (bad", name, err)
		}
	}
	_, err := Transport(nil, WithEnv(envMap(map[string]string{OTelPythonExcludedURLsEnv: "["})))
	if err == nil {
		t.Error("Transport: no error for a bad OTEL_PYTHON_EXCLUDED_URLS")
	}
}
