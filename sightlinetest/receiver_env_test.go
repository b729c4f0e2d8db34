package sightlinetest_test

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/sightlinetest"
)

// TestEnvEndpoints checks the endpoints as the package documents them for
// OTEL_EXPORTER_OTLP_ENDPOINT: HTTPEndpoint as it is, the gRPC address with
// the http scheme.
func TestEnvEndpoints(t *testing.T) {
	tests := []struct {
		name     string
		endpoint func(r *sightlinetest.Receiver) string
		exporter func() (sdktrace.SpanExporter, error)
	}{
		{
			name:     "http",
			endpoint: (*sightlinetest.Receiver).HTTPEndpoint,
			exporter: func() (sdktrace.SpanExporter, error) {
				return otlptracehttp.New(context.Background(), otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}))
			},
		},
		{
			name: "grpc",
			endpoint: func(r *sightlinetest.Receiver) string {
				return strings.Replace(r.GRPCEndpoint(), "grpc://", "http://", 1)
			},
			exporter: func() (sdktrace.SpanExporter, error) {
				return otlptracegrpc.New(context.Background(), otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: false}))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv := sightlinetest.NewReceiver(t)
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", tt.endpoint(recv))
			exp, err := tt.exporter()
			if err != nil {
				t.Fatalf("new exporter: %v", err)
			}
			tp, errs := newTracerProvider(t, exp)
			_, span := tp.Tracer("env").Start(context.Background(), "from env")
			span.End()
			if got := recv.RequireSpans(1, waitTimeout); got[0].Name() != "from env" || got[0].Transport != tt.name {
				t.Errorf("got %q over %q", got[0].Name(), got[0].Transport)
			}
			if e := errs.errors(); len(e) != 0 {
				t.Errorf("exporter errors: %v", e)
			}
		})
	}
}
