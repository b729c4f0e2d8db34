package sightlinetest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/sightlinetest"
)

const waitTimeout = 10 * time.Second

// TestTracesFromSDK sends a parent and a child span through the real SDK
// and exporters over every transport and checks what the receiver recorded.
func TestTracesFromSDK(t *testing.T) {
	tests := []struct {
		name      string
		transport string
		exporter  func(t *testing.T, r *sightlinetest.Receiver) sdktrace.SpanExporter
	}{
		{"grpc", sightlinetest.TransportGRPC, func(t *testing.T, r *sightlinetest.Receiver) sdktrace.SpanExporter {
			return newGRPCTraceExporter(t, r)
		}},
		{"grpc gzip", sightlinetest.TransportGRPC, func(t *testing.T, r *sightlinetest.Receiver) sdktrace.SpanExporter {
			return newGRPCTraceExporter(t, r, otlptracegrpc.WithCompressor("gzip"))
		}},
		{"http protobuf", sightlinetest.TransportHTTP, func(t *testing.T, r *sightlinetest.Receiver) sdktrace.SpanExporter {
			return newHTTPTraceExporter(t, r)
		}},
		{"http protobuf gzip", sightlinetest.TransportHTTP, func(t *testing.T, r *sightlinetest.Receiver) sdktrace.SpanExporter {
			return newHTTPTraceExporter(t, r, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
		}},
		{"http json", sightlinetest.TransportHTTP, func(t *testing.T, r *sightlinetest.Receiver) sdktrace.SpanExporter {
			return newHTTPTraceExporter(t, r, otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv := sightlinetest.NewReceiver(t)
			tp, errs := newTracerProvider(t, tt.exporter(t, recv))
			tracer := tp.Tracer("receiver-test/tracer", trace.WithInstrumentationVersion("1.2.3"))

			ctx, parent := tracer.Start(context.Background(), "parent", trace.WithSpanKind(trace.SpanKindServer))
			_, child := tracer.Start(ctx, "child", trace.WithAttributes(
				attribute.String("user.id", "u-42"),
				attribute.Int("items", 3),
			))
			child.SetStatus(codes.Error, "out of stock")
			child.End()
			parent.End()

			spans := recv.RequireSpans(2, waitTimeout)
			if len(spans) != 2 {
				t.Fatalf("got %d spans, want 2: %q", len(spans), recv.SpanNames())
			}
			if got := recv.SpanNames(); got[0] != "child" || got[1] != "parent" {
				t.Errorf("SpanNames() = %q, want [child parent]", got)
			}
			if e := errs.errors(); len(e) != 0 {
				t.Errorf("exporter errors: %v", e)
			}

			gotParent := only(t, recv.SpansNamed("parent"))
			gotChild := only(t, recv.SpansNamed("child"))

			if gotChild.TraceID() != pcommon.TraceID(parent.SpanContext().TraceID()) {
				t.Errorf("child trace id %v, want %v", gotChild.TraceID(), parent.SpanContext().TraceID())
			}
			if gotParent.SpanID() != pcommon.SpanID(parent.SpanContext().SpanID()) {
				t.Errorf("parent span id %v, want %v", gotParent.SpanID(), parent.SpanContext().SpanID())
			}
			if gotChild.ParentSpanID() != gotParent.SpanID() {
				t.Errorf("child parent id %v, want %v", gotChild.ParentSpanID(), gotParent.SpanID())
			}
			if !gotParent.ParentSpanID().IsEmpty() {
				t.Errorf("parent has parent id %v", gotParent.ParentSpanID())
			}
			if gotParent.Kind() != ptrace.SpanKindServer {
				t.Errorf("parent kind %v, want server", gotParent.Kind())
			}
			if v, ok := gotChild.Attributes().Get("user.id"); !ok || v.Str() != "u-42" {
				t.Errorf("child user.id = %v, %v; want u-42", v.AsString(), ok)
			}
			if v, ok := gotChild.Attributes().Get("items"); !ok || v.Int() != 3 {
				t.Errorf("child items = %v, %v; want 3", v.AsString(), ok)
			}
			if gotChild.Status().Code() != ptrace.StatusCodeError || gotChild.Status().Message() != "out of stock" {
				t.Errorf("child status %v %q", gotChild.Status().Code(), gotChild.Status().Message())
			}
			for _, s := range spans {
				if v, ok := s.Resource.Attributes().Get("service.name"); !ok || v.Str() != "receiver-test" {
					t.Errorf("%s: resource service.name = %v, %v", s.Name(), v.AsString(), ok)
				}
				if s.Scope.Name() != "receiver-test/tracer" || s.Scope.Version() != "1.2.3" {
					t.Errorf("%s: scope %q %q", s.Name(), s.Scope.Name(), s.Scope.Version())
				}
				if s.Transport != tt.transport {
					t.Errorf("%s: transport %q, want %q", s.Name(), s.Transport, tt.transport)
				}
			}
			if ok, failed := recv.Requests(); ok != 2 || failed != 0 {
				t.Errorf("Requests() = %d, %d; want 2, 0", ok, failed)
			}
		})
	}
}

// TestTracesRawJSON posts a JSON request encoded by pdata, plain and
// gzipped, and checks the JSON response.
func TestTracesRawJSON(t *testing.T) {
	for _, enc := range []string{"", "gzip"} {
		t.Run("encoding="+enc, func(t *testing.T) {
			recv := sightlinetest.NewReceiver(t)

			td := ptrace.NewTraces()
			rs := td.ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("service.name", "raw-json")
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName("raw")
			sp := ss.Spans().AppendEmpty()
			sp.SetName("json span")
			sp.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
			sp.SetSpanID(pcommon.SpanID{1, 1, 1, 1, 1, 1, 1, 1})
			sp.SetParentSpanID(pcommon.SpanID{2, 2, 2, 2, 2, 2, 2, 2})
			sp.Attributes().PutBool("raw", true)
			body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalJSON()
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if enc == "gzip" {
				body = gzipped(t, body)
			}

			resp := post(t, http.MethodPost, recv.HTTPEndpoint()+"/v1/traces", "application/json; charset=utf-8", enc, body)
			if resp.status != http.StatusOK {
				t.Fatalf("status %d: %s", resp.status, resp.body)
			}
			if ct := resp.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("response Content-Type %q, want application/json", ct)
			}
			if err := ptraceotlp.NewExportResponse().UnmarshalJSON(resp.body); err != nil {
				t.Errorf("response %q is not an ExportTraceServiceResponse: %v", resp.body, err)
			}

			got := only(t, recv.Spans())
			if got.Name() != "json span" || got.Transport != sightlinetest.TransportHTTP {
				t.Errorf("got %q over %q", got.Name(), got.Transport)
			}
			if got.TraceID() != sp.TraceID() || got.ParentSpanID() != sp.ParentSpanID() {
				t.Errorf("ids %v/%v, want %v/%v", got.TraceID(), got.ParentSpanID(), sp.TraceID(), sp.ParentSpanID())
			}
			if v, ok := got.Attributes().Get("raw"); !ok || !v.Bool() {
				t.Errorf("attribute raw = %v, %v", v.AsString(), ok)
			}
			if v, _ := got.Resource.Attributes().Get("service.name"); v.Str() != "raw-json" {
				t.Errorf("service.name %q", v.Str())
			}
		})
	}
}

func newGRPCTraceExporter(t *testing.T, r *sightlinetest.Receiver, opts ...otlptracegrpc.Option) sdktrace.SpanExporter {
	t.Helper()
	opts = append([]otlptracegrpc.Option{
		otlptracegrpc.WithEndpointURL(r.GRPCEndpoint()),
		otlptracegrpc.WithInsecure(),
		otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: false}),
	}, opts...)
	exp, err := otlptracegrpc.New(context.Background(), opts...)
	if err != nil {
		t.Fatalf("new otlptracegrpc exporter: %v", err)
	}
	return exp
}

func newHTTPTraceExporter(t *testing.T, r *sightlinetest.Receiver, opts ...otlptracehttp.Option) sdktrace.SpanExporter {
	t.Helper()
	opts = append([]otlptracehttp.Option{
		otlptracehttp.WithEndpointURL(r.HTTPEndpoint() + "/v1/traces"),
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}),
	}, opts...)
	exp, err := otlptracehttp.New(context.Background(), opts...)
	if err != nil {
		t.Fatalf("new otlptracehttp exporter: %v", err)
	}
	return exp
}

// only returns the single element of s, failing the test otherwise.
func only[T any](t *testing.T, s []T) T {
	t.Helper()
	if len(s) != 1 {
		t.Fatalf("got %d elements, want 1", len(s))
	}
	return s[0]
}
