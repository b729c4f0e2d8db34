package importer

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var update = flag.Bool("update", false, "rewrite the OTLP-JSON fixtures in testdata")

var (
	otlpT0      = time.Date(2024, 6, 15, 12, 0, 0, 123456789, time.UTC)
	otlpTraceID = pcommon.TraceID{0x0a, 0x0b, 0x0c, 0x0d, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	otlpOtherID = pcommon.TraceID{0xf0, 0xe1, 0xd2, 0xc3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
)

func otlpSpanID(b byte) pcommon.SpanID { return pcommon.SpanID{b, b, b, b, b, b, b, b} }

func otlpTime(d time.Duration) pcommon.Timestamp { return pcommon.NewTimestampFromTime(otlpT0.Add(d)) }

// otlpTraceRequests are the requests of testdata/otlp_traces.jsonl, one
// per line.
func otlpTraceRequests() []ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.SetSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
	rs.Resource().Attributes().PutStr("service.name", "frontend")
	rs.Resource().Attributes().PutStr("host.name", "web-1")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("io.opentelemetry.http")
	ss.Scope().SetVersion("1.2.0")
	ss.Scope().Attributes().PutStr("lib", "x")

	get := ss.Spans().AppendEmpty()
	get.SetName("GET /")
	get.SetTraceID(otlpTraceID)
	get.SetSpanID(otlpSpanID(1))
	get.SetKind(ptrace.SpanKindServer)
	get.SetStartTimestamp(otlpTime(0))
	get.SetEndTimestamp(otlpTime(5 * time.Millisecond))
	get.Status().SetCode(ptrace.StatusCodeOk)
	a := get.Attributes()
	a.PutStr("http.method", "GET")
	a.PutInt("http.status_code", 200)
	a.PutDouble("ratio", 0.25)
	a.PutBool("cached", true)
	a.PutEmptyBytes("raw").FromRaw([]byte{0, 1, 0xff})
	sl := a.PutEmptySlice("tags")
	sl.AppendEmpty().SetStr("a")
	sl.AppendEmpty().SetInt(2)
	a.PutEmptyMap("nested").PutStr("k", "v")
	ev := get.Events().AppendEmpty()
	ev.SetName("cache.hit")
	ev.SetTimestamp(otlpTime(time.Millisecond))
	ev.Attributes().PutStr("key", "/")

	render := ss.Spans().AppendEmpty()
	render.SetName("render")
	render.SetTraceID(otlpTraceID)
	render.SetSpanID(otlpSpanID(2))
	render.SetParentSpanID(otlpSpanID(1))
	render.SetKind(ptrace.SpanKindInternal)
	render.SetStartTimestamp(otlpTime(time.Millisecond))
	render.SetEndTimestamp(otlpTime(4 * time.Millisecond))

	rs2 := td.ResourceSpans().AppendEmpty()
	rs2.Resource().Attributes().PutStr("service.name", "backend")
	q := rs2.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	q.SetName("query")
	q.SetTraceID(otlpTraceID)
	q.SetSpanID(otlpSpanID(3))
	q.SetParentSpanID(otlpSpanID(2))
	q.SetKind(ptrace.SpanKindClient)
	q.TraceState().FromRaw("rojo=00f067aa0ba902b7")
	q.SetStartTimestamp(otlpTime(2 * time.Millisecond))
	q.SetEndTimestamp(otlpTime(3 * time.Millisecond))
	q.Status().SetCode(ptrace.StatusCodeError)
	q.Status().SetMessage("deadline exceeded")
	l := q.Links().AppendEmpty()
	l.SetTraceID(otlpOtherID)
	l.SetSpanID(otlpSpanID(9))
	l.TraceState().FromRaw("congo=t61rcWkgMzE")
	l.Attributes().PutStr("link.kind", "retry_of")

	td2 := ptrace.NewTraces()
	rs3 := td2.ResourceSpans().AppendEmpty()
	rs3.Resource().Attributes().PutStr("service.name", "cron")
	c := rs3.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	c.SetName("cleanup")
	c.SetTraceID(otlpOtherID)
	c.SetSpanID(otlpSpanID(4))
	c.SetKind(ptrace.SpanKindProducer)
	c.SetStartTimestamp(otlpTime(time.Second))
	c.SetEndTimestamp(otlpTime(2 * time.Second))
	return []ptrace.Traces{td, td2}
}

// otlpLogRequests are the requests of testdata/otlp_logs.jsonl.
func otlpLogRequests() []plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "frontend")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("slog")
	r := sl.LogRecords().AppendEmpty()
	r.Body().SetStr("request served")
	r.SetSeverityNumber(plog.SeverityNumberInfo)
	r.SetSeverityText("INFO")
	r.SetTimestamp(otlpTime(5 * time.Millisecond))
	r.SetObservedTimestamp(otlpTime(6 * time.Millisecond))
	r.SetTraceID(otlpTraceID)
	r.SetSpanID(otlpSpanID(1))
	r.SetFlags(plog.DefaultLogRecordFlags.WithIsSampled(true))
	r.Attributes().PutInt("bytes", 512)
	r2 := sl.LogRecords().AppendEmpty()
	r2.Body().SetEmptyMap().PutStr("event", "login")
	r2.SetSeverityNumber(plog.SeverityNumberWarn)
	r2.SetEventName("user.login")
	r2.SetTimestamp(otlpTime(7 * time.Millisecond))

	ld2 := plog.NewLogs()
	r3 := ld2.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	r3.Body().SetStr("bye")
	r3.SetSeverityNumber(plog.SeverityNumberDebug)
	return []plog.Logs{ld, ld2}
}

// otlpFixtureLines encodes the fixtures as the collector's file exporter
// does: one request per line.
func otlpFixtureLines(t *testing.T) (traces, logs []byte) {
	t.Helper()
	var tb, lb bytes.Buffer
	for _, td := range otlpTraceRequests() {
		b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		if err != nil {
			t.Fatal(err)
		}
		tb.Write(b)
		tb.WriteByte('\n')
	}
	for _, ld := range otlpLogRequests() {
		b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
		if err != nil {
			t.Fatal(err)
		}
		lb.Write(b)
		lb.WriteByte('\n')
	}
	return tb.Bytes(), lb.Bytes()
}

// TestOTLPFixturesUpToDate checks the OTLP-JSON fixtures against the pdata
// they are generated from; go test -run TestOTLPFixturesUpToDate -update
// rewrites them.
func TestOTLPFixturesUpToDate(t *testing.T) {
	traces, logs := otlpFixtureLines(t)
	for name, want := range map[string][]byte{"otlp_traces.jsonl": traces, "otlp_logs.jsonl": logs} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is out of date: run go test -run TestOTLPFixturesUpToDate -update", path)
		}
	}
}
