package otlphttpenc_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
)

// BenchmarkExportLogs posts batches of 512 log records (otlpenctest.Records'
// shape: 4 attributes, a map body, a span context on half) to a loopback
// server that discards them, with the log exporter and with the SDK's
// otlploghttp.
func BenchmarkExportLogs(b *testing.B) {
	const batch = 512
	records := otlpenctest.Records(batch)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	b.Cleanup(srv.Close)
	url := srv.URL + "/v1/logs"
	b.Run("otlphttpenc", func(b *testing.B) {
		runExportLogs(b, newLogExporter(b, otlphttpenc.DefaultConfig(url)), records)
	})
	b.Run("otlploghttp", func(b *testing.B) {
		exp, err := otlploghttp.New(context.Background(), otlploghttp.WithEndpointURL(url))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
		runExportLogs(b, exp, records)
	})
}

func runExportLogs(b *testing.B, exp sdklog.Exporter, records []sdklog.Record) {
	ctx := context.Background()
	if err := exp.Export(ctx, records); err != nil { // connect, fill pools
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := exp.Export(ctx, records); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(records)), "ns/record")
}
