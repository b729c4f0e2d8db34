package httptrace

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// TestOptionApplicability: every HTTP option serves the middleware and the
// transport and no function span; every span option the reverse.
func TestOptionApplicability(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  any
		http bool
	}{
		{"WithKey", WithKey("k"), true},
		{"WithExcludedURLs", WithExcludedURLs(), true},
		{"WithExcludedURLsEnv", WithExcludedURLsEnv("E"), true},
		{"WithEnv", WithEnv(nil), true},
		{"WithSpanDetails", WithSpanDetails(nil), true},
		{"WithRequestHook", WithRequestHook(nil), true},
		{"WithResponseHook", WithResponseHook(nil), true},
		{"WithTracerProvider", WithTracerProvider(nil), true},
		{"WithMeterProvider", WithMeterProvider(nil), true},
		{"WithPropagator", WithPropagator(nil), true},
		{"WithOTelHTTPOptions", WithOTelHTTPOptions(), true},
		{"WithTracer", WithTracer(nil), false},
		{"WithSpanKind", WithSpanKind(trace.SpanKindClient), false},
		{"WithAttributes", WithAttributes(attribute.Int("a", 1)), false},
		{"WithArgAttributes", WithArgAttributes(func(int) []attribute.KeyValue { return nil }), false},
	} {
		_, mw := tc.opt.(MiddlewareOption)
		_, tr := tc.opt.(TransportOption)
		_, span := tc.opt.(SpanOption)
		if mw != tc.http || tr != tc.http || span == tc.http {
			t.Errorf("%s: middleware %v, transport %v, span %v; want %v, %v, %v", tc.name, mw, tr, span, tc.http, tc.http, !tc.http)
		}
	}
}

// TestEnvDefault: without WithEnv (or with a nil one), the process
// environment is read.
func TestEnvDefault(t *testing.T) {
	t.Setenv("SIGHTLINE_HTTP_OPTS_TEST_EXCLUDED_URLS", "/bad[")
	for _, opts := range [][]Option{{WithKey("opts-test")}, {WithKey("opts-test"), WithEnv(nil)}} {
		if err := Validate(opts...); err == nil {
			t.Errorf("Validate(%d options) read no environment", len(opts))
		}
	}
	if err := Validate(WithKey("opts-test"), WithEnv(envMap(nil))); err != nil {
		t.Errorf("Validate with an empty environment = %v", err)
	}
}
