package serve_test

import (
	"context"
	"math"
	"net/url"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/internal/store"
)

// everyType is one attribute of each type the OpenTelemetry Go API has.
func everyType(prefix string) []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.String(prefix+"string", "µ-motor ✓ \"quoted\""),
		attribute.String(prefix+"empty_string", ""),
		attribute.Bool(prefix+"bool", true),
		attribute.Int64(prefix+"int", math.MaxInt64),
		attribute.Int64(prefix+"negative", -42),
		attribute.Float64(prefix+"float", 0.1),
		attribute.Float64(prefix+"big_float", 1e300),
		attribute.StringSlice(prefix+"strings", []string{"a", "", "c"}),
		attribute.BoolSlice(prefix+"bools", []bool{true, false}),
		attribute.Int64Slice(prefix+"ints", []int64{1, math.MinInt64}),
		attribute.Float64Slice(prefix+"floats", []float64{1.5, -0.25}),
		attribute.ByteSlice(prefix+"bytes", []byte{0, 1, 0xfe, 0xff}),
		attribute.Slice(prefix+"mixed", attribute.StringValue("x"), attribute.Int64Value(3), attribute.BoolValue(false)),
		attribute.Map(prefix+"map", attribute.String("k", "v"), attribute.Map("nested", attribute.Float64("f", 2.5))),
	}
}

// sent is what one SDK client sent.
type sent struct {
	transport string
	service   string
	spans     tracetest.SpanStubs
}

// sendTraces makes a small trace (root, child with an event, a link and
// an error) per client through a real SDK exporter to serve, and returns
// the spans as the SDK ended them.
func sendTraces(t *testing.T, ts *servetest.Server) []sent {
	ctx := t.Context()
	grpcExp, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL("http://"+ts.GRPC))
	if err != nil {
		t.Fatal(err)
	}
	httpExp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL("http://"+ts.HTTP+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	clients := []struct {
		transport string
		exp       sdktrace.SpanExporter
	}{
		{"grpc", grpcExp},
		{"http-protobuf", httpExp},
		{"http-json", newJSONSpanExporter(t, "http://"+ts.HTTP+"/v1/traces")},
	}
	var out []sent
	for i, c := range clients {
		mem := tracetest.NewInMemoryExporter()
		failing := &countingExporter{SpanExporter: c.exp}
		svc := "e2e-" + c.transport
		tp := sdktrace.NewTracerProvider(
			sdktrace.WithSyncer(failing), sdktrace.WithSyncer(mem),
			sdktrace.WithResource(resource.NewSchemaless(append(everyType("res."), attribute.String("service.name", svc))...)),
		)
		tracer := tp.Tracer("sightline/e2e", trace.WithInstrumentationVersion("1.2.3"))
		_, other := tracer.Start(ctx, "elsewhere", trace.WithNewRoot())
		other.End()
		rctx, root := tracer.Start(ctx, "request", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(everyType("attr.")...))
		_, child := tracer.Start(rctx, "child", trace.WithSpanKind(trace.SpanKindClient),
			trace.WithLinks(trace.Link{SpanContext: other.SpanContext(), Attributes: everyType("link.")}))
		child.AddEvent("checkpoint", trace.WithAttributes(everyType("event.")...), trace.WithTimestamp(time.Unix(1700000000, 123456789)))
		child.SetStatus(codes.Error, "boom "+c.transport)
		child.End()
		root.SetAttributes(attribute.Int("client", i))
		root.End()
		spans := mem.GetSpans() // before Shutdown, which empties mem
		if err := tp.Shutdown(ctx); err != nil {
			t.Fatalf("%s: %v", c.transport, err)
		}
		if failing.failed > 0 || len(spans) != 3 {
			t.Fatalf("%s: %d spans, %d exports failed: %v", c.transport, len(spans), failing.failed, failing.err)
		}
		out = append(out, sent{c.transport, svc, spans})
	}
	return out
}

// countingExporter records export errors (the SDK only hands them to the
// global error handler).
type countingExporter struct {
	sdktrace.SpanExporter
	failed int
	err    error
}

