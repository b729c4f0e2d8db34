package serve_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sightline-dev/sightline/internal/serve"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/internal/store"
)

// The interop test: announcements of the partial-span convention shaped
// by hand after its documentation (the G-Research processors, the .NET
// and Python contrib ones; docs/api.md), not by sightline's emitter, in
// each variant serve accepts, over OTLP/HTTP (JSON and protobuf) and
// OTLP/gRPC to a real serve, then read back through the query API.

const (
	interopTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	pyTrace      = "0af7651916cd43dd8448eb211c80319c" // a leading zero: Python writes it without
	rootSpan     = "00f067aa0ba902b7"
	jsonSpan     = "1000000000000001" // .NET contrib / sightline shape: json/v1
	protoSpan    = "2000000000000002" // G-Research .NET: base64 protobuf
	bytesSpan    = "3000000000000003" // protobuf as a bytes body
	pySpan       = "0400000000000004" // Python contrib: span.state, unpadded ids
)

// otlpJSONSpan is one span of OTLP/JSON TracesData as pdata writes it:
// hex ids, times as strings, enums as numbers.
func otlpJSONSpan(service, trace, span, parent, name string, start, end int64, attrs string) string {
	endField := ""
	if end != 0 {
		endField = fmt.Sprintf(`,"endTimeUnixNano":"%d"`, end)
	}
	return fmt.Sprintf(`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":%q}}]},`+
		`"scopeSpans":[{"scope":{"name":"interop"},"spans":[{"traceId":%q,"spanId":%q,"parentSpanId":%q,"name":%q,"kind":1,`+
		`"startTimeUnixNano":"%d"%s,"attributes":[%s],"status":{}}]}]}]}`, service, trace, span, parent, name, start, endField, attrs)
}

// logsRequestJSON is an OTLP/JSON ExportLogsServiceRequest of one record
// with attrs (key, value, ...) and a string body.
func logsRequestJSON(trace, span string, emitted int64, body string, attrs ...string) []byte {
	var kv []string
	for i := 0; i+1 < len(attrs); i += 2 {
		kv = append(kv, fmt.Sprintf(`{"key":%q,"value":{"stringValue":%q}}`, attrs[i], attrs[i+1]))
	}
	b, _ := json.Marshal(body) // a string: cannot fail
	return fmt.Appendf(nil, `{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"interop"}}]},`+
		`"scopeLogs":[{"scope":{"name":"partial"},"logRecords":[{"timeUnixNano":"%d","traceId":%q,"spanId":%q,`+
		`"attributes":[%s],"body":{"stringValue":%s}}]}]}]}`, emitted, trace, span, strings.Join(kv, ","), b)
}

// protoBody is TracesData of one span as protobuf, built field by field.
func protoBody(t *testing.T, trace, span, parent, name string, start, end int64) []byte {
	t.Helper()
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "dotnet-scan")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID(mustHex(t, trace)))
	sp.SetSpanID(pcommon.SpanID(mustHex(t, span)))
	sp.SetParentSpanID(pcommon.SpanID(mustHex(t, parent)))
	sp.SetName(name)
	sp.SetStartTimestamp(pcommon.Timestamp(start))
	sp.SetEndTimestamp(pcommon.Timestamp(end))
	b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad id %q", s)
	}
	return b
}

// record adds a log record with attrs (key, value, ...) to ld.
func record(ld plog.Logs, emitted int64, attrs ...string) plog.LogRecord {
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "interop")
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.Timestamp(emitted))
	for i := 0; i+1 < len(attrs); i += 2 {
		lr.Attributes().PutStr(attrs[i], attrs[i+1])
	}
	return lr
}

func postLogs(t *testing.T, ts *servetest.Server, contentType string, body []byte) []byte {
	t.Helper()
	resp, err := servetest.Client.Post("http://"+ts.HTTP+"/v1/logs", contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /v1/logs: %d %s %v", resp.StatusCode, out, err)
	}
	return out
}

