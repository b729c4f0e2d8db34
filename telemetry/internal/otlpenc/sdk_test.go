package otlpenc_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
)

// sdkPath is the SDK's own OTLP/HTTP exporter (otlptracehttp, no
// compression, no retries) sending to a capture: what the SDK would have
// sent for a batch.
type sdkPath struct {
	cap *capture
	exp sdktrace.SpanExporter
}

func newSDKPath(tb testing.TB, keep bool) *sdkPath {
	tb.Helper()
	c := newCapture(tb, "/v1/traces", keep)
	exp, err := otlptracehttp.New(context.Background(),
		otlptracehttp.WithEndpointURL(c.srv.URL+"/v1/traces"),
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}))
	if err != nil {
		tb.Fatalf("otlptracehttp.New: %v", err)
	}
	tb.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return &sdkPath{cap: c, exp: exp}
}

// encode returns the request body the SDK's exporter sends for spans.
func (p *sdkPath) encode(tb testing.TB, spans []sdktrace.ReadOnlySpan) []byte {
	tb.Helper()
	return p.cap.body(tb, func(ctx context.Context) error { return p.exp.ExportSpans(ctx, spans) })
}

// decode parses an ExportTraceServiceRequest with the collector's pdata.
func decode(tb testing.TB, what string, b []byte) ptrace.Traces {
	tb.Helper()
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(b); err != nil {
		tb.Fatalf("pdata cannot decode %s (%d bytes): %v", what, len(b), err)
	}
	return req.Traces()
}

// canonicalJSON is td as OTLP-JSON with its ResourceSpans sorted by
// resource attributes: the SDK orders resources by Go map iteration, so
// randomly, while everything below a resource keeps its order.
func canonicalJSON(tb testing.TB, td ptrace.Traces) string {
	tb.Helper()
	rss := td.ResourceSpans()
	order := resourceOrder(rss.Len(), func(i int) pcommon.Map { return rss.At(i).Resource().Attributes() })
	sorted := ptrace.NewTraces()
	for _, i := range order {
		rss.At(i).CopyTo(sorted.ResourceSpans().AppendEmpty())
	}
	b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(sorted)
	if err != nil {
		tb.Fatalf("marshal JSON: %v", err)
	}
	return string(b)
}

// requireSameAsSDK encodes spans with otlpenc and with the SDK's exporter,
// decodes both with pdata and fails unless they are equal. When the batch
// has at most one resource (so the SDK's order is fixed) the bytes must be
// identical as well.
func requireSameAsSDK(tb testing.TB, p *sdkPath, enc *otlpenc.Encoder, spans []sdktrace.ReadOnlySpan) {
	tb.Helper()
	want := p.encode(tb, spans)
	got := enc.AppendTraces(nil, spans)
	gotTD, wantTD := decode(tb, "otlpenc's encoding", got), decode(tb, "the SDK's encoding", want)
	if gotTD.SpanCount() != wantTD.SpanCount() {
		tb.Fatalf("otlpenc encoded %d spans, the SDK %d", gotTD.SpanCount(), wantTD.SpanCount())
	}
	if g, w := canonicalJSON(tb, gotTD), canonicalJSON(tb, wantTD); g != w {
		tb.Fatalf("otlpenc's encoding decodes differently from the SDK's:\n%s", diffAt(g, w))
	}
	if wantTD.ResourceSpans().Len() <= 1 && !bytes.Equal(got, want) {
		tb.Fatalf("same data but different bytes (%d vs the SDK's %d); first difference at byte %d",
			len(got), len(want), firstDiff(got, want))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// diffAt shows got and want around their first difference.
func diffAt(got, want string) string {
	i := firstDiff([]byte(got), []byte(want))
	lo := max(0, i-200)
	return fmt.Sprintf("at offset %d\n got: …%s…\nwant: …%s…", i,
		got[lo:min(len(got), i+200)], want[lo:min(len(want), i+200)])
}
