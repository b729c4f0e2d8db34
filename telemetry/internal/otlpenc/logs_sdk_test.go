package otlpenc_test

import (
	"bytes"
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
)

// sdkLogPath is the SDK's own OTLP/HTTP log exporter (otlploghttp, no
// compression, no retries) sending to a capture: what the SDK would have
// sent for a batch.
type sdkLogPath struct {
	cap *capture
	exp *otlploghttp.Exporter
}

func newSDKLogPath(tb testing.TB, keep bool) *sdkLogPath {
	tb.Helper()
	c := newCapture(tb, "/v1/logs", keep)
	exp, err := otlploghttp.New(context.Background(),
		otlploghttp.WithEndpointURL(c.srv.URL+"/v1/logs"),
		otlploghttp.WithRetry(otlploghttp.RetryConfig{Enabled: false}))
	if err != nil {
		tb.Fatalf("otlploghttp.New: %v", err)
	}
	tb.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return &sdkLogPath{cap: c, exp: exp}
}

// encode returns the request body the SDK's exporter sends for records
// (nil when it sends nothing).
func (p *sdkLogPath) encode(tb testing.TB, records []sdklog.Record) []byte {
	tb.Helper()
	return p.cap.body(tb, func(ctx context.Context) error { return p.exp.Export(ctx, records) })
}

// decodeLogs parses an ExportLogsServiceRequest with the collector's pdata.
func decodeLogs(tb testing.TB, what string, b []byte) plog.Logs {
	tb.Helper()
	req := plogotlp.NewExportRequest()
	if err := req.UnmarshalProto(b); err != nil {
		tb.Fatalf("pdata cannot decode %s (%d bytes): %v", what, len(b), err)
	}
	return req.Logs()
}

// canonicalLogsJSON is ld as OTLP-JSON with its ResourceLogs sorted by
// resource attributes: the SDK orders resources by Go map iteration, so
// randomly, while everything below a resource keeps its order.
func canonicalLogsJSON(tb testing.TB, ld plog.Logs) string {
	tb.Helper()
	rls := ld.ResourceLogs()
	order := resourceOrder(rls.Len(), func(i int) pcommon.Map { return rls.At(i).Resource().Attributes() })
	sorted := plog.NewLogs()
	for _, i := range order {
		rls.At(i).CopyTo(sorted.ResourceLogs().AppendEmpty())
	}
	b, err := (&plog.JSONMarshaler{}).MarshalLogs(sorted)
	if err != nil {
		tb.Fatalf("marshal JSON: %v", err)
	}
	return string(b)
}

// requireLogsSameAsSDK encodes records with otlpenc and with the SDK's
// exporter, decodes both with pdata and fails unless they are equal. When
// the batch has at most one resource (so the SDK's order is fixed) the
// bytes must be identical as well.
func requireLogsSameAsSDK(tb testing.TB, p *sdkLogPath, enc *otlpenc.LogEncoder, records []sdklog.Record) {
	tb.Helper()
	want := p.encode(tb, records)
	got := enc.AppendLogs(nil, records)
	gotLD, wantLD := decodeLogs(tb, "otlpenc's encoding", got), decodeLogs(tb, "the SDK's encoding", want)
	if gotLD.LogRecordCount() != wantLD.LogRecordCount() || gotLD.LogRecordCount() != len(records) {
		tb.Fatalf("otlpenc encoded %d records, the SDK %d, of %d", gotLD.LogRecordCount(), wantLD.LogRecordCount(), len(records))
	}
	if g, w := canonicalLogsJSON(tb, gotLD), canonicalLogsJSON(tb, wantLD); g != w {
		tb.Fatalf("otlpenc's encoding decodes differently from the SDK's:\n%s", diffAt(g, w))
	}
	if wantLD.ResourceLogs().Len() <= 1 && !bytes.Equal(got, want) {
		tb.Fatalf("same data but different bytes (%d vs the SDK's %d); first difference at byte %d",
			len(got), len(want), firstDiff(got, want))
	}
}
