package otlphttpenc_test

// Side by side, one run:
//
//	go test -run '^$' -bench Export -benchmem -count 6 ./telemetry/internal/otlphttpenc

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
)

// BenchmarkExport posts batches of 512 spans (the batch processor's
// default size) of otlpenc's benchmark shape to a loopback server that
// discards them, with this exporter and with the SDK's otlptracehttp,
// plain and gzipped.
func BenchmarkExport(b *testing.B) {
	const batch = 512
	spans := otlpenctest.BenchSpans(batch, false)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	b.Cleanup(srv.Close)
	url := srv.URL + "/v1/traces"

	for _, gzip := range []bool{false, true} {
		suffix := ""
		if gzip {
			suffix = "-gzip"
		}
		b.Run("otlphttpenc"+suffix, func(b *testing.B) {
			cfg := otlphttpenc.DefaultConfig(url)
			cfg.Gzip = gzip
			runExport(b, newExporter(b, cfg), spans)
		})
		b.Run("otlptracehttp"+suffix, func(b *testing.B) {
			var opts []otlptracehttp.Option
			if gzip {
				opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
			}
			runExport(b, sdkExporter(b, url, opts...), spans)
		})
	}
}

func runExport(b *testing.B, exp sdktrace.SpanExporter, spans []sdktrace.ReadOnlySpan) {
	ctx := context.Background()
	if err := exp.ExportSpans(ctx, spans); err != nil { // connect, fill pools
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := exp.ExportSpans(ctx, spans); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(spans)), "ns/span")
}
