package importer

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// TestImportOTLPTraces checks OTLP-JSON trace lines field by field, and
// that nothing else changed on the way (the batch re-encodes to the same
// resources, scopes and spans).
func TestImportOTLPTraces(t *testing.T) {
	rep, sink := importFile(t, "otlp_traces.jsonl")
	if rep.Format != "otlp" || rep.SpansRead != 4 || rep.SpansImported != 4 || rep.RejectedCount != 0 {
		t.Fatalf("report = %+v", rep)
	}
	spans := sink.spans()
	if len(spans) != 4 || len(sink.traces) != 1 {
		t.Fatalf("%d spans in %d batches", len(spans), len(sink.traces))
	}
	get := spans[0]
	if get.Name() != "GET /" || get.TraceID() != otlpTraceID || get.SpanID() != otlpSpanID(1) || get.Kind() != ptrace.SpanKindServer {
		t.Errorf("span 0: %q %v %v %v", get.Name(), get.TraceID(), get.SpanID(), get.Kind())
	}
	if get.StartTimestamp() != ts(t, "2024-06-15T12:00:00.123456789Z") || get.EndTimestamp() != ts(t, "2024-06-15T12:00:00.128456789Z") {
		t.Errorf("span 0 times %v %v", get.StartTimestamp(), get.EndTimestamp())
	}
	if get.Scope.Name() != "io.opentelemetry.http" || get.Scope.Version() != "1.2.0" || get.SchemaURL != "https://opentelemetry.io/schemas/1.26.0" {
		t.Errorf("span 0 scope %q %q schema %q", get.Scope.Name(), get.Scope.Version(), get.SchemaURL)
	}
	checkMap(t, "span 0", get.Attributes(), []string{"http.method", "http.status_code", "ratio", "cached", "raw", "tags", "nested"},
		map[string]any{
			"http.method": "GET", "http.status_code": int64(200), "ratio": 0.25, "cached": true,
			"raw": []byte{0, 1, 0xff}, "tags": []any{"a", int64(2)}, "nested": map[string]any{"k": "v"},
		})
	if get.Events().Len() != 1 || get.Events().At(0).Name() != "cache.hit" {
		t.Errorf("span 0 events %d", get.Events().Len())
	}
	q := spans[2]
	if q.Name() != "query" || q.ParentSpanID() != otlpSpanID(2) || q.TraceState().AsRaw() != "rojo=00f067aa0ba902b7" ||
		q.Status().Code() != ptrace.StatusCodeError || q.Status().Message() != "deadline exceeded" {
		t.Errorf("span 2: %q parent %v state %q status %v %q", q.Name(), q.ParentSpanID(), q.TraceState().AsRaw(), q.Status().Code(), q.Status().Message())
	}
	if l := q.Links().At(0); l.TraceID() != otlpOtherID || l.SpanID() != otlpSpanID(9) || l.TraceState().AsRaw() != "congo=t61rcWkgMzE" {
		t.Errorf("span 2 link %v %v %q", l.TraceID(), l.SpanID(), l.TraceState().AsRaw())
	}
	if svc, _ := spans[3].Resource.Attributes().Get("service.name"); spans[3].Name() != "cleanup" || svc.Str() != "cron" {
		t.Errorf("span 3: %q from %q", spans[3].Name(), svc.Str())
	}

	want := ptrace.NewTraces()
	for _, td := range otlpTraceRequests() {
		td.ResourceSpans().MoveAndAppendTo(want.ResourceSpans())
	}
	wantJSON, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(want)
	gotJSON, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(sink.traces[0])
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("imported traces differ:\n got %s\nwant %s", gotJSON, wantJSON)
	}
}

// TestImportOTLPLogs checks OTLP-JSON logs lines.
func TestImportOTLPLogs(t *testing.T) {
	rep, sink := importFile(t, "otlp_logs.jsonl")
	if rep.Format != "otlp" || rep.LogsRead != 3 || rep.LogsImported != 3 || rep.RejectedCount != 0 || rep.SpansRead != 0 {
		t.Fatalf("report = %+v", rep)
	}
	logs := sink.logRecords()
	if len(logs) != 3 {
		t.Fatalf("%d log records", len(logs))
	}
	l := logs[0]
	if l.Body().Str() != "request served" || l.SeverityNumber() != plog.SeverityNumberInfo || l.SeverityText() != "INFO" ||
		l.TraceID() != otlpTraceID || l.SpanID() != otlpSpanID(1) || !l.Flags().IsSampled() || l.Scope.Name() != "slog" {
		t.Errorf("log 0: %q %v %q %v %v %v %q", l.Body().Str(), l.SeverityNumber(), l.SeverityText(), l.TraceID(), l.SpanID(), l.Flags(), l.Scope.Name())
	}
	if l.Timestamp() != otlpTime(5*time.Millisecond) || l.ObservedTimestamp() != otlpTime(6*time.Millisecond) {
		t.Errorf("log 0 times %v %v", l.Timestamp(), l.ObservedTimestamp())
	}
	checkMap(t, "log 0", l.Attributes(), []string{"bytes"}, map[string]any{"bytes": int64(512)})
	if l := logs[1]; l.EventName() != "user.login" || l.Body().Type() != pcommon.ValueTypeMap {
		t.Errorf("log 1: %q %v", l.EventName(), l.Body().Type())
	}
	if l := logs[2]; l.Body().Str() != "bye" || l.SeverityNumber() != plog.SeverityNumberDebug {
		t.Errorf("log 2: %q %v", l.Body().Str(), l.SeverityNumber())
	}
}