func exportGRPC(t *testing.T, ts *servetest.Server, ld plog.Logs) plogotlp.ExportResponse {
	t.Helper()
	conn, err := grpc.NewClient(ts.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	resp, err := plogotlp.NewGRPCClient(conn).Export(t.Context(), plogotlp.NewExportRequestFromLogs(ld))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestInflightInterop(t *testing.T) {
	ts := servetest.Start(t, servetest.Config(t))
	t0 := time.Now().Add(-time.Minute).UnixNano()
	now := time.Now().UnixNano()

	// 1. OTLP/HTTP JSON: a heartbeat, json/v1 body (the .NET contrib's
	// and sightline's shape); a root span finished through traces.
	postLogs(t, ts, "application/json", logsRequestJSON(interopTrace, jsonSpan, now,
		otlpJSONSpan("dotnet-scan", interopTrace, jsonSpan, rootSpan, "json child", t0+1e6, 0, `{"key":"step","value":{"intValue":"3"}}`),
		"partial.event", "heartbeat", "partial.frequency", "10000ms", "partial.body.type", "json/v1"))
	tracesBody := fmt.Appendf(nil, `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name",`+
		`"value":{"stringValue":"dotnet-scan"}}]},"scopeSpans":[{"spans":[{"traceId":%q,"spanId":%q,"name":"root",`+
		`"startTimeUnixNano":"%d","endTimeUnixNano":"%d"}]}]}]}`, interopTrace, rootSpan, t0, t0+2e6)
	resp, err := servetest.Client.Post("http://"+ts.HTTP+"/v1/traces", "application/json", bytes.NewReader(tracesBody))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /v1/traces: %v %v", resp, err)
	}
	resp.Body.Close()

	// 2. OTLP/HTTP protobuf: G-Research's .NET shape, base64 protobuf in
	// a string (partial.body.type proto).
	ld := plog.NewLogs()
	lr := record(ld, now, "partial.event", "heartbeat", "partial.frequency", "5000ms", "partial.body.type", "proto")
	lr.Body().SetStr(base64.StdEncoding.EncodeToString(protoBody(t, interopTrace, protoSpan, rootSpan, "proto child", t0+2e6, 0)))
	req, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	postLogs(t, ts, "application/x-protobuf", req)

	// 3. OTLP/gRPC: a protobuf bytes body without a body type, and the
	// Python contrib's shape: span.state and log.body.type, a body as
	// protobuf's MessageToJson writes it with the ids as hex without
	// leading zeros, no ids on the record.
	ld = plog.NewLogs()
	lr = record(ld, now, "partial.event", "heartbeat")
	lr.Body().SetEmptyBytes().FromRaw(protoBody(t, interopTrace, bytesSpan, rootSpan, "bytes child", t0+3e6, 0))
	lr = record(ld, now, "span.state", "heartbeat", "log.body.type", "json/v1")
	lr.Body().SetStr(pythonJSON(pyTrace, pySpan, t0, 0))
	if r := exportGRPC(t, ts, ld); r.PartialSuccess().RejectedLogRecords() != 0 {
		t.Fatalf("gRPC: %s", r.PartialSuccess().ErrorMessage())
	}

	// All four open, in their traces, queryable.
	var page store.TracePage
	servetest.GetJSON(t, ts.UI, "/api/v1/traces/"+interopTrace, 200, &page)
	want := map[string]string{rootSpan: "finished", jsonSpan: "open", protoSpan: "open", bytesSpan: "open"}
	if got := states(page); !maps.Equal(got, want) {
		t.Fatalf("states %v, want %v", got, want)
	}
	if s := page.Summary; s.SpanCount != 4 || s.OpenSpans != 3 || !s.InProgress || s.RootName != "root" {
		t.Errorf("summary %+v", s)
	}
	for _, sp := range page.Spans {
		if sp.SpanID == jsonSpan && (fmt.Sprint(sp.Attributes["step"]) != "3" || sp.EndUnixNano != 0 || sp.LastHeardUnixNano == 0) {
			t.Errorf("json child %+v", sp)
		}
	}
	var py store.TracePage
	servetest.GetJSON(t, ts.UI, "/api/v1/traces/"+pyTrace, 200, &py)
	if got := states(py); !maps.Equal(got, map[string]string{pySpan: "open"}) || py.Resources[0].Attributes["service.name"] != "py-scan" {
		t.Fatalf("Python trace: %v, resources %+v", got, py.Resources)
	}
	var search store.TraceSearch
	servetest.GetJSON(t, ts.UI, "/api/v1/traces?in_progress=true", 200, &search)
	if len(search.Traces) != 2 {
		t.Errorf("in progress: %+v", search.Traces)
	}

	// 4. Stop records: json/v1 over gRPC for one span, the Python
	// contrib's "ended" over OTLP/HTTP JSON for another. The difference
	// since the page is exactly those two, finished.
	ld = plog.NewLogs()
	lr = record(ld, now, "partial.event", "stop", "partial.body.type", "json/v1")
	lr.Body().SetStr(otlpJSONSpan("dotnet-scan", interopTrace, jsonSpan, rootSpan, "json child", t0+1e6, t0+5e6, ""))
	exportGRPC(t, ts, ld)
	ld = plog.NewLogs()
	lr = record(ld, now, "partial.event", "stop")
	lr.Body().SetStr(base64.StdEncoding.EncodeToString(protoBody(t, interopTrace, protoSpan, rootSpan, "proto child", t0+2e6, t0+6e6)))
	postLogs(t, ts, "application/json", mustJSON(t, ld))
	postLogs(t, ts, "application/json", logsRequestJSON("", "", now, pythonJSON(pyTrace, pySpan, t0, t0+9e6),
		"span.state", "ended", "log.body.type", "json/v1"))

	var ch store.TracePage
	servetest.GetJSON(t, ts.UI, "/api/v1/traces/"+interopTrace+"?changes_since="+url.QueryEscape(page.Changes), 200, &ch)
	if got := states(ch); !maps.Equal(got, map[string]string{jsonSpan: "finished", protoSpan: "finished"}) {
		t.Fatalf("changes since the page: %v", got)
	}
	if s := ch.Summary; s.SpanCount != 4 || s.OpenSpans != 1 {
		t.Errorf("summary after the stops %+v", s)
	}
	servetest.GetJSON(t, ts.UI, "/api/v1/traces/"+interopTrace+"?changes_since="+url.QueryEscape(ch.Changes), 200, &ch)
	if len(ch.Spans) != 0 {
		t.Errorf("nothing changed, yet %v", states(ch))
	}
	servetest.GetJSON(t, ts.UI, "/api/v1/traces/"+pyTrace, 200, &py)
	if got := states(py); !maps.Equal(got, map[string]string{pySpan: "finished"}) || py.Spans[0].EndUnixNano != t0+9e6 {
		t.Errorf("Python trace after ended: %v", got)
	}

	// A record claiming the convention that cannot be read: rejected
	// (partial success, counted), not stored.
	out := postLogs(t, ts, "application/json", logsRequestJSON(interopTrace, jsonSpan, now, "{not json",
		"partial.event", "heartbeat", "partial.body.type", "json/v1"))
	if !strings.Contains(string(out), `"rejectedLogRecords":"1"`) || !strings.Contains(string(out), "announcement") {
		t.Errorf("partial success %s", out)
	}
	var stats serve.Stats
	servetest.GetJSON(t, ts.UI, "/api/stats", 200, &stats)
	if s := stats.Store; s == nil || s.Announcements != 8 || s.AnnouncementsRejected != 1 || s.OpenSpans != 1 || s.Logs != 0 {
		t.Errorf("stats %+v", stats.Store)
	}
}

// pythonJSON is a span as the Python contrib's processor writes it:
// protobuf's MessageToJson of TracesData (64-bit integers as strings,
// enum names), then the ids replaced with hex(id)[2:].
func pythonJSON(trace, span string, start, end int64) string {
	unpad := func(s string) string { return strings.TrimLeft(s, "0") }
	endField := ""
	if end != 0 {
		endField = fmt.Sprintf(`,"endTimeUnixNano":"%d"`, end)
	}
	return fmt.Sprintf(`{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"py-scan"}}]},`+
		`"scopeSpans":[{"scope":{"name":"bluesky"},"spans":[{"traceId":%q,"spanId":%q,"name":"count",`+
		`"kind":"SPAN_KIND_INTERNAL","startTimeUnixNano":"%d"%s,"status":{}}]}]}]}`, unpad(trace), unpad(span), start, endField)
}

func mustJSON(t *testing.T, ld plog.Logs) []byte {
	t.Helper()
	b, err := plogotlp.NewExportRequestFromLogs(ld).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func states(p store.TracePage) map[string]string {
	out := map[string]string{}
	for _, sp := range p.Spans {
		out[sp.SpanID] = sp.State
	}
	return out
}
