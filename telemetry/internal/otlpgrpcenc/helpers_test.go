package otlpgrpcenc_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpgrpcenc"
)

// newExporter and newLogExporter build an exporter of cfg and shut it down
// at the end of the test.
func newExporter(t testing.TB, cfg otlpgrpcenc.Config) *otlpgrpcenc.Exporter {
	t.Helper()
	e, err := otlpgrpcenc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	return e
}

func newLogExporter(t testing.TB, cfg otlpgrpcenc.Config) *otlpgrpcenc.LogExporter {
	t.Helper()
	e, err := otlpgrpcenc.NewLog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	return e
}

// fastRetry is DefaultConfig(url) with 1 ms backoff, so that retries are
// quick on a real network.
func fastRetry(url string) otlpgrpcenc.Config {
	cfg := otlpgrpcenc.DefaultConfig(url)
	cfg.Retry.InitialInterval, cfg.Retry.MaxInterval = time.Millisecond, time.Millisecond
	return cfg
}

// encodeSpansForTest is spans as otlpenc encodes them, decoded by pdata.
func encodeSpansForTest(t testing.TB, spans []sdktrace.ReadOnlySpan) ptrace.Traces {
	t.Helper()
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(otlpenc.AppendTraces(nil, spans)); err != nil {
		t.Fatal(err)
	}
	return req.Traces()
}
