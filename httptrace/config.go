package httptrace

import (
	"errors"
	"os"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"

	"github.com/sightline-dev/sightline/internal/propagators"
)

// DefaultExcludedURLsEnv is the environment variable read for excluded URLs
// unless WithExcludedURLsEnv names another. It applies to every application
// of the process; SIGHTLINE_HTTP_<KEY>_EXCLUDED_URLS applies to one (see
// WithKey).
const DefaultExcludedURLsEnv = "SIGHTLINE_HTTP_EXCLUDED_URLS"

// Validate reads the environment and compiles every excluded URL regular
// expression that opts give, and reports each bad one: an *ExcludedURLError
// naming its source, its value and the regexp error (several are joined).
// Middleware and Transport do the same and return the same error; Validate
// lets a program check its settings at startup, before it builds either.
func Validate(opts ...Option) error {
	c := optionsConfig(opts)
	_, err := c.excluded()
	if err != nil {
		return err
	}
	c.client = true // the client reads OTEL_PYTHON_EXCLUDED_URLS even when the server does not
	_, err = c.excluded()
	return err
}

// ExcludedURLsEnvNames returns sightline's environment variables that
// Middleware and Transport with opts read for excluded URLs: the generic
// one, then the application's one when WithKey is given. OpenTelemetry
// Python's (OTelPythonExcludedURLsEnv, OTelPythonFastAPIExcludedURLsEnv)
// are read besides, unless WithOTelPythonEnv(false).
func ExcludedURLsEnvNames(opts ...Option) []string {
	c := optionsConfig(opts)
	return c.envNames()
}

func optionsConfig(opts []Option) httpConfig {
	var c httpConfig
	for _, o := range opts {
		if o != nil {
			o.applyMiddleware(&c)
		}
	}
	return c
}

func (c *httpConfig) envNames() []string {
	generic := c.excludedURLsEnv
	if generic == "" {
		generic = DefaultExcludedURLsEnv
	}
	names := []string{generic}
	if c.key != "" {
		names = append(names, "SIGHTLINE_HTTP_"+envKey(c.key)+"_EXCLUDED_URLS")
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
func (c *httpConfig) excluded() (*matcher, error) {
	getenv := c.getenv
	if getenv == nil {
		getenv = os.LookupEnv
	}
	m := &matcher{}
	var errs []error
	for _, name := range c.envNames() {
		v, _ := getenv(name)
		res, err := parseExcludedList(name, v)
		errs = append(errs, err)
		m.add(res...)
	}
	errs = append(errs, c.otelPythonExcluded(m, getenv))
	for i, p := range c.excludedURLs {
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
// propagator, then extra, then those of WithOTelHTTPOptions.
func (c *httpConfig) otelOptions(extra ...otelhttp.Option) []otelhttp.Option {
	opts := make([]otelhttp.Option, 0, 3+len(extra)+len(c.otelOpts))
	if c.tp != nil {
		opts = append(opts, otelhttp.WithTracerProvider(c.tp))
	}
	if c.mp != nil {
		opts = append(opts, otelhttp.WithMeterProvider(c.mp))
	}
	if c.prop != nil {
		opts = append(opts, otelhttp.WithPropagators(c.prop))
	}
	opts = append(opts, extra...)
	return append(opts, c.otelOpts...)
}

// propagator returns the configured propagator, else the global one when
// something installed it, else W3C trace context and baggage.
func (c *httpConfig) propagator() propagation.TextMapPropagator { return propagators.OrDefault(c.prop) }
