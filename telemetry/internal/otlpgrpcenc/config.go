package otlpgrpcenc

import (
	"crypto/tls"
	"fmt"
	"net/url"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

// MaxRequestSize is the largest request sent, in bytes: a larger batch
// fails without being sent, as in the SDK (DefaultMaxRequestSize in
// otlptracegrpc v1.47.0 internal/otlpconfig).
const MaxRequestSize = 64 << 20

// Config is what an [Exporter] or [LogExporter] is built from. Start from
// [DefaultConfig]: the zero Config has retries disabled.
type Config struct {
	// URL is the collector: "http://host:port" (or "grpc://host:port")
	// for a plaintext connection, "https://host:port" (or "grpcs://...")
	// for TLS, as the SDK's WithEndpointURL reads it. The path is ignored,
	// as in the SDK. Required.
	URL string
	// Headers are sent as request metadata with every call (keys are
	// lowercased, as gRPC metadata keys are). Nil means none.
	Headers map[string]string
	// Timeout bounds one export, every attempt and wait between attempts
	// included. Zero means otlpretry.DefaultTimeout (10 s); negative is
	// invalid.
	Timeout time.Duration
	// Gzip compresses requests with gzip at its best speed (see
	// gzipSpeed), sent as grpc-go's "gzip" encoding. False sends them as
	// they are, the SDK's default.
	Gzip bool
	// TLS is the client TLS configuration for an https or grpcs URL,
	// cloned (the telemetry package builds it from
	// OTEL_EXPORTER_OTLP_*CERTIFICATE and _CLIENT_KEY). Nil means the
	// system's roots.
	TLS *tls.Config
	// Retry is how the codes the SDK's gRPC exporters retry are retried:
	// CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE,
	// DATA_LOSS, and RESOURCE_EXHAUSTED with RetryInfo, whose delay is the
	// least wait. The zero RetryConfig makes single attempts.
	Retry otlpretry.RetryConfig
	// DialOptions are added after the exporter's own (transport
	// credentials, user agent), as the SDK's WithDialOption: reconnection
	// backoff, default call options such as WaitForReady. Nil means none.
	DialOptions []grpc.DialOption
}

// DefaultConfig is the SDK's gRPC exporters' defaults for url: a 10 s
// timeout and retries from 5 s up to 30 s for at most a minute (which the
// timeout cuts to 10 s).
func DefaultConfig(url string) Config {
	return Config{URL: url, Timeout: otlpretry.DefaultTimeout, Retry: otlpretry.DefaultRetryConfig()}
}

// Validate reports the first setting that cannot be used, naming it and
// its value.
func (c Config) Validate() error {
	if _, _, err := c.target(); err != nil {
		return err
	}
	if c.Timeout < 0 {
		return fmt.Errorf("otlpgrpcenc: timeout %v: want >= 0", c.Timeout)
	}
	if err := c.Retry.Validate(); err != nil {
		return fmt.Errorf("otlpgrpcenc: %w", err)
	}
	return nil
}

// target is the host:port to dial and whether to use TLS.
func (c Config) target() (host string, secure bool, err error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return "", false, fmt.Errorf("otlpgrpcenc: URL %q: %w", c.URL, err)
	}
	switch u.Scheme {
	case "https", "grpcs":
		secure = true
	case "http", "grpc":
	default:
		return "", false, fmt.Errorf("otlpgrpcenc: URL %q: want http://, https://, grpc:// or grpcs:// and a host", c.URL)
	}
	if u.Host == "" {
		return "", false, fmt.Errorf("otlpgrpcenc: URL %q: no host", c.URL)
	}
	// As the SDK refuses an insecure endpoint with a TLS configuration.
	if !secure && c.TLS != nil {
		return "", false, fmt.Errorf("otlpgrpcenc: URL %q: TLS settings need an https or grpcs URL", c.URL)
	}
	return u.Host, secure, nil
}

// credentials are the transport credentials: plaintext, or TLS with TLS's
// configuration (the system's roots when it is nil).
func (c Config) credentials(secure bool) credentials.TransportCredentials {
	if !secure {
		return insecure.NewCredentials()
	}
	return credentials.NewTLS(c.TLS.Clone())
}
