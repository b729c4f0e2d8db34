package importer

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time // zero: an error
	}{
		{"2024-05-17T09:30:00.123457Z", time.Date(2024, 5, 17, 9, 30, 0, 123457000, time.UTC)},
		{"2024-05-17T09:30:00Z", time.Date(2024, 5, 17, 9, 30, 0, 0, time.UTC)},
		{"2024-05-17T09:30:00.1Z", time.Date(2024, 5, 17, 9, 30, 0, 100000000, time.UTC)},
		{"2024-05-17T09:30:00.123456789Z", time.Date(2024, 5, 17, 9, 30, 0, 123456789, time.UTC)},
		{"2024-05-17T11:30:00.123457+02:00", time.Date(2024, 5, 17, 9, 30, 0, 123457000, time.UTC)},
		{"2024-05-17T04:30:00-05:00", time.Date(2024, 5, 17, 9, 30, 0, 0, time.UTC)},
		{"2024-05-17 09:30:00.123457+00:00", time.Date(2024, 5, 17, 9, 30, 0, 123457000, time.UTC)},
		{"2024-05-17T09:30:00.123457", time.Date(2024, 5, 17, 9, 30, 0, 123457000, time.UTC)},
		{"1970-01-01T00:00:00Z", time.Unix(0, 0).UTC()},
		{"1969-12-31T23:59:59Z", time.Time{}},
		{"2263-01-01T00:00:00Z", time.Time{}},
		{"2024-05-17", time.Time{}},
		{"2024-13-01T00:00:00Z", time.Time{}},
		{"yesterday", time.Time{}},
		{"", time.Time{}},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in)
		switch {
		case tt.want.IsZero() && err == nil:
			t.Errorf("parseTime(%q) = %v, want an error", tt.in, got)
		case !tt.want.IsZero() && (err != nil || !got.Equal(tt.want)):
			t.Errorf("parseTime(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestTraceState(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{`"[]"`, "", ""},
		{`null`, "", ""},
		{`""`, "", ""},
		{`"['{key=rojo, value=00f067aa0ba902b7}', '{key=congo, value=t61rcWkgMzE}']"`, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", ""},
		// What sightline's console exporter writes for a value with quotes
		// (see internal/console/testdata/trace_state.golden).
		{`"['{key=rojo, value=00f067aa0ba902b7}', \"{key=quote, value=it's}\", '{key=both, value=\\'\"\\\\}']"`, `rojo=00f067aa0ba902b7,quote=it's,both='"\`, ""},
		{`"[('vendor', 'abc'), ('congo', 't61rcWkgMzE')]"`, "vendor=abc,congo=t61rcWkgMzE", ""},
		{`"[('k', 'v'),]"`, "k=v", ""},
		{`"{'rojo': '00f067aa0ba902b7'}"`, "rojo=00f067aa0ba902b7", ""},
		{`"rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"`, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", ""},
		{`"['\\x41=b']"`, "", "not a Python trace state repr"},
		{`"['{key=a, value=b}'"`, "", "not a Python trace state repr"},
		{`"[('a' 'b')]"`, "", "not a Python trace state repr"},
		{`"['{key=a\\x3d, value=b}']"`, "a==b", ""},
		{`"['{key=a, value=b}'] x"`, "", "not a Python trace state repr"},
		{`7`, "", "want a string, got a number"},
	}
	for _, tt := range tests {
		got, err := traceState([]byte(tt.in))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("traceState(%s) = %q, %v, want error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("traceState(%s) = %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestSpanKindAndStatus(t *testing.T) {
	kinds := map[string]ptrace.SpanKind{
		`"SpanKind.INTERNAL"`: ptrace.SpanKindInternal, `"SpanKind.SERVER"`: ptrace.SpanKindServer,
		`"SpanKind.CLIENT"`: ptrace.SpanKindClient, `"SpanKind.PRODUCER"`: ptrace.SpanKindProducer,
		`"SpanKind.CONSUMER"`: ptrace.SpanKindConsumer, `"server"`: ptrace.SpanKindServer, `null`: ptrace.SpanKindUnspecified,
	}
	for in, want := range kinds {
		if got, err := spanKind([]byte(in)); err != nil || got != want {
			t.Errorf("spanKind(%s) = %v, %v, want %v", in, got, err, want)
		}
	}
	if _, err := spanKind([]byte(`"SpanKind.BOGUS"`)); err == nil {
		t.Error("unknown kind accepted")
	}
	codes := map[string]ptrace.StatusCode{
		`"UNSET"`: ptrace.StatusCodeUnset, `"OK"`: ptrace.StatusCodeOk, `"ERROR"`: ptrace.StatusCodeError, `"StatusCode.ERROR"`: ptrace.StatusCodeError,
	}
	for in, want := range codes {
		if got, err := statusCode([]byte(in)); err != nil || got != want {
			t.Errorf("statusCode(%s) = %v, %v, want %v", in, got, err, want)
		}
	}
}

// TestSpanRejections checks the reasons console spans are rejected for.
func TestSpanRejections(t *testing.T) {
	const ctx = `"context": {"trace_id": "0x0102030405060708090a0b0c0d0e0f10", "span_id": "0x0102030405060708"}`
	tests := []struct{ name, record, want string }{
		{"name type", `{"name": 5, ` + ctx + `}`, "span: name: want a string, got a number"},
		{"context type", `{"name": "s", "context": "x"}`, `span "s": context: want an object, got a string`},
		{"missing trace id", `{"name": "s", "context": {"span_id": "0x0102030405060708"}}`, `span "s": context.trace_id: missing`},
		{"zero trace id", `{"name": "s", "context": {"trace_id": "0x00000000000000000000000000000000", "span_id": "0x0102030405060708"}}`, `span "s": context.trace_id: "0x00000000000000000000000000000000": all zeros`},
		{"short trace id", `{"name": "s", "context": {"trace_id": "0x0102", "span_id": "0x0102030405060708"}}`, `span "s": context.trace_id: "0x0102": want 0x and 32 hex digits`},
		{"hex", `{"name": "s", "context": {"trace_id": "0xg102030405060708090a0b0c0d0e0f10", "span_id": "0x0102030405060708"}}`, `span "s": context.trace_id: "0xg1`},
		{"missing span id", `{"name": "s", "context": {"trace_id": "0x0102030405060708090a0b0c0d0e0f10"}}`, `span "s": context.span_id: missing`},
		{"trace state", `{"name": "s", "context": {"trace_id": "0x0102030405060708090a0b0c0d0e0f10", "span_id": "0x0102030405060708", "trace_state": "[x]"}}`, `span "s": context.trace_state: "[x]": not a Python trace state repr`},
		{"kind", `{"name": "s", ` + ctx + `, "kind": "SpanKind.SIDEWAYS"}`, `span "s": kind: unknown span kind "SpanKind.SIDEWAYS"`},
		{"parent", `{"name": "s", ` + ctx + `, "parent_id": "0x12"}`, `span "s": parent_id: "0x12": want 0x and 16 hex digits`},
		{"start time", `{"name": "s", ` + ctx + `, "start_time": 1715938200}`, `span "s": start_time: want a string, got a number`},
		{"end time", `{"name": "s", ` + ctx + `, "end_time": "soon"}`, `span "s": end_time: "soon" is not an ISO 8601 time`},
		{"status", `{"name": "s", ` + ctx + `, "status": {"status_code": "MAYBE"}}`, `span "s": status.status_code: unknown status code "MAYBE"`},
		{"status type", `{"name": "s", ` + ctx + `, "status": []}`, `span "s": status: want an object, got an array`},
		{"attributes", `{"name": "s", ` + ctx + `, "attributes": "a=b"}`, `span "s": attributes: want an object, got a string`},
		{"events", `{"name": "s", ` + ctx + `, "events": {}}`, `span "s": events: want an array, got an object`},
		{"event", `{"name": "s", ` + ctx + `, "events": [{"name": "e"}, 3]}`, `span "s": events[1]: want an object, got a number`},
		{"event time", `{"name": "s", ` + ctx + `, "events": [{"name": "e", "timestamp": "x"}]}`, `span "s": events[0].timestamp: "x" is not an ISO 8601 time`},
		{"link context", `{"name": "s", ` + ctx + `, "links": [{"attributes": {}}]}`, `span "s": links[0].context: missing`},
		{"link trace id", `{"name": "s", ` + ctx + `, "links": [{"context": {"trace_id": "0x1", "span_id": "0x0102030405060708"}}]}`, `span "s": links[0].context.trace_id: "0x1"`},
		{"resource", `{"name": "s", ` + ctx + `, "resource": {"attributes": [1]}}`, `span "s": resource: attributes: want an object, got an array`},
		{"schema url", `{"name": "s", ` + ctx + `, "resource": {"schema_url": 1}}`, `span "s": resource: schema_url: want a string, got a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, sink := importString(t, spanJSON("ok")+"\n"+tt.record+"\n"+spanJSON("ok2"))
			checkRejections(t, rep, "2: "+tt.want)
			if rep.SpansRead != 3 || rep.SpansImported != 2 || len(sink.spans()) != 2 {
				t.Errorf("report = %+v", rep)
			}
		})
	}
}

// TestMinimalSpan checks the defaults of a span with only a name and a
// context.
func TestMinimalSpan(t *testing.T) {
	_, sink := importString(t, `{"name": "s", "context": {"trace_id": "0102030405060708090A0B0C0D0E0F10", "span_id": "0X0102030405060708"}}`)
	sp := sink.spans()[0]
	if sp.Kind() != ptrace.SpanKindUnspecified || sp.StartTimestamp() != 0 || sp.Status().Code() != ptrace.StatusCodeUnset ||
		sp.Resource.Attributes().Len() != 0 || sp.TraceID() != mustTraceID(t, "0x0102030405060708090a0b0c0d0e0f10") {
		t.Errorf("span: %v %v %v %v", sp.Kind(), sp.StartTimestamp(), sp.Status().Code(), sp.TraceID())
	}
}
