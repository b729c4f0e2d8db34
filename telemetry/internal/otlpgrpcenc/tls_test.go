package otlpgrpcenc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
)

// selfSigned is a certificate for 127.0.0.1 that signs itself, its server
// TLS configuration, and the path of its PEM file.
func selfSigned(t *testing.T) (*tls.Config, string) {
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
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, path
}

// TestTLS checks that an https (or grpcs) URL with a CA file reaches a TLS
// collector whose certificate that CA signed, that without the CA file
// (the system's roots) the export fails naming the certificate, and that a
// CA file that is not PEM is refused by New.
func TestTLS(t *testing.T) {
	serverTLS, caFile := selfSigned(t)
	col := newCollector(t, serverTLS, nil)
	for _, scheme := range []string{"https", "grpcs"} {
		cfg := fastRetry(scheme + "://" + col.addr)
		cfg.CAFile = caFile
		if err := newExporter(t, cfg).ExportSpans(context.Background(), otlpenctest.Spans(2)); err != nil {
			t.Fatalf("%s with the CA file: %v", scheme, err)
		}
	}
	if n := len(col.received()); n != 2 {
		t.Errorf("%d calls arrived, want 2", n)
	}

	cfg := fastRetry("https://" + col.addr)
	cfg.Retry.Enabled = false
	err := newExporter(t, cfg).ExportSpans(context.Background(), otlpenctest.Spans(1))
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA file: %v, want UNAVAILABLE naming the certificate", err)
	}

	notPEM := filepath.Join(t.TempDir(), "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.CAFile = notPEM
	if _, err := newLogExporterErr(cfg); err == nil || !strings.Contains(err.Error(), notPEM) {
		t.Errorf("CA file that is not PEM: %v, want an error naming it", err)
	}
}
