package serve_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/internal/store"
	"github.com/sightline-dev/sightline/telemetry"
)

// TestExporterImplementationsStoreAlike runs the same traced and logged
// work through a telemetry component with sightline's OTLP exporters and
// spans (the default: Status says the recorder is sightline's) and with
// the SDK's (SIGHTLINE_TELEMETRY_OTLP_EXPORTER=sdk: the SDK's exporters
// and spans),
// over OTLP/HTTP and OTLP/gRPC, into a real `sightline serve`, and
// compares what the store gives back: the trace (as Grafana's Tempo data
// source reads it) and the log records, with the ids (random per run)
// replaced by their order and the component's instance id set aside.
func TestExporterImplementationsStoreAlike(t *testing.T) {
	ts := servetest.Start(t, servetest.Config(t))
	base := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	for _, transport := range []string{"http", "grpc"} {
		stored := map[string]string{}
		for _, impl := range []string{telemetry.OTLPExporterSightline, telemetry.OTLPExporterSDK} {
			endpoint := "http://" + ts.HTTP
			if transport == "grpc" {
				endpoint = "grpc://" + ts.GRPC
			}
			tid, recorder := runExporterWork(t, base, map[string]string{
				"SIGHTLINE_TELEMETRY_ENABLE": "on", "SIGHTLINE_TELEMETRY_SERVICE_NAME": "exporter-e2e",
				"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": transport, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": endpoint,
				"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS": transport, "SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS": endpoint,
				"SIGHTLINE_TELEMETRY_OTLP_EXPORTER": impl, "SIGHTLINE_TELEMETRY_INFLIGHT": "off",
			})
			if want := map[string]string{telemetry.OTLPExporterSightline: telemetry.RecorderSightline,
				telemetry.OTLPExporterSDK: telemetry.RecorderSDK}[impl]; recorder != want {
				t.Fatalf("%s %s: spans recorded by %q, want %q", transport, impl, recorder, want)
			}
			resp, body := servetest.Get(t, ts.UI+"/api/traces/"+tid, "application/protobuf")
			if resp.StatusCode != 200 {
				t.Fatalf("%s %s: trace %s: %d %s", transport, impl, tid, resp.StatusCode, body)
			}
			td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(body)
			if err != nil {
				t.Fatal(err)
			}
			if n := td.SpanCount(); n != 4 {
				t.Fatalf("%s %s: %d spans stored, want 4", transport, impl, n)
			}
			var logs store.LogSearch
			servetest.GetJSON(t, ts.UI, "/api/v1/logs?trace_id="+tid, 200, &logs)
			if len(logs.Logs) != 2 {
				t.Fatalf("%s %s: %d log records of the trace stored, want 2: %+v", transport, impl, len(logs.Logs), logs)
			}
			stored[impl] = canonicalTrace(t, td) + "\n" + canonicalLogs(t, logs)
		}
		if got, want := stored[telemetry.OTLPExporterSightline], stored[telemetry.OTLPExporterSDK]; got != want {
			t.Errorf("%s: stored from sightline's exporter:\n%s\nfrom the SDK's:\n%s", transport, got, want)
		}
	}
}

// runExporterWork sets up a component from env, makes a trace of four
// spans (every attribute type, an event, a link, an error status, each
// kind of span) and two log records in it, shuts the component down
// (which flushes its batch processors) and returns the trace id and what
// recorded the spans (Status's spans.recorder).
func runExporterWork(t *testing.T, base time.Time, env map[string]string) (traceID, recorder string) {
	t.Helper()
	ctx := context.Background()
	c, err := telemetry.Setup(ctx, telemetry.WithEnv(func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}))
	if err != nil {
		t.Fatal(err)
	}
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	tr := c.Tracer("sightline/exporter-e2e", trace.WithInstrumentationVersion("1.2.3"))
	rctx, root := tr.Start(ctx, "scan", trace.WithTimestamp(at(0)), trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(everyType("scan.")...))
	mctx, move := tr.Start(rctx, "move motor1", trace.WithTimestamp(at(10)), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("motor", "m1"), attribute.Float64("target", 12.5)))
	move.AddEvent("settled", trace.WithTimestamp(at(60)), trace.WithAttributes(attribute.Int("tries", 2)))
	_, srv := tr.Start(mctx, "motor1.move", trace.WithTimestamp(at(11)), trace.WithSpanKind(trace.SpanKindServer))
	srv.End(trace.WithTimestamp(at(99)))
	move.End(trace.WithTimestamp(at(100)))
	rdctx, read := tr.Start(rctx, "read detector", trace.WithTimestamp(at(120)), trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithLinks(trace.Link{SpanContext: move.SpanContext(), Attributes: []attribute.KeyValue{attribute.String("why", "after")}}))
	read.SetStatus(codes.Error, "detector timeout")
	logger := c.LoggerProvider().Logger("sightline/exporter-e2e")
	for i, body := range []string{"exposure started", "exposure failed"} {
		var rec otellog.Record
		rec.SetTimestamp(at(130 + i))
		rec.SetObservedTimestamp(at(135 + i))
		rec.SetSeverity(otellog.SeverityWarn + otellog.Severity(i))
		rec.SetSeverityText([]string{"WARN", "ERROR"}[i])
		rec.SetBody(attribute.StringValue(body))
		rec.AddAttributes(everyType("log.")...)
		logger.Emit(rdctx, rec)
	}
	read.End(trace.WithTimestamp(at(320)))
	root.End(trace.WithTimestamp(at(400)))
	recorder = c.Control().Status().Spans.Recorder
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	return root.SpanContext().TraceID().String(), recorder
}

// canonicalTrace is td as OTLP-JSON with spans sorted by start, span ids
// replaced by that order, the trace id cleared, and the resource's
// service.instance.id (new for each component) removed.
func canonicalTrace(t *testing.T, td ptrace.Traces) string {
	t.Helper()
	order := map[pcommon.SpanID]byte{}
	var all []ptrace.Span
	for _, rs := range td.ResourceSpans().All() {
		rs.Resource().Attributes().Remove("service.instance.id")
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				all = append(all, s)
			}
		}
	}
	slices.SortFunc(all, func(a, b ptrace.Span) int { return int(a.StartTimestamp()) - int(b.StartTimestamp()) })
	for i, s := range all {
		order[s.SpanID()] = byte(i + 1)
	}
	id := func(s pcommon.SpanID) pcommon.SpanID {
		if s.IsEmpty() {
			return s
		}
		return pcommon.SpanID{order[s]}
	}
	for _, s := range all {
		s.SetTraceID(pcommon.TraceID{})
		s.SetSpanID(id(s.SpanID()))
		s.SetParentSpanID(id(s.ParentSpanID()))
		for _, l := range s.Links().All() {
			l.SetTraceID(pcommon.TraceID{})
			l.SetSpanID(id(l.SpanID()))
		}
	}
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			ss.Spans().Sort(func(a, b ptrace.Span) bool { return a.SpanID()[0] < b.SpanID()[0] })
		}
	}
	b, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// canonicalLogs is the stored log records as JSON without their trace and
// span ids and the resource's service.instance.id.
func canonicalLogs(t *testing.T, res store.LogSearch) string {
	t.Helper()
	var out []string
	for _, l := range res.Logs {
		l.TraceID, l.SpanID = "", ""
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}
