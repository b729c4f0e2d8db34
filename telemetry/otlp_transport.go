package telemetry

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
)

// otlpTransport is what sightline's OTLP exporters read from the
// environment besides what Config holds, the variables the SDK's OTLP
// exporters read themselves (go.opentelemetry.io/otel/exporters/otlp/...
// internal/otlpconfig/envconfig.go), with the same precedence: the
// per-signal variable (OTEL_EXPORTER_OTLP_TRACES_COMPRESSION) over the
// generic one (OTEL_EXPORTER_OTLP_COMPRESSION). Like the SDK, they are read
// from the process environment, not through WithEnv.
type otlpTransport struct {
	gzip bool
	tls  *tls.Config // nil: the system's roots, no client certificate
}

// otlpTransportFromEnv reads the compression and TLS files of sig's OTLP
// exports. Unlike the SDK, which logs an unreadable certificate and goes
// on without it, an unreadable file or a bad compression value is an
// error naming the variable and the value (the endpoint is then left out
// as a configuration problem); and the certificate files apply only to
// TLS endpoints (https://, grpcs://), where the SDK refuses a plaintext
// endpoint when one is set, so a generic certificate no longer takes out
// the plaintext default logs endpoint.
func otlpTransportFromEnv(sig Signal, secure bool, lookup func(string) (string, bool)) (otlpTransport, error) {
	prefix := "OTEL_EXPORTER_OTLP_" + strings.ToUpper(string(sig)) + "_"
	get := func(suffix string) (name, value string, ok bool) {
		for _, name := range []string{prefix + suffix, "OTEL_EXPORTER_OTLP_" + suffix} {
			if v, ok := lookup(name); ok {
				return name, v, true
			}
		}
		return "", "", false
	}
	var t otlpTransport
	if name, v, ok := get("COMPRESSION"); ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "gzip":
			t.gzip = true
		case "none", "":
		default:
			return t, fmt.Errorf("%s=%q: want gzip or none", name, v)
		}
	}
	if !secure {
		return t, nil
	}
	cfg := &tls.Config{}
	if name, file, ok := get("CERTIFICATE"); ok {
		pem, err := os.ReadFile(file)
		if err != nil {
			return t, fmt.Errorf("%s: %w", name, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return t, fmt.Errorf("%s=%q: no PEM certificate in the file", name, file)
		}
		cfg.RootCAs, t.tls = pool, cfg
	}
	certName, certFile, okCert := get("CLIENT_CERTIFICATE")
	keyName, keyFile, okKey := get("CLIENT_KEY")
	switch {
	case okCert && okKey:
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return t, fmt.Errorf("%s=%q and %s=%q: %w", certName, certFile, keyName, keyFile, err)
		}
		cfg.Certificates, t.tls = []tls.Certificate{cert}, cfg
	case okCert || okKey:
		return t, fmt.Errorf("a client certificate needs both OTEL_EXPORTER_OTLP_[%s_]CLIENT_CERTIFICATE and _CLIENT_KEY",
			strings.ToUpper(string(sig)))
	}
	return t, nil
}
