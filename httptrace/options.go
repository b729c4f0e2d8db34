package httptrace

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// MiddlewareOption configures Middleware.
type MiddlewareOption interface{ applyMiddleware(*httpConfig) }

// TransportOption configures Transport.
type TransportOption interface{ applyTransport(*httpConfig) }

// Option configures Middleware and Transport alike: every With... of this
// file is one, so that one option value is written once for both, the way
// asgi-monitor's TracingConfig serves both. The options of function and
// iterator spans are SpanOptions: they do not compile here, nor these
// there.
type Option interface {
	MiddlewareOption
	TransportOption
}

// httpConfig is what Middleware and Transport take. Its zero value is
// ready: global providers and propagator, no hooks, and the excluded URLs
// of DefaultExcludedURLsEnv read with os.LookupEnv.
type httpConfig struct {
	key             string
	excludedURLs    []string
	excludedURLsEnv string                           // "": DefaultExcludedURLsEnv
	getenv          func(name string) (string, bool) // nil: os.LookupEnv
	spanDetails     func(r *http.Request) (name string, attrs []attribute.KeyValue)
	route           func(r *http.Request) string // nil: the ServeMux pattern only
	noOTelPython    bool                         // WithOTelPythonEnv(false)
	client          bool                         // set by Transport: the client's variables
	requestHook     func(span trace.Span, r *http.Request)
	responseHook    func(span trace.Span, info ResponseInfo)
	tp              trace.TracerProvider          // nil: otelhttp's default
	mp              metric.MeterProvider          // nil: the global one
	prop            propagation.TextMapPropagator // nil: the global one
	otelOpts        []otelhttp.Option
}

type httpOption func(*httpConfig)

func (o httpOption) applyMiddleware(c *httpConfig) { o(c) }
func (o httpOption) applyTransport(c *httpConfig)  { o(c) }

func middlewareConfig(opts []MiddlewareOption) httpConfig {
	var c httpConfig
	for _, o := range opts {
		if o != nil {
			o.applyMiddleware(&c)
		}
	}
	return c
}

func transportConfig(opts []TransportOption) httpConfig {
	c := httpConfig{client: true}
	for _, o := range opts {
		if o != nil {
			o.applyTransport(&c)
		}
	}
	return c
}

// WithKey names the application. The environment variable
// SIGHTLINE_HTTP_<KEY>_EXCLUDED_URLS is then read as well as the generic
// one, KEY being key upper-cased with every character outside [A-Z0-9]
// replaced by '_' ("scan-api" reads SIGHTLINE_HTTP_SCAN_API_EXCLUDED_URLS).
// Default: none.
func WithKey(key string) Option {
	return httpOption(func(c *httpConfig) { c.key = key })
}

// WithExcludedURLs adds regular expressions (Go RE2 syntax, one per
// argument) of requests that get no span. They add to the ones of the
// environment and of earlier WithExcludedURLs; blank ones are skipped. See
// the package documentation for what a regular expression is matched
// against.
func WithExcludedURLs(patterns ...string) Option {
	return httpOption(func(c *httpConfig) { c.excludedURLs = append(c.excludedURLs, patterns...) })
}

// WithExcludedURLsEnv names the generic environment variable of excluded
// URLs, a comma-separated list of regular expressions. Default (and ""):
// DefaultExcludedURLsEnv.
func WithExcludedURLsEnv(name string) Option {
	return httpOption(func(c *httpConfig) { c.excludedURLsEnv = name })
}

// WithEnv sets how the environment is read, with the module's getenv shape
// (telemetry.Getenv's): the value and whether the variable is set. Default
// (and nil): os.LookupEnv.
func WithEnv(getenv func(name string) (string, bool)) Option {
	return httpOption(func(c *httpConfig) { c.getenv = getenv })
}

// WithSpanDetails sets a function that gives the span name and extra
// attributes of a request. An empty name keeps the default one. On the
// server it is called once, after the handler returned, so that r.Pattern
// holds the route the ServeMux matched; on the client it is called once,
// before the request is sent. Default: none.
func WithSpanDetails(f func(r *http.Request) (name string, attrs []attribute.KeyValue)) Option {
	return httpOption(func(c *httpConfig) { c.spanDetails = f })
}

