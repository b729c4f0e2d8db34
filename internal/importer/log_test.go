package importer

import (
	"math"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

// TestImportConsoleLogs checks console log records field by field: the
// current Python shape, a structured body with NaN, no span context, the
// older shape (severity enum repr, resource as JSON in a string) and a
// record with everything null.
func TestImportConsoleLogs(t *testing.T) {
	rep, sink := importFile(t, "console_logs.json")
	if rep.Format != "console" || rep.LogsRead != 4 || rep.LogsImported != 4 || rep.RejectedCount != 0 || rep.SpansRead != 0 {
		t.Fatalf("report = %+v", rep)
	}
	logs := sink.logRecords()
	if len(logs) != 4 {
		t.Fatalf("%d log records", len(logs))
	}
	for i, l := range logs {
		svc, _ := l.Resource.Attributes().Get("service.name")
		if svc.Str() != "tango-device" || l.SchemaURL != "https://opentelemetry.io/schemas/1.21.0" || l.Scope.Name() != ScopeName {
			t.Errorf("log %d: service %q schema %q scope %q", i, svc.Str(), l.SchemaURL, l.Scope.Name())
		}
	}
	// The resource written as a string is the same resource but not the
	// same JSON: it gets its own group, after the first, so the third
	// record in the file comes last.
	if n := sink.logs[0].ResourceLogs().Len(); n != 2 {
		t.Errorf("%d ResourceLogs, want 2", n)
	}

	l := logs[0]
	if l.Body().Str() != "motor moved to 12.5 mm" || l.SeverityNumber() != plog.SeverityNumberInfo || l.SeverityText() != "INFO" {
		t.Errorf("log 0: %q %v %q", l.Body().Str(), l.SeverityNumber(), l.SeverityText())
	}
	checkMap(t, "log 0", l.Attributes(), []string{"code.filepath", "code.lineno", "position", "device"},
		map[string]any{"code.filepath": "/opt/tango/motor.py", "code.lineno": int64(118), "position": 12.5, "device": "sys/motor/1"})
	if l.Timestamp() != ts(t, "2024-06-13T10:15:30.250001Z") || l.ObservedTimestamp() != ts(t, "2024-06-13T10:15:30.250103Z") {
		t.Errorf("log 0 times %v %v", l.Timestamp(), l.ObservedTimestamp())
	}
	if l.TraceID() != mustTraceID(t, "0x4bf92f3577b34da6a3ce929d0e0e4736") || l.SpanID() != mustSpanID(t, "0x00f067aa0ba902b7") || l.Flags() != 1 {
		t.Errorf("log 0 context %v %v %v", l.TraceID(), l.SpanID(), l.Flags())
	}
	if l.EventName() != "" || l.DroppedAttributesCount() != 0 {
		t.Errorf("log 0: event %q dropped %d", l.EventName(), l.DroppedAttributesCount())
	}

	l = logs[1]
	checkMap(t, "log 1 body", pcommonMapOf(l.Body()), []string{"body"}, map[string]any{
		"body": map[string]any{"event": "limit_reached", "axis": "x", "readings": []any{1.0, 2.5, math.NaN()}},
	})
	if l.SeverityNumber() != plog.SeverityNumberWarn || l.Attributes().Len() != 0 || l.DroppedAttributesCount() != 2 {
		t.Errorf("log 1: %v, %d attributes, %d dropped", l.SeverityNumber(), l.Attributes().Len(), l.DroppedAttributesCount())
	}
	if !l.TraceID().IsEmpty() || !l.SpanID().IsEmpty() || l.Flags() != 0 || l.EventName() != "device.limit" {
		t.Errorf("log 1: %v %v %v %q", l.TraceID(), l.SpanID(), l.Flags(), l.EventName())
	}

	l = logs[3]
	if l.SeverityNumber() != plog.SeverityNumberError || l.Body().Str() != "connection lost" || l.ObservedTimestamp() != 0 {
		t.Errorf("log 3: %v %q observed %v", l.SeverityNumber(), l.Body().Str(), l.ObservedTimestamp())
	}
	if l.SpanID() != mustSpanID(t, "0x53995c3f42cd8ad8") || l.Timestamp() != ts(t, "2024-06-13T10:15:32.123456Z") {
		t.Errorf("log 3: %v %v", l.SpanID(), l.Timestamp())
	}
	checkMap(t, "log 3", l.Attributes(), []string{"retry"}, map[string]any{"retry": true})

	l = logs[2]
	if l.Body().AsRaw() != nil || l.SeverityNumber() != 0 || l.SeverityText() != "" || l.Timestamp() != 0 ||
		l.ObservedTimestamp() != ts(t, "2024-06-13T10:15:33Z") || !l.TraceID().IsEmpty() || l.Flags() != 0 {
		t.Errorf("log 2: body %v sev %v %q ts %v observed %v", l.Body().AsRaw(), l.SeverityNumber(), l.SeverityText(), l.Timestamp(), l.ObservedTimestamp())
	}
}

// TestLogRejections checks the reasons log records are rejected for.
func TestLogRejections(t *testing.T) {
	tests := []struct {
		name, record, want string
	}{
		{"severity out of range", `{"body": "x", "severity_number": 25}`, "log record: severity_number: 25 is outside 0-24"},
		{"severity repr", `{"body": "x", "severity_number": "<SeverityNumber.BOGUS>"}`, `log record: severity_number: "<SeverityNumber.BOGUS>": want an integer`},
		{"severity float", `{"body": "x", "severity_number": 9.5}`, "log record: severity_number: want an integer"},
		{"bad trace id", `{"body": "x", "trace_id": "0x1234"}`, `log record: trace_id: "0x1234": want 0x and 32 hex digits`},
		{"bad span id type", `{"body": "x", "span_id": 7}`, "log record: span_id: want a string, got a number"},
		{"bad time", `{"body": "x", "timestamp": "yesterday"}`, `log record: timestamp: "yesterday" is not an ISO 8601 time`},
		{"attributes array", `{"body": "x", "attributes": [1]}`, "log record: attributes: want an object, got an array"},
		{"trace flags", `{"body": "x", "trace_flags": 256}`, "log record: trace_flags: 256 is outside 0-255"},
		{"resource number", `{"body": "x", "resource": 3}`, "log record: resource: want an object, got a number"},
		{"resource string", `{"body": "x", "resource": "not json"}`, "log record: resource: want an object, got a string that is not JSON"},
		{"severity text", `{"severity_number": 9, "severity_text": 9}`, "log record: severity_text: want a string, got a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, sink := importString(t, "\n"+tt.record+"\n")
			checkRejections(t, rep, "2: "+tt.want)
			if rep.LogsRead != 1 || rep.LogsImported != 0 || len(sink.logs) != 0 {
				t.Errorf("report = %+v", rep)
			}
		})
	}
}

// TestSeverityForms checks the forms of severity_number accepted.
func TestSeverityForms(t *testing.T) {
	tests := []struct {
		in   string
		want plog.SeverityNumber
	}{
		{`9`, plog.SeverityNumberInfo},
		{`null`, plog.SeverityNumberUnspecified},
		{`"<SeverityNumber.WARN: 13>"`, plog.SeverityNumberWarn},
		{`"<SeverityNumber.FATAL4: 24>"`, plog.SeverityNumberFatal4},
		{`"SeverityNumber.DEBUG2"`, plog.SeverityNumberDebug2},
		{`"17"`, plog.SeverityNumberError},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, sink := importString(t, `{"body": "b", "severity_number": `+tt.in+`}`)
			logs := sink.logRecords()
			if len(logs) != 1 || logs[0].SeverityNumber() != tt.want {
				t.Fatalf("got %d records, want severity %v", len(logs), tt.want)
			}
		})
	}
}
