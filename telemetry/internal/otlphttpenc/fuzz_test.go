package otlphttpenc_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
)

// FuzzAnswer feeds arbitrary answers (status, Content-Type, Retry-After,
// body) to an export: it must end with nil or an error, never panic or
// hang.
func FuzzAnswer(f *testing.F) {
	f.Add(200, "application/x-protobuf", "", []byte{0x0a, 0x04, 0x08, 0x02, 0x12, 0x00})
	f.Add(200, "application/json", "", []byte(`{"partialSuccess":{"rejectedSpans":"2"}}`))
	f.Add(400, "application/x-protobuf", "", []byte{0x12, 0x03, 'b', 'a', 'd'})
	f.Add(503, "text/plain", "Wed, 21 Oct 2015 07:28:00 GMT", []byte("down"))
	spans := otlpenctest.Spans(1)
	f.Fuzz(func(t *testing.T, status int, contentType, retryAfter string, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		cfg := otlphttpenc.DefaultConfig("http://collector.invalid/v1/traces")
		cfg.Retry.Enabled = false
		cfg.HTTPClient = &http.Client{Transport: roundTripper(func(*http.Request) *http.Response {
			r := answer(status, retryAfter)
			r.Header.Set("Content-Type", contentType)
			r.Body = io.NopCloser(bytes.NewReader(body))
			return r
		})}
		_ = newExporter(t, cfg).ExportSpans(context.Background(), spans)
	})
}
