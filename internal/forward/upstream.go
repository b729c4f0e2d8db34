package forward

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// upstream is a parsed Config.URL.
type upstream struct {
	grpc bool // OTLP/gRPC, else OTLP/HTTP
	tls  bool
	// target is host:port for gRPC, the base URL (scheme, host, path
	// prefix without a trailing slash; no userinfo) for HTTP.
	target string
	// display is the URL without userinfo, for Stats and errors.
	display string
	// basicAuth is the Authorization header value made of the URL's
	// userinfo; "" when it has none.
	basicAuth string
}

// parseUpstream reads Config.URL. Its errors never quote a password.
func parseUpstream(raw string) (upstream, error) {
	if raw == "" {
		return upstream{}, errors.New(`Config.URL "": the upstream is required (grpc://host:port, grpcs://host:port, http://host:port or https://host[:port][/prefix])`)
	}
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // *url.Error quotes the URL, password included
		}
		return upstream{}, fmt.Errorf("Config.URL: not a URL: %w", err)
	}
	shown := u.Redacted()
	var up upstream
	switch u.Scheme {
	case "grpc", "grpcs":
		up.grpc, up.tls = true, u.Scheme == "grpcs"
	case "http", "https":
		up.tls = u.Scheme == "https"
	default:
		return upstream{}, fmt.Errorf("Config.URL %q: the scheme must be grpc, grpcs, http or https", shown)
	}
	if u.Hostname() == "" {
		return upstream{}, fmt.Errorf("Config.URL %q: the host is missing", shown)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return upstream{}, fmt.Errorf("Config.URL %q: want no query or fragment", shown)
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		up.basicAuth = "Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pass))
		u.User = nil
	}
	if up.grpc {
		if u.Port() == "" {
			return upstream{}, fmt.Errorf("Config.URL %q: the port is missing (OTLP/gRPC listens on 4317 by default)", shown)
		}
		if u.Path != "" && u.Path != "/" {
			return upstream{}, fmt.Errorf("Config.URL %q: a gRPC URL has no path", shown)
		}
		up.target = net.JoinHostPort(u.Hostname(), u.Port())
		up.display = u.Scheme + "://" + up.target
		return up, nil
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	up.target = u.String()
	up.display = up.target
	return up, nil
}

// reservedHeaders are set by the transport and may not be configured.
var reservedHeaders = map[string]bool{
	"content-type": true, "content-encoding": true, "content-length": true, "te": true,
	"host": true, "connection": true, "transfer-encoding": true, "user-agent": true,
}

// validateHeaders checks Config.Headers: keys are HTTP tokens, not ones
// the transport sets, values printable ASCII. Errors name the key only.
func validateHeaders(h map[string]string) []error {
	var errs []error
	for k, v := range h {
		lk := strings.ToLower(k)
		switch {
		case !isToken(k):
			errs = append(errs, fmt.Errorf("Config.Headers[%q]: not a valid header name", k))
		case reservedHeaders[lk] || strings.HasPrefix(lk, "grpc-"):
			errs = append(errs, fmt.Errorf("Config.Headers[%q]: set by the forwarder itself, it cannot be configured", k))
		case !isPrintable(v):
			errs = append(errs, fmt.Errorf("Config.Headers[%q]: the value (not shown) has characters other than printable ASCII", k))
		}
	}
	return errs
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func isPrintable(s string) bool {
	for _, c := range []byte(s) {
		if c < ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// headers returns the headers to send: the configured ones with lower-case
// keys, and basic authentication from the URL unless an authorization
// header is configured.
func (c Config) headers(up upstream) map[string]string {
	h := make(map[string]string, len(c.Headers)+1)
	for k, v := range c.Headers {
		h[strings.ToLower(k)] = v
	}
	if _, ok := h["authorization"]; !ok && up.basicAuth != "" {
		h["authorization"] = up.basicAuth
	}
	return h
}

// loadCAFile reads a PEM file of certificate authorities.
func loadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("Config.CAFile %q: %w", path, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("Config.CAFile %q: no PEM certificate in it", path)
	}
	return pool, nil
}

// tlsConfig is the TLS configuration for a TLS upstream: CAFile's
// authorities, or the system's.
func (c Config) tlsConfig() (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pool, err := loadCAFile(c.CAFile)
		if err != nil {
			return nil, err
		}
		conf.RootCAs = pool
	}
	return conf, nil
}
