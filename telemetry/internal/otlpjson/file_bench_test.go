package otlpjson

import (
	"context"
	"os"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// benchSize is the SDK's default export batch.
const benchSize = 512

var benchResource = resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0",
	attribute.String("service.name", "checkout"), attribute.String("service.version", "1.4.2"),
	attribute.String("deployment.environment", "staging"), attribute.String("host.name", "node-7"),
	attribute.Int("process.pid", 4242))

// benchSpans ends benchSize spans of otlpenc's benchmark shape through a
// real TracerProvider: 8 scalar attributes, an event with 2, a link with 1.
func benchSpans() []sdktrace.ReadOnlySpan {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec), sdktrace.WithResource(benchResource))
	tracer := tp.Tracer("github.com/sightline-dev/sightline/httptrace", trace.WithInstrumentationVersion("0.1.0"))
	link := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{0x0a, 0xf7, 0x65}, SpanID: trace.SpanID{0xb7, 0xad},
		TraceFlags: trace.FlagsSampled, Remote: true})
	start := time.Date(2025, time.March, 4, 5, 6, 7, 0, time.UTC)
	for i := range benchSize {
		at := start.Add(time.Duration(i) * time.Millisecond)
		_, s := tracer.Start(context.Background(), "GET /api/v1/orders/{id}", trace.WithSpanKind(trace.SpanKindServer),
			trace.WithTimestamp(at),
			trace.WithLinks(trace.Link{SpanContext: link, Attributes: []attribute.KeyValue{attribute.String("link.kind", "follows_from")}}),
			trace.WithAttributes(
				attribute.String("http.request.method", "GET"), attribute.String("url.path", "/api/v1/orders/1234"),
				attribute.Int("http.response.status_code", 200), attribute.Int64("http.response.body.size", 5120),
				attribute.Float64("server.duration_ms", 41.75), attribute.Bool("user_agent.synthetic", false),
				attribute.String("client.address", "10.1.2.3"), attribute.String("http.request.header.accept", "application/json")))
		s.AddEvent("cache.miss", trace.WithTimestamp(at.Add(time.Microsecond)),
			trace.WithAttributes(attribute.String("cache.key", "order:1234"), attribute.Int("cache.shard", 3)))
		s.End(trace.WithTimestamp(at.Add(42 * time.Millisecond)))
	}
	return rec.Ended()
}

// recordSink keeps the records a LoggerProvider emits.
type recordSink struct{ records []sdklog.Record }

func (s *recordSink) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }
func (s *recordSink) OnEmit(_ context.Context, r *sdklog.Record) error {
	s.records = append(s.records, r.Clone())
	return nil
}
func (s *recordSink) Shutdown(context.Context) error   { return nil }
func (s *recordSink) ForceFlush(context.Context) error { return nil }

// benchRecords emits benchSize records as the slog bridge writes them: a
// string body, 5 scalar attributes, severity and the span's trace context.
func benchRecords() []sdklog.Record {
	sink := new(recordSink)
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sink), sdklog.WithResource(benchResource))
	logger := lp.Logger("github.com/sightline-dev/sightline/telemetry", log.WithInstrumentationVersion("0.1.0"))
	start := time.Date(2025, time.March, 4, 5, 6, 7, 0, time.UTC)
	for i := range benchSize {
		ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: trace.TraceID{0x0a, 0xf7, 0x65, byte(i)}, SpanID: trace.SpanID{0xb7, 0xad, byte(i)},
			TraceFlags: trace.FlagsSampled}))
		var r log.Record
		r.SetTimestamp(start.Add(time.Duration(i) * time.Millisecond))
		r.SetObservedTimestamp(start.Add(time.Duration(i)*time.Millisecond + time.Microsecond))
		r.SetSeverity(log.SeverityInfo)
		r.SetSeverityText("INFO")
		r.SetBody(attribute.StringValue("order lookup finished"))
		r.AddAttributes(attribute.String("order.id", "1234"), attribute.Int("http.response.status_code", 200),
			attribute.Float64("server.duration_ms", 41.75), attribute.Bool("cache.hit", false),
			attribute.String("client.address", "10.1.2.3"))
		logger.Emit(ctx, r)
	}
	return sink.records
}

// BenchmarkFileExporter times one export of 512 spans or records to a
// file exporter writing to /dev/null (so the write is a syscall, not
// storage), reported per item as ns/span or ns/record and per batch as
// ns/op, B/op and allocs/op, through:
//
//   - otlpenc: the exporter as it is (otlpenc's JSON into a pooled line);
//   - pdata: the exporter's earlier path, kept here to compare: Traces
//     (Logs), pdata's JSONMarshaler, a newline appended, one write.
//
// Run: go test -run '^$' -bench BenchmarkFileExporter -count 6 ./telemetry/internal/otlpjson/
func BenchmarkFileExporter(b *testing.B) {
	ctx := context.Background()
	spans, records := benchSpans(), benchRecords()
	perItem := func(b *testing.B, unit string) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchSize), "ns/"+unit)
	}
	se, err := NewFileSpanExporter(os.DevNull)
	if err != nil {
		b.Fatal(err)
	}
	defer se.Shutdown(ctx)
	le, err := NewFileLogExporter(os.DevNull)
	if err != nil {
		b.Fatal(err)
	}
	defer le.Shutdown(ctx)

	b.Run("spans/otlpenc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := se.ExportSpans(ctx, spans); err != nil {
				b.Fatal(err)
			}
		}
		perItem(b, "span")
	})
	b.Run("spans/pdata", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m ptrace.JSONMarshaler
			line, err := m.MarshalTraces(Traces(spans))
			if err != nil {
				b.Fatal(err)
			}
			if err := se.w.writeLine(append(line, '\n')); err != nil {
				b.Fatal(err)
			}
		}
		perItem(b, "span")
	})
	b.Run("logs/otlpenc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := le.Export(ctx, records); err != nil {
				b.Fatal(err)
			}
		}
		perItem(b, "record")
	})
	b.Run("logs/pdata", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m plog.JSONMarshaler
			line, err := m.MarshalLogs(Logs(records))
			if err != nil {
				b.Fatal(err)
			}
			if err := le.w.writeLine(append(line, '\n')); err != nil {
				b.Fatal(err)
			}
		}
		perItem(b, "record")
	})
}
