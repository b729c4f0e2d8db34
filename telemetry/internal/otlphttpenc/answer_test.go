package otlphttpenc_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/sightline-dev/sightline/internal/otlphttp"
	"github.com/sightline-dev/sightline/internal/otlphttp/otlphttptest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

// TestRetryThenSuccess: 503, 429 and 502 answers (with Retry-After: 0) are
// retried and the fourth attempt succeeds with the same body.
func TestRetryThenSuccess(t *testing.T) {
	srv := otlphttptest.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n <= 3 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader([]int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusBadGateway}[n-1])
		}
	})
	if err := newExporter(t, fastRetry(srv.URL)).ExportSpans(context.Background(), otlpenctest.Spans(5)); err != nil {
		t.Fatalf("export: %v", err)
	}
	got := srv.Received()
	if len(got) != 4 {
		t.Fatalf("%d attempts, want 4", len(got))
	}
	for i, r := range got[1:] {
		if string(r.Body) != string(got[0].Body) {
			t.Errorf("attempt %d sent another body", i+2)
		}
	}
}

// TestNoRetry: other statuses fail at once with the status and the
// server's message; so does a 503 with retries disabled.
func TestNoRetry(t *testing.T) {
	rpcStatus, _ := proto.Marshal(&statuspb.Status{Code: 3, Message: "span 7: invalid trace id"})
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
		retry       bool
		wantMsg     string
	}{
		{"400 google.rpc.Status", 400, "application/x-protobuf", string(rpcStatus), true, "span 7: invalid trace id"},
		{"400 text", 400, "text/plain", "bad request body\n", true, "bad request body"},
		{"401 empty", 401, "", "", true, "(empty)"},
		{"500", 500, "text/plain", "boom", true, "boom"},
		{"413 huge body bounded", 413, "text/plain", strings.Repeat("x", 1<<20), true, strings.Repeat("x", 4096)},
		{"503 retry disabled", 503, "text/plain", "down", false, "down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := otlphttptest.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			cfg := fastRetry(srv.URL)
			cfg.Retry.Enabled = tc.retry
			err := newExporter(t, cfg).ExportSpans(context.Background(), otlpenctest.Spans(2))
			var se *otlphttp.StatusError
			if !errors.As(err, &se) {
				t.Fatalf("error %v, want a *otlphttp.StatusError", err)
			}
			if se.StatusCode != tc.status || se.Message != tc.wantMsg {
				t.Errorf("status %d message %.60q, want %d %.60q", se.StatusCode, se.Message, tc.status, tc.wantMsg)
			}
			if n := len(srv.Received()); n != 1 {
				t.Errorf("%d attempts, want 1", n)
			}
		})
	}
}

// TestRetryStopsAtDeadline: a server that always answers 503 is retried
// until the export timeout, then the export fails with its status.
func TestRetryStopsAtDeadline(t *testing.T) {
	srv := otlphttptest.NewServer(t, otlphttptest.Reply(http.StatusServiceUnavailable, `{}`))
	cfg := fastRetry(srv.URL)
	cfg.Timeout = 200 * time.Millisecond
	start := time.Now()
	err := newExporter(t, cfg).ExportSpans(context.Background(), otlpenctest.Spans(1))
	var se *otlphttp.StatusError
	if !errors.As(err, &se) || se.StatusCode != 503 {
		t.Fatalf("error %v, want the 503", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("gave up after %v, timeout 200ms", d)
	}
	if n := len(srv.Received()); n < 2 {
		t.Errorf("%d attempts, want retries", n)
	}
}

// TestPartialSuccess: a 200 answer with partial_success is the export's
// error, which the batch processor hands to the OTel error handler, as
// with the SDK's exporter; a warning without rejected spans too; an empty
// partial success is no error.
func TestPartialSuccess(t *testing.T) {
	answer := func(rejected int64, msg string, json bool) otlphttptest.Responder {
		resp := ptraceotlp.NewExportResponse()
		resp.PartialSuccess().SetRejectedSpans(rejected)
		resp.PartialSuccess().SetErrorMessage(msg)
		marshal, ct := resp.MarshalProto, "application/x-protobuf"
		if json {
			marshal, ct = resp.MarshalJSON, "application/json"
		}
		body, err := marshal()
		if err != nil {
			t.Fatal(err)
		}
		return func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", ct)
			_, _ = w.Write(body)
		}
	}
	for _, tc := range []struct {
		name    string
		respond otlphttptest.Responder
		want    string // "" for no error
	}{
		{"protobuf", answer(2, "2 spans too old", false), "OTLP partial success: 2 spans too old (2 spans rejected)"},
		{"json", answer(3, "", true), "OTLP partial success: empty message (3 spans rejected)"},
		{"warning", answer(0, "slow down", false), "OTLP partial success: slow down (0 spans rejected)"},
		{"none", answer(0, "", false), ""},
		{"not OTLP", otlphttptest.Reply(200, "OK"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := otlphttptest.NewServer(t, tc.respond)
			exp := newExporter(t, otlphttpenc.DefaultConfig(srv.URL))
			var handled []error
			var mu sync.Mutex
			prev := otel.GetErrorHandler()
			otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { mu.Lock(); handled = append(handled, err); mu.Unlock() }))
			t.Cleanup(func() { otel.SetErrorHandler(prev) })

			tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
			_, s := tp.Tracer("t").Start(context.Background(), "s")
			s.End()
			if err := tp.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if tc.want == "" {
				if len(handled) != 0 {
					t.Errorf("error handler got %v, want nothing", handled)
				}
				return
			}
			var ps *otlpretry.PartialSuccessError
			if len(handled) != 1 || !errors.As(handled[0], &ps) || handled[0].Error() != tc.want {
				t.Errorf("error handler got %v, want one %q", handled, tc.want)
			}
		})
	}
}
