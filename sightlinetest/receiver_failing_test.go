package sightlinetest_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc/codes"

	"github.com/sightline-dev/sightline/sightlinetest"
)

// wantFailMsg is in every refusal the receiver sends in failing mode.
const wantFailMsg = "receiver set to fail"

// TestSetFailingTraces checks that the SDK span exporters get an error while
// the receiver is failing, and deliver again once it is not.
func TestSetFailingTraces(t *testing.T) {
	tests := []struct {
		name     string
		exporter func(t *testing.T, r *sightlinetest.Receiver) sdktrace.SpanExporter
		wantErr  string
	}{
		{"grpc", func(t *testing.T, r *sightlinetest.Receiver) sdktrace.SpanExporter {
			return newGRPCTraceExporter(t, r)
		}, "Unavailable"},
		{"http", func(t *testing.T, r *sightlinetest.Receiver) sdktrace.SpanExporter {
			return newHTTPTraceExporter(t, r)
		}, "retry-able request failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv := sightlinetest.NewReceiver(t)
			tp, errs := newTracerProvider(t, tt.exporter(t, recv))
			tracer := tp.Tracer("failing")

			recv.SetFailing(true)
			_, span := tracer.Start(context.Background(), "lost")
			span.End()
			checkRefused(t, errs, tt.wantErr)
			if n := len(recv.Spans()); n != 0 {
				t.Errorf("%d spans recorded while failing", n)
			}
			if ok, failed := recv.Requests(); ok != 0 || failed != 1 {
				t.Errorf("Requests() = %d, %d; want 0, 1", ok, failed)
			}

			recv.SetFailing(false)
			_, span = tracer.Start(context.Background(), "delivered")
			span.End()
			if got := recv.RequireSpans(1, waitTimeout); got[0].Name() != "delivered" {
				t.Errorf("got %q, want delivered", got[0].Name())
			}
			if ok, failed := recv.Requests(); ok != 1 || failed != 1 {
				t.Errorf("Requests() = %d, %d; want 1, 1", ok, failed)
			}
			if n := len(errs.errors()); n != 1 {
				t.Errorf("%d exporter errors, want only the one while failing", n)
			}
		})
	}
}

// TestSetFailingLogs is TestSetFailingTraces for the log exporters.
func TestSetFailingLogs(t *testing.T) {
	tests := []struct {
		name     string
		exporter func(t *testing.T, r *sightlinetest.Receiver) sdklog.Exporter
		wantErr  string
	}{
		{"grpc", func(t *testing.T, r *sightlinetest.Receiver) sdklog.Exporter {
			return newGRPCLogExporter(t, r)
		}, "Unavailable"},
		{"http", func(t *testing.T, r *sightlinetest.Receiver) sdklog.Exporter {
			return newHTTPLogExporter(t, r)
		}, "retry-able request failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv := sightlinetest.NewReceiver(t)
			lp, errs := newLoggerProvider(t, tt.exporter(t, recv))
			logger := lp.Logger("failing")
			emit := func(body string) {
				var rec log.Record
				rec.SetBody(attribute.StringValue(body))
				logger.Emit(context.Background(), rec)
			}

			recv.SetFailing(true)
			emit("lost")
			checkRefused(t, errs, tt.wantErr)
			if n := len(recv.Logs()); n != 0 {
				t.Errorf("%d log records recorded while failing", n)
			}

			recv.SetFailing(false)
			emit("delivered")
			if got := recv.RequireLogs(1, waitTimeout); got[0].Body().AsString() != "delivered" {
				t.Errorf("got %q, want delivered", got[0].Body().AsString())
			}
			if ok, failed := recv.Requests(); ok != 1 || failed != 1 {
				t.Errorf("Requests() = %d, %d; want 1, 1", ok, failed)
			}
		})
	}
}

// TestSetFailingHTTPResponse checks the 503 itself: Retry-After and a JSON
// Status for a JSON request.
func TestSetFailingHTTPResponse(t *testing.T) {
	recv := sightlinetest.NewReceiver(t)
	recv.SetFailing(true)

	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("x")
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	resp := post(t, http.MethodPost, recv.HTTPEndpoint()+"/v1/logs", "application/json", "", body)
	if resp.status != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", resp.status)
	}
	if ra := resp.header.Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After %q, want 1", ra)
	}
	if ct := resp.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.Contains(string(resp.body), `"code":`+strconv.Itoa(int(codes.Unavailable))) {
		t.Errorf("body %s lacks code UNAVAILABLE", resp.body)
	}
	if msg := errorText(t, resp); !strings.Contains(msg, wantFailMsg) {
		t.Errorf("message %q", msg)
	}
}

func checkRefused(t *testing.T, errs *errorCatcher, want string) {
	t.Helper()
	got := errs.errors()
	if len(got) != 1 {
		t.Fatalf("exporter returned %d errors, want 1: %v", len(got), got)
	}
	if msg := got[0].Error(); !strings.Contains(msg, want) || !strings.Contains(msg, wantFailMsg) {
		t.Errorf("exporter error %q, want %q and %q", msg, want, wantFailMsg)
	}
}
