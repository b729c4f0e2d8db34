package httptrace

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// discardExporter drops every span.
type discardExporter struct{}

func (discardExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardExporter) Shutdown(context.Context) error                             { return nil }

// BenchmarkMiddleware compares, in process (httptest.NewRecorder, no
// sockets), a ServeMux alone, behind plain otelhttp.NewHandler and behind
// Middleware, with a real SDK tracer provider (AlwaysSample, batch span
// processor to a discarding exporter) and a real SDK meter provider (a
// manual reader, never collected) for both, so that the measurements,
// Middleware's http.server.active_requests included, are aggregated.
func BenchmarkMiddleware(b *testing.B) {
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithBatcher(discardExporter{}),
	)
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })

	mux := http.NewServeMux()
	mux.HandleFunc("GET /scans/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "scan %s", r.PathValue("id"))
	})
	ours, err := Middleware(mux, WithTracerProvider(tp), WithMeterProvider(mp), WithEnv(func(string) (string, bool) { return "", false }))
	if err != nil {
		b.Fatal(err)
	}
	handlers := []struct {
		name string
		h    http.Handler
	}{
		{"bare", mux},
		{"otelhttp", otelhttp.NewHandler(mux, "", otelhttp.WithTracerProvider(tp), otelhttp.WithMeterProvider(mp))},
		{"httptrace", ours},
	}
	for _, bh := range handlers {
		b.Run(bh.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/scans/42", nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				bh.h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
