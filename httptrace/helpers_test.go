package httptrace

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// newRecorder returns a tracer provider that records every span
// synchronously in the returned exporter.
func newRecorder(t testing.TB) (*sdktrace.TracerProvider, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, exp
}

// onlySpan returns the one recorded span, failing the test otherwise.
func onlySpan(t *testing.T, exp *tracetest.InMemoryExporter) tracetest.SpanStub {
	t.Helper()
	spans := exp.GetSpans()
	if len(spans) != 1 {
		t.Fatalf("got %d spans, want 1: %v", len(spans), spanNames(spans))
	}
	return spans[0]
}

// spanNamed returns the recorded span of that name, failing the test when
// there is not exactly one.
func spanNamed(t *testing.T, exp *tracetest.InMemoryExporter, name string) tracetest.SpanStub {
	t.Helper()
	var found []tracetest.SpanStub
	for _, s := range exp.GetSpans() {
		if s.Name == name {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		t.Fatalf("got %d spans named %q, want 1; spans: %v", len(found), name, spanNames(exp.GetSpans()))
	}
	return found[0]
}

func spanNames(spans tracetest.SpanStubs) []string {
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.Name
	}
	return names
}

// attr returns the value of the attribute key of s and whether it is there.
func attr(s tracetest.SpanStub, key attribute.Key) (attribute.Value, bool) {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// hookSpans records the span contexts the hooks were called with.
type hookSpans struct {
	mu       sync.Mutex
	request  []trace.SpanContext
	response []trace.SpanContext
	infos    []ResponseInfo
}

func (h *hookSpans) requestHook(span trace.Span, _ *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.request = append(h.request, span.SpanContext())
}

func (h *hookSpans) responseHook(span trace.Span, info ResponseInfo) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.response = append(h.response, span.SpanContext())
	h.infos = append(h.infos, info)
}

// newMeter returns an SDK meter provider whose measurements are read with
// collect on the returned manual reader.
func newMeter(t testing.TB) (*sdkmetric.MeterProvider, *sdkmetric.ManualReader) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	return mp, reader
}

// collect reads the metrics of reader, failing the test on an error.
func collect(t *testing.T, reader *sdkmetric.ManualReader) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect: %v", err)
	}
	return rm
}

// metricNamed returns the metric of that name and its scope, and whether
// rm has it.
func metricNamed(rm metricdata.ResourceMetrics, name string) (metricdata.Metrics, instrumentation.Scope, bool) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m, sm.Scope, true
			}
		}
	}
	return metricdata.Metrics{}, instrumentation.Scope{}, false
}

// metricNames lists the names of the metrics of rm, sorted.
func metricNames(rm metricdata.ResourceMetrics) []string {
	var names []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			names = append(names, m.Name)
		}
	}
	slices.Sort(names)
	return names
}

// histogramPoints returns the data points of the histogram metric of that
// name, failing the test when it is missing or not a histogram.
func histogramPoints[N int64 | float64](t *testing.T, rm metricdata.ResourceMetrics, name string) []metricdata.HistogramDataPoint[N] {
	t.Helper()
	m, _, ok := metricNamed(rm, name)
	if !ok {
		t.Fatalf("no metric %s; metrics: %v", name, metricNames(rm))
	}
	h, ok := m.Data.(metricdata.Histogram[N])
	if !ok {
		t.Fatalf("metric %s is a %T", name, m.Data)
	}
	return h.DataPoints
}

// pointWith returns the data point whose attribute key has the value
// want (absent when want is ""), failing the test unless there is exactly
// one.
func pointWith[N int64 | float64](t *testing.T, points []metricdata.HistogramDataPoint[N], key attribute.Key, want string) metricdata.HistogramDataPoint[N] {
	t.Helper()
	var found []metricdata.HistogramDataPoint[N]
	for _, p := range points {
		v, ok := p.Attributes.Value(key)
		if (want == "" && !ok) || (want != "" && v.String() == want) {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d data points with %s=%q, want 1; points: %v", len(found), key, want, pointAttrs(points))
	}
	return found[0]
}

func pointAttrs[N int64 | float64](points []metricdata.HistogramDataPoint[N]) []string {
	out := make([]string, len(points))
	for i, p := range points {
		out[i] = p.Attributes.Encoded(attribute.DefaultEncoder())
	}
	return out
}

// activeSum returns the http.server.active_requests data points by their
// encoded attribute set; nil when the metric has none yet.
func activeSum(t *testing.T, reader *sdkmetric.ManualReader) map[string]int64 {
	t.Helper()
	rm := collect(t, reader)
	m, scope, ok := metricNamed(rm, "http.server.active_requests")
	if !ok {
		return nil
	}
	if scope.Name != ScopeName {
		t.Errorf("http.server.active_requests in scope %q, want %q", scope.Name, ScopeName)
	}
	if m.Unit != "{request}" || m.Description != "Number of active HTTP server requests." {
		t.Errorf("http.server.active_requests unit %q, description %q", m.Unit, m.Description)
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("http.server.active_requests is a %T", m.Data)
	}
	if sum.IsMonotonic || sum.Temporality != metricdata.CumulativeTemporality {
		t.Errorf("http.server.active_requests monotonic=%v temporality=%v", sum.IsMonotonic, sum.Temporality)
	}
	out := make(map[string]int64, len(sum.DataPoints))
	for _, p := range sum.DataPoints {
		out[p.Attributes.Encoded(attribute.DefaultEncoder())] = p.Value
	}
	return out
}
