package otlphttpenc_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"

	"github.com/sightline-dev/sightline/internal/otlphttp/otlphttptest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

func decodeLogs(t testing.TB, body []byte) plog.Logs {
	t.Helper()
	req := plogotlp.NewExportRequest()
	if err := req.UnmarshalProto(body); err != nil {
		t.Fatalf("decode logs request of %d bytes: %v", len(body), err)
	}
	return req.Logs()
}

func logsJSON(t testing.TB, ld plog.Logs) string {
	t.Helper()
	b, err := plogotlp.NewExportRequestFromLogs(ld).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func newLogExporter(t testing.TB, cfg otlphttpenc.Config) *otlphttpenc.LogExporter {
	t.Helper()
	e, err := otlphttpenc.NewLog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	return e
}

// TestLogsSameRequestAsSDK sends the same records with the log exporter
// and the SDK's otlploghttp, each to a recording server: the same bytes
// (one resource), the same decoded logs, the same content headers.
func TestLogsSameRequestAsSDK(t *testing.T) {
	records := otlpenctest.Records(30)
	for _, gzip := range []bool{false, true} {
		ours, theirs := otlphttptest.NewServer(t, nil), otlphttptest.NewServer(t, nil)
		cfg := otlphttpenc.DefaultConfig(ours.URL + "/v1/logs")
		cfg.Gzip = gzip
		opts := []otlploghttp.Option{otlploghttp.WithEndpointURL(theirs.URL + "/v1/logs")}
		if gzip {
			opts = append(opts, otlploghttp.WithCompression(otlploghttp.GzipCompression))
		}
		sdk, err := otlploghttp.New(context.Background(), opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sdk.Shutdown(context.Background()) })
		if err := newLogExporter(t, cfg).Export(context.Background(), records); err != nil {
			t.Fatal(err)
		}
		if err := sdk.Export(context.Background(), records); err != nil {
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
		if !bytes.Equal(got[0].Body, want[0].Body) {
			t.Errorf("gzip %v: body differs from the SDK's (%d vs %d bytes)", gzip, len(got[0].Body), len(want[0].Body))
		}
		if g, w := logsJSON(t, decodeLogs(t, got[0].Body)), logsJSON(t, decodeLogs(t, want[0].Body)); g != w {
			t.Errorf("gzip %v: decoded request differs from the SDK's\n got %.400s\nwant %.400s", gzip, g, w)
		}
		if n := decodeLogs(t, got[0].Body).LogRecordCount(); n != len(records) {
			t.Errorf("%d records sent, want %d", n, len(records))
		}
	}
}

// TestLogsRetryAndPartialSuccess: the log exporter retries a 503 as the
// span exporter does and reports a partial success in the SDK's words
// for log records.
func TestLogsRetryAndPartialSuccess(t *testing.T) {
	resp := plogotlp.NewExportResponse()
	resp.PartialSuccess().SetRejectedLogRecords(2)
	resp.PartialSuccess().SetErrorMessage("too old")
	body, err := resp.MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	srv := otlphttptest.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(body)
	})
	err = newLogExporter(t, fastRetry(srv.URL+"/v1/logs")).Export(context.Background(), otlpenctest.Records(3))
	ps, ok := errors.AsType[*otlpretry.PartialSuccessError](err)
	if !ok || ps.Kind != otlpretry.KindLogs || ps.Rejected != 2 {
		t.Fatalf("export: %v, want a partial success of 2 log records", err)
	}
	if want := "OTLP partial success: too old (2 logs rejected)"; err.Error() != want {
		t.Errorf("error %q, the SDK's text is %q", err, want)
	}
	if n := len(srv.Received()); n != 2 {
		t.Errorf("%d requests, want 2 (one retry after the 503)", n)
	}
}
