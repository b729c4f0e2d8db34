package otlpgrpcenc_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpgrpcenc"
)

// sdkExporter and sdkLogExporter are the SDK's otlptracegrpc and
// otlploggrpc exporters sending to url.
func sdkExporter(t testing.TB, url string, gzip bool, headers map[string]string) sdktrace.SpanExporter {
	t.Helper()
	opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpointURL(url), otlptracegrpc.WithHeaders(headers)}
	if gzip {
		opts = append(opts, otlptracegrpc.WithCompressor("gzip"))
	}
	exp, err := otlptracegrpc.New(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return exp
}

func sdkLogExporter(t testing.TB, url string, gzip bool, headers map[string]string) sdklog.Exporter {
	t.Helper()
	opts := []otlploggrpc.Option{otlploggrpc.WithEndpointURL(url), otlploggrpc.WithHeaders(headers)}
	if gzip {
		opts = append(opts, otlploggrpc.WithCompressor("gzip"))
	}
	exp, err := otlploggrpc.New(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return exp
}

// TestSameRequestAsSDK sends the same spans and the same log records with
// these exporters and with the SDK's otlptracegrpc and otlploggrpc, each
// to a collector of its own, and compares what the collectors decoded
// (pdata) and the metadata they got: the same requests, the headers as
// metadata, the same content type; with gzip the requests are compressed
// on the wire.
func TestSameRequestAsSDK(t *testing.T) {
	spans, records := otlpenctest.Spans(40), otlpenctest.BridgeRecords(40)
	headers := map[string]string{"Authorization": "Bearer s3cret", "x-tenant": "beamline-7"}
	for _, gzip := range []bool{false, true} {
		ours, theirs := newCollector(t, nil, nil), newCollector(t, nil, nil)
		cfg := otlpgrpcenc.DefaultConfig(ours.url())
		cfg.Gzip, cfg.Headers = gzip, headers
		ctx := context.Background()
		if err := newExporter(t, cfg).ExportSpans(ctx, spans); err != nil {
			t.Fatal(err)
		}
		if err := newLogExporter(t, cfg).Export(ctx, records); err != nil {
			t.Fatal(err)
		}
		if err := sdkExporter(t, theirs.url(), gzip, headers).ExportSpans(ctx, spans); err != nil {
			t.Fatal(err)
		}
		if err := sdkLogExporter(t, theirs.url(), gzip, headers).Export(ctx, records); err != nil {
			t.Fatal(err)
		}
		got, want := ours.received(), theirs.received()
		if len(got) != 2 || len(want) != 2 {
			t.Fatalf("gzip %v: %d and %d calls, want 2 each", gzip, len(got), len(want))
		}
		if n := got[0].traces.SpanCount(); n != len(spans) {
			t.Errorf("gzip %v: %d spans arrived, want %d", gzip, n, len(spans))
		}
		if n := got[1].logs.LogRecordCount(); n != len(records) {
			t.Errorf("gzip %v: %d log records arrived, want %d", gzip, n, len(records))
		}
		if g, w := tracesJSON(t, got[0].traces), tracesJSON(t, want[0].traces); g != w {
			t.Errorf("gzip %v: traces differ from the SDK's\n got %.400s\nwant %.400s", gzip, g, w)
		}
		if g, w := logsJSON(t, got[1].logs), logsJSON(t, want[1].logs); g != w {
			t.Errorf("gzip %v: logs differ from the SDK's\n got %.400s\nwant %.400s", gzip, g, w)
		}
		for i := range got {
			for _, k := range []string{"authorization", "x-tenant", "content-type"} {
				if g, w := got[i].md.Get(k), want[i].md.Get(k); len(g) != 1 || len(w) != 1 || g[0] != w[0] {
					t.Errorf("gzip %v, call %d: metadata %s %q, the SDK sends %q", gzip, i, k, g, w)
				}
			}
		}
		for i, s := range ours.wireSizes() {
			if compressed := s.wire < s.length; compressed != gzip {
				t.Errorf("gzip %v: request %d is %d bytes on the wire for %d: compressed %v", gzip, i, s.wire, s.length, compressed)
			}
		}
	}
}

// TestLeanSpansSameRequestAsSDK sends sightline's own spans
// (telemetry/internal/leanspan) with ExportSpanBatch and their Snapshots
// with the SDK's otlptracegrpc: the collectors decode the same traces.
func TestLeanSpansSameRequestAsSDK(t *testing.T) {
	lean := otlpenctest.Lean(otlpenctest.Spans(40))
	var batch otlpenc.SpanBatch
	for _, s := range lean {
		batch.Add(s)
	}
	ours, theirs := newCollector(t, nil, nil), newCollector(t, nil, nil)
	ctx := context.Background()
	exp := newExporter(t, otlpgrpcenc.DefaultConfig(ours.url()))
	if err := exp.ExportSpanBatch(ctx, &batch); err != nil {
		t.Fatal(err)
	}
	if err := exp.ExportSpanBatch(ctx, otlpenc.NewJSONSpanBatch()); err == nil {
		t.Error("an OTLP-JSON batch was accepted")
	}
	if err := sdkExporter(t, theirs.url(), false, nil).ExportSpans(ctx, otlpenctest.Snapshots(lean)); err != nil {
		t.Fatal(err)
	}
	got, want := ours.received(), theirs.received()
	if len(got) != 1 || len(want) != 1 {
		t.Fatalf("%d and %d calls, want 1 each", len(got), len(want))
	}
	if n := got[0].traces.SpanCount(); n != len(lean) {
		t.Errorf("%d spans arrived, want %d", n, len(lean))
	}
	if g, w := tracesJSON(t, got[0].traces), tracesJSON(t, want[0].traces); g != w {
		t.Errorf("traces differ from the SDK's\n got %.400s\nwant %.400s", g, w)
	}
}
