package otlphttpenc_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/internal/otlphttp/otlphttptest"
	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
)

// sdkExporter is the SDK's otlptracehttp exporter posting to url.
func sdkExporter(t testing.TB, url string, opts ...otlptracehttp.Option) sdktrace.SpanExporter {
	t.Helper()
	exp, err := otlptracehttp.New(context.Background(), append([]otlptracehttp.Option{otlptracehttp.WithEndpointURL(url)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return exp
}

// TestSameRequestAsSDK sends the same batch with this exporter and the
// SDK's otlptracehttp, each to a recording server, and compares what the
// servers received: the same bytes (one resource), the same decoded
// traces, the same method and content headers.
func TestSameRequestAsSDK(t *testing.T) {
	spans := otlpenctest.Spans(40)
	for _, gzip := range []bool{false, true} {
		ours, theirs := otlphttptest.NewServer(t, nil), otlphttptest.NewServer(t, nil)
		cfg := otlphttpenc.DefaultConfig(ours.URL + "/v1/traces")
		cfg.Gzip = gzip
		var opts []otlptracehttp.Option
		if gzip {
			opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
		}
		if err := newExporter(t, cfg).ExportSpans(context.Background(), spans); err != nil {
			t.Fatal(err)
		}
		if err := sdkExporter(t, theirs.URL+"/v1/traces", opts...).ExportSpans(context.Background(), spans); err != nil {
			t.Fatal(err)
		}
		got, want := ours.Received(), theirs.Received()
		if len(got) != 1 || len(want) != 1 {
			t.Fatalf("gzip %v: %d and %d requests, want 1 each", gzip, len(got), len(want))
		}
		for _, h := range []string{"Content-Type", "Content-Encoding"} {
			if g, w := got[0].Header.Get(h), want[0].Header.Get(h); g != w {
				t.Errorf("gzip %v: %s %q, the SDK sends %q", gzip, h, g, w)
			}
		}
		if got[0].Method != want[0].Method {
			t.Errorf("method %s, the SDK's %s", got[0].Method, want[0].Method)
		}
		if !bytes.Equal(got[0].Body, want[0].Body) {
			t.Errorf("gzip %v: body differs from the SDK's (%d vs %d bytes)", gzip, len(got[0].Body), len(want[0].Body))
		}
		if g, w := asJSON(t, decode(t, got[0].Body)), asJSON(t, decode(t, want[0].Body)); g != w {
			t.Errorf("gzip %v: decoded request differs from the SDK's\n got %.400s\nwant %.400s", gzip, g, w)
		}
		if n := decode(t, got[0].Body).SpanCount(); n != len(spans) {
			t.Errorf("%d spans sent, want %d", n, len(spans))
		}
	}
}

// TestSightlineReceiver sends the same batch with this exporter and the
// SDK's to sightline's own OTLP/HTTP receiver (sightlinetest, the
// receiver `sightline serve` runs) and compares what it stored.
func TestSightlineReceiver(t *testing.T) {
	recv := sightlinetest.NewReceiver(t)
	spans := otlpenctest.Spans(25)
	stored := func(exp sdktrace.SpanExporter) []string {
		recv.Reset()
		if err := exp.ExportSpans(context.Background(), spans); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range recv.RequireSpans(len(spans), 5*time.Second) {
			td := ptrace.NewTraces()
			rs := td.ResourceSpans().AppendEmpty()
			s.Resource.CopyTo(rs.Resource())
			ss := rs.ScopeSpans().AppendEmpty()
			s.Scope.CopyTo(ss.Scope())
			s.CopyTo(ss.Spans().AppendEmpty())
			out = append(out, asJSON(t, td))
		}
		slices.Sort(out)
		return out
	}
	url := recv.HTTPEndpoint() + "/v1/traces"
	for _, gzip := range []bool{false, true} {
		cfg := otlphttpenc.DefaultConfig(url)
		cfg.Gzip = gzip
		got := stored(newExporter(t, cfg))
		want := stored(sdkExporter(t, url))
		if len(got) != len(want) {
			t.Fatalf("gzip %v: %d spans stored, from the SDK %d", gzip, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("gzip %v: span %d stored differs from the SDK's\n got %s\nwant %s", gzip, i, got[i], want[i])
			}
		}
	}
	if ok, failed := recv.Requests(); ok != 4 || failed != 0 {
		t.Errorf("receiver counted %d accepted and %d refused requests, want 4 and 0", ok, failed)
	}
}

// TestHeaders checks the configured headers are sent, that they may
// replace User-Agent (as in the SDK) but not the content headers.
func TestHeaders(t *testing.T) {
	srv := otlphttptest.NewServer(t, nil)
	cfg := otlphttpenc.DefaultConfig(srv.URL + "/v1/traces")
	cfg.Headers = map[string]string{"Authorization": "Bearer s3cret", "x-tenant": "beamline-7",
		"content-type": "text/plain", "User-Agent": "mine/1"}
	if err := newExporter(t, cfg).ExportSpans(context.Background(), otlpenctest.Spans(3)); err != nil {
		t.Fatal(err)
	}
	h := srv.Received()[0].Header
	for k, want := range map[string]string{"Authorization": "Bearer s3cret", "X-Tenant": "beamline-7",
		"Content-Type": "application/x-protobuf", "User-Agent": "mine/1", "Content-Encoding": ""} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	srv2 := otlphttptest.NewServer(t, nil)
	if err := newExporter(t, otlphttpenc.DefaultConfig(srv2.URL)).ExportSpans(context.Background(), otlpenctest.Spans(1)); err != nil {
		t.Fatal(err)
	}
	if ua := srv2.Received()[0].Header.Get("User-Agent"); !strings.HasPrefix(ua, "sightline") {
		t.Errorf("default User-Agent %q, want the exporter's name", ua)
	}
}

// TestLeanSpansSameRequestAsSDK sends sightline's own spans
// (telemetry/internal/leanspan) with ExportSpanBatch and their Snapshots
// with the SDK's otlptracehttp: the servers receive the same bytes.
func TestLeanSpansSameRequestAsSDK(t *testing.T) {
	lean := otlpenctest.Lean(otlpenctest.Spans(40))
	var batch otlpenc.SpanBatch
	for _, s := range lean {
		batch.Add(s)
	}
	ours, theirs := otlphttptest.NewServer(t, nil), otlphttptest.NewServer(t, nil)
	exp := newExporter(t, otlphttpenc.DefaultConfig(ours.URL+"/v1/traces"))
	if err := exp.ExportSpanBatch(context.Background(), &batch); err != nil {
		t.Fatal(err)
	}
	if err := exp.ExportSpanBatch(context.Background(), otlpenc.NewJSONSpanBatch()); err == nil {
		t.Error("an OTLP-JSON batch was accepted")
	}
	if err := sdkExporter(t, theirs.URL+"/v1/traces").ExportSpans(context.Background(), otlpenctest.Snapshots(lean)); err != nil {
		t.Fatal(err)
	}
	got, want := ours.Received(), theirs.Received()
	if len(got) != 1 || len(want) != 1 {
		t.Fatalf("%d and %d requests, want 1 each", len(got), len(want))
	}
	if !bytes.Equal(got[0].Body, want[0].Body) {
		t.Errorf("body differs from the SDK's (%d vs %d bytes)", len(got[0].Body), len(want[0].Body))
	}
	if n := decode(t, got[0].Body).SpanCount(); n != len(lean) {
		t.Errorf("%d spans sent, want %d", n, len(lean))
	}
}
