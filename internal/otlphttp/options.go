package otlphttp

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

// Option configures a [Sender] or a [Client].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	headers        map[string]string
	timeout        time.Duration
	gzip           bool
	client         *http.Client
	backoffInitial time.Duration
	backoffMax     time.Duration
	noRetry        bool
}

func newConfig(opts []Option) config {
	c := config{
		timeout:        defaultTimeout,
		backoffInitial: defaultBackoffInitial,
		backoffMax:     defaultBackoffMax,
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
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
// Content-Type and Content-Encoding are set by the sender and cannot be
// overridden. Repeated use merges the maps.
func WithHeaders(headers map[string]string) Option {
	h := maps.Clone(headers)
	return optionFunc(func(c *config) {
		if c.headers == nil {
			c.headers = make(map[string]string, len(h))
		}
		maps.Copy(c.headers, h)
	})
}

// WithTimeout bounds each send, all retries and waits included. The
// default is 10s; a value <= 0 keeps the default.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.timeout = d
		}
	})
}

// WithGzip compresses request bodies with gzip (Content-Encoding: gzip).
func WithGzip() Option {
	return optionFunc(func(c *config) { c.gzip = true })
}

// WithHTTPClient sends requests with client instead of a private client.
// The client's own Timeout, if any, applies per attempt in addition to
// [WithTimeout]. Shutdown closes the client's idle connections.
func WithHTTPClient(client *http.Client) Option {
	return optionFunc(func(c *config) {
		if client != nil {
			c.client = client
		}
	})
}

// WithBackoff sets the retry backoff: the first wait (default 100ms) and the
// cap it doubles up to (default 5s); each wait is drawn from [d/2, d] and a
// Retry-After the server sends is a lower bound. A value <= 0 keeps its
// default.
func WithBackoff(initial, maxDelay time.Duration) Option {
	return optionFunc(func(c *config) {
		if initial > 0 {
			c.backoffInitial = initial
		}
		if maxDelay > 0 {
			c.backoffMax = maxDelay
		}
	})
}

// WithoutRetry makes every send a single attempt: a throttling or
// unavailability response fails it at once. For callers that retry
// on their own terms (sightline's simple-processor breaker).
func WithoutRetry() Option {
	return optionFunc(func(c *config) { c.noRetry = true })
}