func (e *countingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := e.SpanExporter.ExportSpans(ctx, spans)
	if err != nil {
		e.failed++
		e.err = err
	}
	return err
}

// TestServeEndToEnd sends spans and logs with the OpenTelemetry Go SDK's
// exporters (gRPC, HTTP protobuf), sightline's OTLP/HTTP JSON exporter
// and the SDK's log exporter to an in-process serve, and finds everything
// through the query API, the OTLP-JSON download and the Tempo endpoint.
func TestServeEndToEnd(t *testing.T) {
	noLeaks(t)
	ts := servetest.Start(t, servetest.Config(t))
	all := sendTraces(t, ts)
	for _, s := range all {
		for _, stub := range s.spans {
			checkSpanViaAPI(t, ts.UI, s, stub)
		}
		tid := s.spans[1].SpanContext.TraceID().String()
		checkOTLPDownload(t, ts.UI, tid, s.spans)
		checkTempo(t, ts.UI, tid, s.spans)
		checkJaeger(t, ts.UI, tid, s)
	}
	checkSearches(t, ts.UI, all)
	checkLogs(t, ts)

	var stats struct {
		Receiver struct {
			Traces struct {
				StoredItems int64 `json:"stored_items"`
			}
			Logs struct {
				StoredItems int64 `json:"stored_items"`
			}
		}
		Store    store.Stats
		DataFile string `json:"data_file"`
	}
	servetest.GetJSON(t, ts.UI, "/api/stats", 200, &stats)
	if stats.Receiver.Traces.StoredItems != 9 || stats.Store.Spans != 9 || stats.Receiver.Logs.StoredItems != 2 || stats.DataFile != ts.DataFile {
		t.Errorf("stats %+v", stats)
	}
}

// checkLogs sends two log records, one in a trace's context, with the
// SDK's OTLP/HTTP log exporter, and finds them by trace id.
func checkLogs(t *testing.T, ts *servetest.Server) {
	ctx := t.Context()
	exp, err := otlploghttp.New(ctx, otlploghttp.WithEndpointURL("http://"+ts.HTTP+"/v1/logs"))
	if err != nil {
		t.Fatal(err)
	}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)),
		sdklog.WithResource(resource.NewSchemaless(attribute.String("service.name", "e2e-logs"))))
	tp := sdktrace.NewTracerProvider()
	sctx, span := tp.Tracer("e2e").Start(ctx, "logged")
	logger := lp.Logger("sightline/e2e-logs")
	var rec otellog.Record
	rec.SetTimestamp(time.Unix(1700000001, 5))
	rec.SetSeverity(otellog.SeverityWarn)
	rec.SetSeverityText("WARN")
	rec.SetBody(attribute.StringValue("motor stalled"))
	rec.AddAttributes(everyType("log.")...)
	logger.Emit(sctx, rec)
	var other otellog.Record
	other.SetBody(attribute.MapValue(attribute.String("event", "no trace")))
	logger.Emit(ctx, other)
	span.End()
	if err := lp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	tid, sid := span.SpanContext().TraceID().String(), span.SpanContext().SpanID().String()
	var res store.LogSearch
	servetest.GetJSON(t, ts.UI, "/api/v1/logs?trace_id="+tid, 200, &res)
	if len(res.Logs) != 1 {
		t.Fatalf("logs of trace %s: %+v", tid, res)
	}
	l := res.Logs[0]
	if l.TraceID != tid || l.SpanID != sid || l.Body != "motor stalled" || l.SeverityNumber != int(otellog.SeverityWarn) ||
		l.SeverityText != "WARN" || l.TimeUnixNano != 1700000001_000000005 || l.Service != "e2e-logs" {
		t.Errorf("log %+v", l)
	}
	checkAttrs(t, "log", l.Attributes, everyType("log."))
	servetest.GetJSON(t, ts.UI, "/api/v1/logs?service=e2e-logs&text="+url.QueryEscape("no trace"), 200, &res)
	if len(res.Logs) != 1 || res.Logs[0].TraceID != "" {
		t.Errorf("log without trace: %+v", res)
	}
}
