package otlphttpenc_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
)

// decode reads an ExportTraceServiceRequest.
func decode(t testing.TB, body []byte) ptrace.Traces {
	t.Helper()
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err != nil {
		t.Fatalf("decode request of %d bytes: %v", len(body), err)
	}
	return req.Traces()
}

// asJSON is td in OTLP-JSON, for comparing and printing.
func asJSON(t testing.TB, td ptrace.Traces) string {
	t.Helper()
	b, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newExporter builds an exporter of cfg and shuts it down at the end.
func newExporter(t testing.TB, cfg otlphttpenc.Config) *otlphttpenc.Exporter {
	t.Helper()
	e, err := otlphttpenc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	return e
}

// fastRetry is DefaultConfig(url) with 1 ms backoff, so that retries are
// quick on a real network.
func fastRetry(url string) otlphttpenc.Config {
	cfg := otlphttpenc.DefaultConfig(url)
	cfg.Retry.InitialInterval, cfg.Retry.MaxInterval = time.Millisecond, time.Millisecond
	return cfg
}
