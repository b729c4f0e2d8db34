package otlpjson_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/internal/otlphttp/otlphttptest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpjson"
)

// pdataBatches are batches of every shape the exporters' tests use, with
// what pdata writes for them as OTLP-JSON (the exporters' output before
// they encoded with otlpenc): full spans of every attribute type under
// two resources (and one with the first's attributes under another schema
// URL), simple spans, and full and simple records.
func pdataBatches(t *testing.T) (spans []sdktrace.ReadOnlySpan, spansJSON []byte, records []sdklog.Record, logsJSON []byte) {
	t.Helper()
	full := fullSpan(t)
	other := fullSpan(t)
	other.Resource = resource.NewWithAttributes("https://example.com/other-schema", full.Resource.Attributes()...)
	spans = append(simpleSpans(t, 3), full.Snapshot(), other.Snapshot(), full.Snapshot())
	spansJSON, err := ptraceotlp.NewExportRequestFromTraces(otlpjson.Traces(spans)).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}

	exp := &captureExporter{}
	logger := newLoggerProvider(t, exp, "svc", sdklog.WithAllowKeyDuplication()).Logger("full")
	var r log.Record
	r.SetTimestamp(testStart)
	r.SetSeverity(log.SeverityError2)
	r.SetSeverityText("ERROR2")
	r.SetBody(attribute.MapValue(allAttrs()...))
	r.AddAttributes(allAttrs()...)
	r.AddAttributes(attribute.String("string", "repeated"))
	r.SetEventName("event")
	logger.Emit(context.Background(), r)
	records = append(testRecords(t, 3), exp.take()...)
	logsJSON, err = plogotlp.NewExportRequestFromLogs(otlpjson.Logs(records)).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return spans, spansJSON, records, logsJSON
}

// TestFileLinesArePdataJSON checks that each line the file exporters write
// is, byte for byte, pdata's JSON of the batch as Traces and Logs convert
// it, as the exporters wrote before they encoded with otlpenc.
func TestFileLinesArePdataJSON(t *testing.T) {
	ctx := context.Background()
	spans, spansJSON, records, logsJSON := pdataBatches(t)
	dir := t.TempDir()
	se, err := otlpjson.NewFileSpanExporter(filepath.Join(dir, "spans.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	le, err := otlpjson.NewFileLogExporter(filepath.Join(dir, "logs.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second export reuses pooled encoders
		if err := se.ExportSpans(ctx, spans); err != nil {
			t.Fatal(err)
		}
		if err := le.Export(ctx, records); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name string
		want []byte
		shut func(context.Context) error
	}{{"spans.jsonl", spansJSON, se.Shutdown}, {"logs.jsonl", logsJSON, le.Shutdown}} {
		if err := tt.shut(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, tt.name))
		if err != nil {
			t.Fatal(err)
		}
		if want := string(tt.want) + "\n" + string(tt.want) + "\n"; string(got) != want {
			t.Errorf("%s holds\n%s\nwant\n%s", tt.name, got, want)
		}
	}
}

// TestHTTPBodiesArePdataJSON is TestFileLinesArePdataJSON for the HTTP
// exporters' request bodies.
func TestHTTPBodiesArePdataJSON(t *testing.T) {
	ctx := context.Background()
	spans, spansJSON, records, logsJSON := pdataBatches(t)
	srv := otlphttptest.NewServer(t, otlphttptest.Reply(http.StatusOK, ""))
	se := otlpjson.NewHTTPSpanExporter(srv.URL + "/v1/traces")
	le := otlpjson.NewHTTPLogExporter(srv.URL + "/v1/logs")
	t.Cleanup(func() {
		_ = se.Shutdown(ctx)
		_ = le.Shutdown(ctx)
	})
	for range 2 {
		if err := se.ExportSpans(ctx, spans); err != nil {
			t.Fatal(err)
		}
		if err := le.Export(ctx, records); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.Received()
	if len(got) != 4 {
		t.Fatalf("server received %d requests, want 4", len(got))
	}
	for i, want := range [][]byte{spansJSON, logsJSON, spansJSON, logsJSON} {
		if string(got[i].Body) != string(want) {
			t.Errorf("request %d body\n%s\nwant\n%s", i, got[i].Body, want)
		}
	}
}
