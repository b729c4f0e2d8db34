package otlpgrpcenc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
)

// selfSigned is a certificate for 127.0.0.1 that signs itself, its server
// TLS configuration, and a client TLS configuration that trusts it alone.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test collector"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, &tls.Config{RootCAs: roots}
}

// TestTLS checks that an https (or grpcs) URL with a TLS configuration
// trusting the collector's CA reaches a TLS collector whose certificate
// that CA signed, and that without it (the system's roots) the export
// fails naming the certificate. (Reading the CA file of
// OTEL_EXPORTER_OTLP_*CERTIFICATE is the telemetry package's,
// TestOTLPTransportFromEnv.)
func TestTLS(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	col := newCollector(t, serverTLS, nil)
	for _, scheme := range []string{"https", "grpcs"} {
		cfg := fastRetry(scheme + "://" + col.addr)
		cfg.TLS = clientTLS
		if err := newExporter(t, cfg).ExportSpans(context.Background(), otlpenctest.Spans(2)); err != nil {
			t.Fatalf("%s with the CA: %v", scheme, err)
		}
	}
	if n := len(col.received()); n != 2 {
		t.Errorf("%d calls arrived, want 2", n)
	}

	cfg := fastRetry("https://" + col.addr)
	cfg.Retry.Enabled = false
	err := newExporter(t, cfg).ExportSpans(context.Background(), otlpenctest.Spans(1))
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA: %v, want UNAVAILABLE naming the certificate", err)
	}
}
