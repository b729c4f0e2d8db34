package otlpgrpcenc

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
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
	// TLS is the client TLS configuration for an https URL, cloned. Nil
	// means the system's roots (or CAFile's).
	TLS *tls.Config
	// CAFile is a PEM file of the certificates that alone are trusted to
	// sign the server's (OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE); read by
	// New. Empty means the system's roots.
	CAFile string
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
	if !secure && (c.TLS != nil || c.CAFile != "") {
		return "", false, fmt.Errorf("otlpgrpcenc: URL %q: TLS settings need an https or grpcs URL", c.URL)
	}
	return u.Host, secure, nil
}

// credentials are the transport credentials: plaintext, or TLS with TLS's
// configuration and CAFile's roots (as the SDK's CreateTLSConfig reads
// it), the system's roots when neither is set.
func (c Config) credentials(secure bool) (credentials.TransportCredentials, error) {
	if !secure {
		return insecure.NewCredentials(), nil
	}
	var cfg *tls.Config
	if c.TLS != nil {
		cfg = c.TLS.Clone()
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("otlpgrpcenc: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("otlpgrpcenc: CA file %s: no PEM certificate in it", c.CAFile)
		}
		if cfg == nil {
			cfg = &tls.Config{}
		}
		cfg.RootCAs = pool
	}
	return credentials.NewTLS(cfg), nil
}
