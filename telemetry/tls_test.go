package telemetry_test

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

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/sightline-dev/sightline/telemetry"
)

// selfSigned makes a certificate for 127.0.0.1 and returns it (PEM) with
// the server's TLS certificate.
func selfSigned(t *testing.T) ([]byte, tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sightline test collector"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, cert
}

// tlsTraces is an OTLP/gRPC trace service that passes on span names.
type tlsTraces struct {
	ptraceotlp.UnimplementedGRPCServer
	names chan string
}

func (s *tlsTraces) Export(_ context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	rss := req.Traces().ResourceSpans()
	for i := range rss.Len() {
		sss := rss.At(i).ScopeSpans()
		for j := range sss.Len() {
			spans := sss.At(j).Spans()
			for k := range spans.Len() {
				s.names <- spans.At(k).Name()
			}
		}
	}
	return ptraceotlp.NewExportResponse(), nil
}

// TestGRPCSExportsOverTLS: a grpcs:// endpoint exports over TLS to a
// collector whose certificate OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE trusts, and an
// untrusted certificate is a failing endpoint whose error says so.
func TestGRPCSExportsOverTLS(t *testing.T) {
	certPEM, cert := selfSigned(t)
	srv := grpc.NewServer(grpc.Creds(credentials.NewServerTLSFromCert(&cert)))
	traces := &tlsTraces{names: make(chan string, 16)}
	ptraceotlp.RegisterGRPCServer(srv, traces)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() { srv.Stop(); <-served }()
	endpoint := "grpcs://" + ln.Addr().String()
	setup := func() *telemetry.Component {
		t.Helper()
		c, err := telemetry.Setup(context.Background(), env("SIGHTLINE_TELEMETRY_ENABLE", "on",
			"SIGHTLINE_TELEMETRY_SPAN_PROCESSOR", "simple", "SIGHTLINE_TELEMETRY_TYPES", "tracing",
			"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "grpc", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", endpoint))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ctx := context.Background()

	t.Run("untrusted", func(t *testing.T) {
		c := setup()
		defer c.Shutdown(ctx)
		_, s := c.Tracer("t").Start(ctx, "refused")
		s.End()
		found := false
		for _, e := range c.Control().Status().Endpoints {
			if e.Signal != telemetry.SignalTraces {
				continue
			}
			found = true
			if e.State != "failing" || e.Exported != 0 || !strings.Contains(e.LastError, "certificate signed by unknown authority") {
				t.Fatalf("endpoint with an untrusted certificate: %+v", e)
			}
		}
		if !found {
			t.Fatal("no traces endpoint in the status")
		}
	})

	t.Run("trusted", func(t *testing.T) {
		ca := filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(ca, certPEM, 0o600); err != nil {
			t.Fatal(err)
		}
		// The per-signal variable: the generic one would also apply to the
		// plaintext default logs endpoint, which the SDK refuses.
		t.Setenv("OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", ca)
		c := setup()
		_, s := c.Tracer("t").Start(ctx, "over tls")
		s.End()
		if err := c.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case name := <-traces.names:
			if name != "over tls" {
				t.Fatalf("received %q", name)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no span arrived over TLS within 10s")
		}
	})
}
