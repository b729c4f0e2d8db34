package sightlinetest_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/sightlinetest"
)

// TestLogsFromSDK emits a log record, inside a span context, through the
// real SDK and exporters over both transports.
func TestLogsFromSDK(t *testing.T) {
	tests := []struct {
		name      string
		transport string
		exporter  func(t *testing.T, r *sightlinetest.Receiver) sdklog.Exporter
	}{
		{"grpc", sightlinetest.TransportGRPC, func(t *testing.T, r *sightlinetest.Receiver) sdklog.Exporter {
			return newGRPCLogExporter(t, r)
		}},
		{"http", sightlinetest.TransportHTTP, func(t *testing.T, r *sightlinetest.Receiver) sdklog.Exporter {
			return newHTTPLogExporter(t, r)
		}},
		{"http gzip", sightlinetest.TransportHTTP, func(t *testing.T, r *sightlinetest.Receiver) sdklog.Exporter {
			return newHTTPLogExporter(t, r, otlploghttp.WithCompression(otlploghttp.GzipCompression))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv := sightlinetest.NewReceiver(t)
			lp, errs := newLoggerProvider(t, tt.exporter(t, recv))
			logger := lp.Logger("receiver-test/logger")

			sc := trace.NewSpanContext(trace.SpanContextConfig{
				TraceID:    trace.TraceID{0xa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
				SpanID:     trace.SpanID{0xb, 1, 2, 3, 4, 5, 6, 7},
				TraceFlags: trace.FlagsSampled,
			})
			ctx := trace.ContextWithSpanContext(context.Background(), sc)
			var rec log.Record
			rec.SetBody(attribute.StringValue("payment declined"))
			rec.SetSeverity(log.SeverityWarn)
			rec.SetSeverityText("WARN")
			rec.AddAttributes(attribute.String("order.id", "o-7"), attribute.Int("attempt", 2))
			logger.Emit(ctx, rec)

			got := only(t, recv.RequireLogs(1, waitTimeout))
			if e := errs.errors(); len(e) != 0 {
				t.Errorf("exporter errors: %v", e)
			}
			if got.Body().AsString() != "payment declined" {
				t.Errorf("body %q", got.Body().AsString())
			}
			if got.SeverityNumber() != plog.SeverityNumberWarn || got.SeverityText() != "WARN" {
				t.Errorf("severity %v %q", got.SeverityNumber(), got.SeverityText())
			}
			if v, ok := got.Attributes().Get("order.id"); !ok || v.Str() != "o-7" {
				t.Errorf("order.id = %v, %v", v.AsString(), ok)
			}
			if v, ok := got.Attributes().Get("attempt"); !ok || v.Int() != 2 {
				t.Errorf("attempt = %v, %v", v.AsString(), ok)
			}
			if got.TraceID() != pcommon.TraceID(sc.TraceID()) || got.SpanID() != pcommon.SpanID(sc.SpanID()) {
				t.Errorf("trace/span id %v/%v, want %v/%v", got.TraceID(), got.SpanID(), sc.TraceID(), sc.SpanID())
			}
			if v, _ := got.Resource.Attributes().Get("service.name"); v.Str() != "receiver-test" {
				t.Errorf("service.name %q", v.Str())
			}
			if got.Scope.Name() != "receiver-test/logger" {
				t.Errorf("scope %q", got.Scope.Name())
			}
			if got.Transport != tt.transport {
				t.Errorf("transport %q, want %q", got.Transport, tt.transport)
			}
			if len(recv.Spans()) != 0 {
				t.Errorf("logs were recorded as spans: %q", recv.SpanNames())
			}
		})
	}
}

func newGRPCLogExporter(t *testing.T, r *sightlinetest.Receiver, opts ...otlploggrpc.Option) sdklog.Exporter {
	t.Helper()
	opts = append([]otlploggrpc.Option{
		otlploggrpc.WithEndpointURL(r.GRPCEndpoint()),
		otlploggrpc.WithInsecure(),
		otlploggrpc.WithRetry(otlploggrpc.RetryConfig{Enabled: false}),
	}, opts...)
	exp, err := otlploggrpc.New(context.Background(), opts...)
	if err != nil {
		t.Fatalf("new otlploggrpc exporter: %v", err)
	}
	return exp
}

func newHTTPLogExporter(t *testing.T, r *sightlinetest.Receiver, opts ...otlploghttp.Option) sdklog.Exporter {
	t.Helper()
	opts = append([]otlploghttp.Option{
		otlploghttp.WithEndpointURL(r.HTTPEndpoint() + "/v1/logs"),
		otlploghttp.WithRetry(otlploghttp.RetryConfig{Enabled: false}),
	}, opts...)
	exp, err := otlploghttp.New(context.Background(), opts...)
	if err != nil {
		t.Fatalf("new otlploghttp exporter: %v", err)
	}
	return exp
}
