package otlpjson_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/sightline-dev/sightline/internal/otlphttp/otlphttptest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpjson"
)

// spanBatcher is what both span exporters offer for sightline's own spans.
type spanBatcher interface {
	NewSpanBatch() *otlpenc.SpanBatch
	ExportSpanBatch(context.Context, *otlpenc.SpanBatch) error
}

// leanBatch is otlpenctest's spans replayed through leanspan, in a batch
// of exp's kind, and the spans' snapshots.
func leanBatch(exp spanBatcher) (*otlpenc.SpanBatch, []byte) {
	lean := otlpenctest.Lean(otlpenctest.Spans(30))
	b := exp.NewSpanBatch()
	for _, s := range lean {
		b.Add(s)
	}
	var enc otlpenc.Encoder
	return b, enc.AppendTracesJSON(nil, otlpenctest.Snapshots(lean))
}

// TestFileExporterSpanBatch: a batch of sightline's own spans is written
// as the line ExportSpans writes for their snapshots; a protobuf batch is
// refused.
func TestFileExporterSpanBatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spans.jsonl")
	e, err := otlpjson.NewFileSpanExporter(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	b, want := leanBatch(e)
	if err := e.ExportSpanBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if err := e.ExportSpanBatch(context.Background(), new(otlpenc.SpanBatch)); err == nil {
		t.Error("a protobuf batch was accepted")
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, append(want, '\n')) {
		t.Errorf("file holds %d bytes, want the snapshots' line of %d", len(got), len(want)+1)
	}
}

// TestHTTPExporterSpanBatch: a batch of sightline's own spans is posted as
// the body ExportSpans posts for their snapshots.
func TestHTTPExporterSpanBatch(t *testing.T) {
	srv := otlphttptest.NewServer(t, otlphttptest.Reply(http.StatusOK, ""))
	e := otlpjson.NewHTTPSpanExporter(srv.URL + "/v1/traces")
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	b, want := leanBatch(e)
	if err := e.ExportSpanBatch(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if err := e.ExportSpanBatch(context.Background(), new(otlpenc.SpanBatch)); err == nil {
		t.Error("a protobuf batch was accepted")
	}
	if got := srv.Received(); len(got) != 1 || !bytes.Equal(got[0].Body, want) {
		t.Errorf("%d requests; want one with the snapshots' body", len(got))
	}
}
