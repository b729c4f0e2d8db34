package httptrace

import (
	"errors"
	"net/http"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// DefaultExcludedURLsEnv is the environment variable read for excluded URLs
// when Config.ExcludedURLsEnv is empty. It applies to every application of
// the process; SIGHTLINE_HTTP_<KEY>_EXCLUDED_URLS applies to one
// (see Config.Key).
const DefaultExcludedURLsEnv = "SIGHTLINE_HTTP_EXCLUDED_URLS"

// Config is the one configuration object of the HTTP tracing middleware and
// transport, in the manner of asgi-monitor's TracingConfig. The zero value
// is ready to use: global providers and propagators, no hooks, and the
// excluded URLs of SIGHTLINE_HTTP_EXCLUDED_URLS.
//
// A Config is read once, by Middleware, Transport or Validate; changing it
// afterwards changes nothing already built.
type Config struct {
	// Key names the application. When set, the environment variable
	// SIGHTLINE_HTTP_<KEY>_EXCLUDED_URLS is read as well as the generic one,
	// KEY being Key upper-cased with every character outside [A-Z0-9]
	// replaced by '_' ("scan-api" reads SIGHTLINE_HTTP_SCAN_API_EXCLUDED_URLS).
	Key string

	// ExcludedURLs are regular expressions (Go RE2 syntax, one per entry,
	// commas allowed) of requests that get no span. They add to the ones
	// of the environment. Empty entries are skipped. See the package
	// documentation for what a regular expression is matched against.
	ExcludedURLs []string

	// ExcludedURLsEnv is the name of the generic environment variable of
	// excluded URLs, a comma-separated list of regular expressions.
	// Empty means DefaultExcludedURLsEnv.
	ExcludedURLsEnv string

	// Getenv reads the environment; nil means os.Getenv. Tests set it.
	Getenv func(string) string

	// SpanDetails, when set, gives the span name and extra attributes of a
	// request. An empty name keeps the default one. On the server it is
	// called once, after the handler returned, so that r.Pattern holds the
	// route the ServeMux matched; on the client it is called once, before
	// the request is sent.
	SpanDetails func(r *http.Request) (name string, attrs []attribute.KeyValue)

	// RequestHook, when set, is called with the span of the request before
	// the handler runs (server) or before the request is sent (client,
	// after the trace context was injected in its header).
	RequestHook func(span trace.Span, r *http.Request)

	// ResponseHook, when set, is called with the span of the request and
	// what is known of the response, before the span ends: after the
	// handler returned (server) or when the response header arrived
	// (client).
	ResponseHook func(span trace.Span, info ResponseInfo)

	// TracerProvider makes the spans. Nil: otelhttp's default, the provider
	// of the span in the request's context, else the global one.
	TracerProvider trace.TracerProvider

	// MeterProvider makes otelhttp's metrics (http.server.request.duration,
	// http.client.request.duration, body sizes) and Middleware's
	// http.server.active_requests. Nil: the global one. (An
	// otelhttp.WithMeterProvider in Options reaches otelhttp's metrics
	// only.)
	MeterProvider metric.MeterProvider

	// Propagators extract the incoming trace context (server) and inject
	// the outgoing one (client). Nil: the global one.
	Propagators propagation.TextMapPropagator

	// Options are further otelhttp options (WithServerName,
	// WithPublicEndpointFn, WithMessageEvents, ...), applied after the ones
	// this Config makes; one that replaces what the Config does (for
	// example WithSpanNameFormatter) takes precedence.
	Options []otelhttp.Option
}

// ResponseInfo is what a ResponseHook learns of a response.
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

// Validate reads the environment and compiles every excluded URL regular
// expression, and reports each bad one: an *ExcludedURLError naming its
// source, its value and the regexp error (several are joined). Middleware
// and Transport do the same and return the same error.
func (c Config) Validate() error {
	_, err := c.excluded()
	return err
}

// ExcludedURLsEnvNames returns the environment variables read for excluded
// URLs: the generic one, then the application's one when Key is set.
func (c Config) ExcludedURLsEnvNames() []string {
	generic := c.ExcludedURLsEnv
	if generic == "" {
		generic = DefaultExcludedURLsEnv
	}
	names := []string{generic}
	if c.Key != "" {
		names = append(names, "SIGHTLINE_HTTP_"+envKey(c.Key)+"_EXCLUDED_URLS")
	}
	return names
}

// envKey upper-cases key and replaces every character outside [A-Z0-9]
// with '_'.
func envKey(key string) string {
	var b strings.Builder
	b.Grow(len(key))
	for _, r := range strings.ToUpper(key) {
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// excluded builds the matcher of the environment's and the code's excluded
// URLs.
func (c Config) excluded() (*matcher, error) {
	getenv := c.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	m := &matcher{}
	var errs []error
	for _, name := range c.ExcludedURLsEnvNames() {
		res, err := parseExcludedList(name, getenv(name))
		errs = append(errs, err)
		m.add(res...)
	}
	for i, p := range c.ExcludedURLs {
		re, err := compileExcluded(codeSource(i), p)
		errs = append(errs, err)
		if re != nil {
			m.add(re)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return m, nil
}

// otelOptions returns the otelhttp options of the providers and
// propagators, then extra, then c.Options.
func (c Config) otelOptions(extra ...otelhttp.Option) []otelhttp.Option {
	opts := make([]otelhttp.Option, 0, 3+len(extra)+len(c.Options))
	if c.TracerProvider != nil {
		opts = append(opts, otelhttp.WithTracerProvider(c.TracerProvider))
	}
	if c.MeterProvider != nil {
		opts = append(opts, otelhttp.WithMeterProvider(c.MeterProvider))
	}
	if c.Propagators != nil {
		opts = append(opts, otelhttp.WithPropagators(c.Propagators))
	}
	opts = append(opts, extra...)
	return append(opts, c.Options...)
}

// propagators returns c.Propagators or the global one.
func (c Config) propagators() propagation.TextMapPropagator {
	if c.Propagators != nil {
		return c.Propagators
	}
	return otel.GetTextMapPropagator()
}