// WithRoute sets a function that gives the route template of a request
// ("/scans/{id}") for routers other than net/http's ServeMux: chi's
// chi.RouteContext(r.Context()).RoutePattern(), gorilla/mux's
// mux.CurrentRoute(r).GetPathTemplate() (docs/http-tracing.md). It is
// called once, after the handler returned (so a router that routes inside
// Middleware's handler has matched), with the request as the handler got
// it from Middleware; the route names the span ("GET /scans/{id}") and is
// its http.route and the metrics'. An empty route falls back to the
// ServeMux's pattern (Request.Pattern), then to the method alone. Server
// only: Transport ignores it. Default: none.
func WithRoute(f func(r *http.Request) string) Option {
	return httpOption(func(c *httpConfig) { c.route = f })
}

// WithOTelPythonEnv sets whether the excluded URLs of OpenTelemetry
// Python's variables are read as well as sightline's: on the server
// OTEL_PYTHON_FASTAPI_EXCLUDED_URLS when it is set, else
// OTEL_PYTHON_EXCLUDED_URLS; on the client OTEL_PYTHON_EXCLUDED_URLS.
// Default: on.
func WithOTelPythonEnv(on bool) Option {
	return httpOption(func(c *httpConfig) { c.noOTelPython = !on })
}

// WithRequestHook sets a function called with the span of the request
// before the handler runs (server) or before the request is sent (client,
// after the trace context was injected in its header). Default: none.
func WithRequestHook(f func(span trace.Span, r *http.Request)) Option {
	return httpOption(func(c *httpConfig) { c.requestHook = f })
}

// WithResponseHook sets a function called with the span of the request and
// what is known of the response, before the span ends: after the handler
// returned (server) or when the response header arrived (client). Default:
// none.
func WithResponseHook(f func(span trace.Span, info ResponseInfo)) Option {
	return httpOption(func(c *httpConfig) { c.responseHook = f })
}

// WithTracerProvider sets what makes the spans. Default (and nil):
// otelhttp's default, the provider of the span in the request's context,
// else the global one. Function and iterator spans take a tracer instead
// (WithTracer).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return httpOption(func(c *httpConfig) { c.tp = tp })
}

// WithMeterProvider sets what makes otelhttp's metrics
// (http.server.request.duration, http.client.request.duration, body sizes)
// and Middleware's http.server.active_requests. Default (and nil): the
// global one. (An otelhttp.WithMeterProvider in WithOTelHTTPOptions
// reaches otelhttp's metrics only.)
func WithMeterProvider(mp metric.MeterProvider) Option {
	return httpOption(func(c *httpConfig) { c.mp = mp })
}

// WithPropagator sets how the trace context is extracted from an incoming
// request (server) and injected in an outgoing one (client). Default (and
// nil): the global propagator when a program installed one, else W3C trace
// context and baggage (read when the middleware or transport is made).
func WithPropagator(p propagation.TextMapPropagator) Option {
	return httpOption(func(c *httpConfig) { c.prop = p })
}

// WithOTelHTTPOptions adds otelhttp options (WithServerName,
// WithPublicEndpointFn, WithMessageEvents, ...), applied after the ones the
// other options make; one that replaces what they do (for example
// WithSpanNameFormatter) takes precedence.
func WithOTelHTTPOptions(opts ...otelhttp.Option) Option {
	return httpOption(func(c *httpConfig) { c.otelOpts = append(c.otelOpts, opts...) })
}

// ResponseInfo is what a response hook (WithResponseHook) learns of a
// response.
type ResponseInfo struct {
	// Status is the HTTP status code: the one the handler wrote, 200 when
	// it wrote none (server); the response's status, 0 when there is no
	// response (client).
	Status int

	// Header is the response header: the handler's, as it stood when the
	// handler returned (server); the response's (client). Nil when there is
	// no response.
	Header http.Header

	// Size is the number of body bytes the handler wrote (server), or the
	// response's Content-Length, -1 when unknown (client).
	Size int64

	// Request is the request: after routing, with Pattern set (server);
	// the outgoing request, trace context injected (client). Its context
	// holds the span, so a logger called with it correlates.
	Request *http.Request

	// Err is the error of the round trip (client only); Status, Header and
	// Size are zero then.
	Err error
}
