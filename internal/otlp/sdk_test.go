package otlp

import (
	"context"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

var sdkResource = resource.NewSchemaless(attribute.String("service.name", "sdk-test"))

// errorList keeps the errors of an exporter wrapped by catchSpans/catchLogs,
// which processors would otherwise hand to the global error handler.
type errorList struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorList) add(err error) {
	if err != nil {
		l.mu.Lock()
		l.errs = append(l.errs, err)
		l.mu.Unlock()
	}
}

func (l *errorList) get() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

type catchSpans struct {
	sdktrace.SpanExporter
	errs *errorList
}

func (c catchSpans) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	c.errs.add(c.SpanExporter.ExportSpans(ctx, spans))
	return nil
}

type catchLogs struct {
	sdklog.Exporter
	errs *errorList
}

func (c catchLogs) Export(ctx context.Context, records []sdklog.Record) error {
	c.errs.add(c.Exporter.Export(ctx, records))
	return nil
}

// TestSDKTraceExporters sends spans through a real SDK TracerProvider and
// each OTLP trace exporter, and checks what the sink stored.
func TestSDKTraceExporters(t *testing.T) {
	tests := []struct {
		name string
		new  func(ctx context.Context, grpcAddr, httpAddr string) (sdktrace.SpanExporter, error)
	}{
		{"otlptracegrpc", func(ctx context.Context, g, _ string) (sdktrace.SpanExporter, error) {
			return otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(g), otlptracegrpc.WithInsecure())
		}},
		{"otlptracegrpc gzip", func(ctx context.Context, g, _ string) (sdktrace.SpanExporter, error) {
			return otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(g), otlptracegrpc.WithInsecure(), otlptracegrpc.WithCompressor("gzip"))
		}},
		{"otlptracehttp protobuf", func(ctx context.Context, _, h string) (sdktrace.SpanExporter, error) {
			return otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(h), otlptracehttp.WithInsecure())
		}},
		{"otlptracehttp protobuf gzip", func(ctx context.Context, _, h string) (sdktrace.SpanExporter, error) {
			return otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(h), otlptracehttp.WithInsecure(), otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
		}},
		{"otlptracehttp JSON", func(ctx context.Context, _, h string) (sdktrace.SpanExporter, error) {
			return otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(h), otlptracehttp.WithInsecure(), otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newFakeSink()
			r := startReceiver(t, testConfig(), sink)
			ctx := context.Background()
			grpcAddr, httpAddr := r.Addrs()
			exp, err := tt.new(ctx, grpcAddr, httpAddr)
			if err != nil {
				t.Fatalf("new exporter: %v", err)
			}
			errs := &errorList{}
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(catchSpans{exp, errs}), sdktrace.WithResource(sdkResource))
			_, parent := tp.Tracer("test").Start(ctx, "parent", withAttr("k", "v"))
			_, child := tp.Tracer("test").Start(sdktraceContext(parent), "child")
			child.End()
			parent.End()
			if err := tp.Shutdown(ctx); err != nil {
				t.Fatalf("TracerProvider.Shutdown: %v", err)
			}
			if e := errs.get(); len(e) > 0 {
				t.Fatalf("export errors: %v", e)
			}

			spans := sink.gotSpans()
			if len(spans) != 2 {
				t.Fatalf("sink got %d spans, want 2: %+v", len(spans), spans)
			}
			byName := map[string]gotSpan{}
			for _, s := range spans {
				byName[s.name] = s
			}
			p, c := byName["parent"], byName["child"]
			if p.traceID != parent.SpanContext().TraceID().String() || p.spanID != parent.SpanContext().SpanID().String() {
				t.Errorf("parent ids = %s/%s, want %s/%s", p.traceID, p.spanID, parent.SpanContext().TraceID(), parent.SpanContext().SpanID())
			}
			if c.traceID != p.traceID {
				t.Errorf("child trace id %s, want the parent's %s", c.traceID, p.traceID)
			}
			if p.attrs["k"] != "v" || p.service != "sdk-test" {
				t.Errorf("parent attrs %v service %q, want k=v service sdk-test", p.attrs, p.service)
			}
			st := r.Stats().Traces
			if st.StoredItems != 2 || st.ReceivedItems != 2 || st.Requests.GRPC+st.Requests.HTTP != 2 {
				t.Errorf("stats %+v, want 2 received and stored in 2 requests", st)
			}
		})
	}
}

// TestSDKLogExporters sends log records through a real SDK LoggerProvider
// and each OTLP log exporter.
func TestSDKLogExporters(t *testing.T) {
	tests := []struct {
		name string
		new  func(ctx context.Context, grpcAddr, httpAddr string) (sdklog.Exporter, error)
	}{
		{"otlploggrpc", func(ctx context.Context, g, _ string) (sdklog.Exporter, error) {
			return otlploggrpc.New(ctx, otlploggrpc.WithEndpoint(g), otlploggrpc.WithInsecure())
		}},
		{"otlploghttp", func(ctx context.Context, _, h string) (sdklog.Exporter, error) {
			return otlploghttp.New(ctx, otlploghttp.WithEndpoint(h), otlploghttp.WithInsecure())
		}},
		{"otlploghttp gzip", func(ctx context.Context, _, h string) (sdklog.Exporter, error) {
			return otlploghttp.New(ctx, otlploghttp.WithEndpoint(h), otlploghttp.WithInsecure(), otlploghttp.WithCompression(otlploghttp.GzipCompression))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := newFakeSink()
			r := startReceiver(t, testConfig(), sink)
			ctx := context.Background()
			grpcAddr, httpAddr := r.Addrs()
			exp, err := tt.new(ctx, grpcAddr, httpAddr)
			if err != nil {
				t.Fatalf("new exporter: %v", err)
			}
			errs := &errorList{}
			lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(catchLogs{exp, errs})), sdklog.WithResource(sdkResource))
			var rec otellog.Record
			rec.SetBody(attribute.StringValue("hello receiver"))
			rec.SetSeverity(otellog.SeverityWarn)
			rec.SetSeverityText("WARN")
			rec.AddAttributes(attribute.String("user", "ada"), attribute.Int("n", 3))
			lp.Logger("test").Emit(ctx, rec)
			if err := lp.Shutdown(ctx); err != nil {
				t.Fatalf("LoggerProvider.Shutdown: %v", err)
			}
			if e := errs.get(); len(e) > 0 {
				t.Fatalf("export errors: %v", e)
			}
			logs := sink.gotLogs()
			if len(logs) != 1 {
				t.Fatalf("sink got %d log records, want 1: %+v", len(logs), logs)
			}
			got := logs[0]
			if got.body != "hello receiver" || got.severity != "WARN" || got.attrs["user"] != "ada" || got.attrs["n"] != int64(3) {
				t.Errorf("log record %+v, want body, severity and attributes as emitted", got)
			}
			if st := r.Stats().Logs; st.StoredItems != 1 || st.ReceivedItems != 1 {
				t.Errorf("stats %+v, want 1 received and stored", st)
			}
		})
	}
}

func withAttr(k, v string) trace.SpanStartOption {
	return trace.WithAttributes(attribute.String(k, v))
}

func sdktraceContext(parent trace.Span) context.Context {
	return trace.ContextWithSpan(context.Background(), parent)
}