// TestOTLPRejections checks the lines of an OTLP-JSON file that are not
// imported.
func TestOTLPRejections(t *testing.T) {
	traces, _ := otlpFixtureLines(t)
	good := strings.SplitN(string(traces), "\n", 2)[0]
	input := strings.Join([]string{
		good,
		`{"resourceMetrics": []}`,
		`{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "no ids", "spanId": "0101010101010101"}, {"name": "ok", "traceId": "0a0b0c0d0102030405060708090a0b0c", "spanId": "0202020202020202"}, {"name": "no span id", "traceId": "0a0b0c0d0102030405060708090a0b0c"}]}]}]}`,
		`{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "xyz"}]}]}]}`,
		`{"something": "else"}`,
		`[1, 2]`,
		`{"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": {"stringValue": "ok"}}]}]}]}`,
		`{"resourceSpans": [`,
		"",
	}, "\n")
	rep, sink := importString(t, input)
	checkRejections(t, rep,
		"2: an OTLP metrics or profiles request",
		`3: span "no ids": missing or all-zero traceId`,
		`3: span "no span id": missing or all-zero spanId`,
		"4: invalid OTLP-JSON trace request: ",
		"5: not an OTLP-JSON trace or logs request",
		"6: not a JSON object (got an array)",
		"8: record cut short by the end of the file",
	)
	if rep.Format != "otlp" || rep.SpansRead != 6 || rep.SpansImported != 4 || rep.LogsImported != 1 || rep.RejectedCount != 7 {
		t.Errorf("report = %+v", rep)
	}
	if n := len(sink.spans()); n != 4 {
		t.Errorf("%d spans imported", n)
	}
}

// TestOTLPSplit checks that a request with more spans than a batch holds
// is split, keeping every span's resource and scope.
func TestOTLPSplit(t *testing.T) {
	td := ptrace.NewTraces()
	for r := range 2 {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutInt("r", int64(r))
		for s := range 2 {
			ss := rs.ScopeSpans().AppendEmpty()
			ss.Scope().SetName(fmt.Sprintf("scope-%d", s))
			for i := range 6 {
				sp := ss.Spans().AppendEmpty()
				sp.SetName(fmt.Sprintf("%d/%d/%d", r, s, i))
				sp.SetTraceID(otlpTraceID)
				sp.SetSpanID(otlpSpanID(byte(i + 1)))
			}
		}
	}
	line, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	small := ptrace.NewTraces()
	td.ResourceSpans().At(0).CopyTo(small.ResourceSpans().AppendEmpty())
	small.ResourceSpans().At(0).ScopeSpans().RemoveIf(func(ss ptrace.ScopeSpans) bool { return ss.Scope().Name() != "scope-0" })
	smallLine, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(small)
	input := string(smallLine) + "\n" + string(line) + "\n"

	rep, sink := importString(t, input, WithBatchSize(5))
	if rep.SpansRead != 30 || rep.SpansImported != 30 {
		t.Fatalf("report = %+v", rep)
	}
	var sizes []int
	for _, b := range sink.traces {
		sizes = append(sizes, b.SpanCount())
	}
	if fmt.Sprint(sizes) != "[5 5 5 5 5 5]" {
		t.Errorf("batch sizes %v", sizes)
	}
	for i, sp := range sink.spans() {
		var r, s, n int
		fmt.Sscanf(sp.Name(), "%d/%d/%d", &r, &s, &n)
		got, _ := sp.Resource.Attributes().Get("r")
		if got.Int() != int64(r) || sp.Scope.Name() != fmt.Sprintf("scope-%d", s) {
			t.Errorf("span %d %q under resource %d, scope %q", i, sp.Name(), got.Int(), sp.Scope.Name())
		}
	}
}
