package otlpjson

import (
	"maps"
	"net/http"
	"time"
)

const (
	defaultTimeout        = 10 * time.Second
	defaultBackoffInitial = 100 * time.Millisecond
	defaultBackoffMax     = 5 * time.Second
)

// HTTPOption configures [NewHTTPSpanExporter], [NewHTTPLogExporter] and
// [NewClient].
type HTTPOption interface {
	applyHTTP(*httpConfig)
}

type httpOptionFunc func(*httpConfig)

func (f httpOptionFunc) applyHTTP(c *httpConfig) { f(c) }

type httpConfig struct {
	headers        map[string]string
	timeout        time.Duration
	gzip           bool
	client         *http.Client
	backoffInitial time.Duration
	backoffMax     time.Duration
	noRetry        bool
}

func newHTTPConfig(opts []HTTPOption) httpConfig {
	c := httpConfig{
		timeout:        defaultTimeout,
		backoffInitial: defaultBackoffInitial,
		backoffMax:     defaultBackoffMax,
	}
	for _, o := range opts {
		if o != nil {
			o.applyHTTP(&c)
		}
	}
	if c.client == nil {
		// A private transport, so that Shutdown closing its idle
		// connections affects nobody else.
		c.client = &http.Client{Transport: newTransport()}
	}
	return c
}

func newTransport() http.RoundTripper {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		return t.Clone()
	}
	return &http.Transport{Proxy: http.ProxyFromEnvironment}
}

// WithHeaders adds headers to every request (for example authentication).
// Content-Type and Content-Encoding are set by the exporter and cannot be
// overridden. Repeated use merges the maps.
func WithHeaders(headers map[string]string) HTTPOption {
	h := maps.Clone(headers)
	return httpOptionFunc(func(c *httpConfig) {
		if c.headers == nil {
			c.headers = make(map[string]string, len(h))
		}
		maps.Copy(c.headers, h)
	})
}

// WithTimeout bounds each export, all retries and waits included. The
// default is 10s; a value <= 0 keeps the default.
func WithTimeout(d time.Duration) HTTPOption {
	return httpOptionFunc(func(c *httpConfig) {
		if d > 0 {
			c.timeout = d
		}
	})
}

// WithGzip compresses request bodies with gzip (Content-Encoding: gzip).
func WithGzip() HTTPOption {
	return httpOptionFunc(func(c *httpConfig) { c.gzip = true })
}

// WithHTTPClient sends requests with client instead of a private client.
// The client's own Timeout, if any, applies per attempt in addition to
// [WithTimeout]. Shutdown closes the client's idle connections.
func WithHTTPClient(client *http.Client) HTTPOption {
	return httpOptionFunc(func(c *httpConfig) {
		if client != nil {
			c.client = client
		}
	})
}

// WithBackoff sets the retry backoff: the first wait (default 100ms) and the
// cap it doubles up to (default 5s); each wait is drawn from [d/2, d] and a
// Retry-After the server sends is a lower bound. A value <= 0 keeps its
// default.
func WithBackoff(initial, maxDelay time.Duration) HTTPOption {
	return httpOptionFunc(func(c *httpConfig) {
		if initial > 0 {
			c.backoffInitial = initial
		}
		if maxDelay > 0 {
			c.backoffMax = maxDelay
		}
	})
}

// WithoutRetry makes every export a single attempt: a throttling or
// unavailability response fails the export at once. For callers that retry
// on their own terms (sightline's simple-processor breaker).
func WithoutRetry() HTTPOption {
	return httpOptionFunc(func(c *httpConfig) { c.noRetry = true })
}
