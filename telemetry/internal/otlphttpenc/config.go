package otlphttpenc

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

// Config is what an [Exporter] is built from. Start from [DefaultConfig]:
// the zero Config has retries disabled.
type Config struct {
	// URL is where spans are posted, an http:// or https:// URL used as
	// given (it should end in /v1/traces). Required.
	URL string
	// Headers are added to every request (authentication, for example).
	// They may replace User-Agent, as in the SDK, but not Content-Type or
	// Content-Encoding. Nil means none.
	Headers map[string]string
	// Timeout bounds one export, every attempt and wait between attempts
	// included. Zero means otlpretry.DefaultTimeout (10 s); negative is
	// invalid.
	Timeout time.Duration
	// Gzip compresses request bodies (Content-Encoding: gzip). False sends
	// them as they are, the SDK's default.
	Gzip bool
	// TLS is the client TLS configuration for an https URL, cloned (the
	// telemetry package builds it from OTEL_EXPORTER_OTLP_*CERTIFICATE and
	// _CLIENT_KEY). Nil means the system's roots. Only with the default
	// client.
	TLS *tls.Config
	// Retry is how 429, 502, 503 and 504 answers and temporary transport
	// errors are retried, the server's Retry-After being the least wait.
	// The zero RetryConfig makes single attempts.
	Retry otlpretry.RetryConfig
	// HTTPClient sends the requests. Nil means a client of the exporter's
	// own with a dedicated transport (the SDK's settings), whose idle
	// connections Shutdown closes.
	HTTPClient *http.Client
}

// DefaultConfig is the SDK's otlptracehttp defaults for url: a 10 s
// timeout and retries from 5 s up to 30 s for at most a minute (which
// the timeout cuts to 10 s).
func DefaultConfig(url string) Config {
	return Config{URL: url, Timeout: otlpretry.DefaultTimeout, Retry: otlpretry.DefaultRetryConfig()}
}

// Validate reports the first setting that cannot be used, naming it and
// its value.
func (c Config) Validate() error {
	if _, err := c.parseURL(); err != nil {
		return err
	}
	if c.Timeout < 0 {
		return fmt.Errorf("otlphttpenc: timeout %v: want >= 0", c.Timeout)
	}
	if err := c.Retry.Validate(); err != nil {
		return fmt.Errorf("otlphttpenc: %w", err)
	}
	if c.HTTPClient != nil && c.TLS != nil {
		return fmt.Errorf("otlphttpenc: TLS settings with an HTTP client of the caller's: configure its transport instead")
	}
	return nil
}

func (c Config) parseURL() (*url.URL, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, fmt.Errorf("otlphttpenc: URL %q: %w", c.URL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("otlphttpenc: URL %q: want http:// or https:// and a host", c.URL)
	}
	// As the SDK refuses an insecure endpoint with a TLS configuration.
	if u.Scheme == "http" && c.TLS != nil {
		return nil, fmt.Errorf("otlphttpenc: URL %q: TLS settings need an https URL", c.URL)
	}
	return u, nil
}

// newTransport is the SDK's ourTransport (otlptracehttp client.go, which
// copies net/http's DefaultTransport) with tlsCfg.
func newTransport(tlsCfg *tls.Config) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       tlsCfg,
	}
}
