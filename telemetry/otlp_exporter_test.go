package telemetry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpgrpcenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
)

// TestOTLPExporterSetting: http and grpc endpoints use sightline's exporters unless
// SIGHTLINE_TELEMETRY_OTLP_EXPORTER=sdk; a bad value is refused naming the
// variable, the value and what is allowed; Status shows the setting.
func TestOTLPExporterSetting(t *testing.T) {
	for _, tc := range []struct {
		env  string
		ours bool
	}{{"", true}, {"sightline", true}, {"SDK", false}, {"sdk", false}} {
		lookup := func(name string) (string, bool) {
			if name == envOTLPExporter && tc.env != "" {
				return tc.env, true
			}
			return "", false
		}
		cfg, src, err := FromEnv(lookup)
		if err != nil {
			t.Fatalf("%q: %v", tc.env, err)
		}
		for _, c := range []struct {
			sig      Signal
			exporter string
			url      string
		}{{SignalTraces, ExporterHTTP, "http://127.0.0.1:4318/v1/traces"}, {SignalLogs, ExporterHTTP, "http://127.0.0.1:4318/v1/logs"},
			{SignalTraces, ExporterGRPC, "grpc://127.0.0.1:4317"}, {SignalLogs, ExporterGRPC, "grpc://127.0.0.1:4317"}} {
			sig := c.sig
			ep, err := ParseEndpoint(sig, c.exporter, c.url)
			if err != nil {
				t.Fatal(err)
			}
			var exp any
			if sig == SignalTraces {
				exp, err = newSpanExporter(context.Background(), ep, settingsFor(cfg, sig, "batch"))
			} else {
				exp, err = newLogExporter(context.Background(), ep, settingsFor(cfg, sig, "batch"))
			}
			if err != nil {
				t.Fatal(err)
			}
			var ours bool
			switch exp.(type) {
			case *otlphttpenc.Exporter, *otlphttpenc.LogExporter, *otlpgrpcenc.Exporter, *otlpgrpcenc.LogExporter:
				ours = true
			}
			if ours != tc.ours {
				t.Errorf("%q %s: exporter %T, want sightline's: %v", tc.env, sig, exp, tc.ours)
			}
			switch e := exp.(type) {
			case sdktrace.SpanExporter:
				_ = e.Shutdown(context.Background())
			case sdklog.Exporter:
				_ = e.Shutdown(context.Background())
			}
		}
		want := map[bool]string{true: OTLPExporterSightline, false: OTLPExporterSDK}[tc.ours]
		if got := settingValue(cfg, KeyOTLPExporter); got != want {
			t.Errorf("%q: status shows %q, want %q", tc.env, got, want)
		}
		if tc.env != "" && src[KeyOTLPExporter].Name != envOTLPExporter {
			t.Errorf("%q: source %+v", tc.env, src[KeyOTLPExporter])
		}
	}
	_, _, err := FromEnv(func(name string) (string, bool) {
		return "fast", name == envOTLPExporter
	})
	if err == nil || !strings.Contains(err.Error(), envOTLPExporter) || !strings.Contains(err.Error(), "fast") ||
		!strings.Contains(err.Error(), "sightline, sdk") {
		t.Errorf("bad value: %v", err)
	}
}

// TestOTLPTransportFromEnv: the SDK's compression and certificate
// variables, per-signal over generic, refused clearly when unusable, and
// certificates ignored for plaintext endpoints.
func TestOTLPTransportFromEnv(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env      map[string]string
		sig      Signal
		secure   bool
		gzip     bool
		tls      bool
		errParts []string
	}{
		{env: nil, gzip: false},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"}, gzip: true},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "none"}},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_LOGS_COMPRESSION": "gzip"}, sig: SignalLogs, gzip: true},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"}, errParts: []string{"OTEL_EXPORTER_OTLP_COMPRESSION", "zstd", "gzip or none"}},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_CERTIFICATE": notPEM}, secure: false},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_CERTIFICATE": notPEM}, secure: true, errParts: []string{"OTEL_EXPORTER_OTLP_CERTIFICATE", notPEM, "no PEM"}},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE": filepath.Join(dir, "missing.pem")}, secure: true,
			errParts: []string{"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "missing.pem"}},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_CLIENT_KEY": notPEM}, secure: true, errParts: []string{"CLIENT_CERTIFICATE", "CLIENT_KEY"}},
	} {
		sig := tc.sig
		if sig == "" {
			sig = SignalTraces
		}
		got, err := otlpTransportFromEnv(sig, tc.secure, func(name string) (string, bool) {
			v, ok := tc.env[name]
			return v, ok
		})
		name := fmt.Sprint(tc.env, tc.secure)
		if tc.errParts != nil {
			for _, part := range tc.errParts {
				if err == nil || !strings.Contains(err.Error(), part) {
					t.Errorf("%s: error %v, want it to name %q", name, err, part)
				}
			}
			continue
		}
		if err != nil || got.gzip != tc.gzip || (got.tls != nil) != tc.tls {
			t.Errorf("%s: %+v %v, want gzip %v tls %v", name, got, err, tc.gzip, tc.tls)
		}
	}
}
