package importer

import (
	"strings"
	"testing"
)

// spanJSON is a valid console span, compact, named name.
func spanJSON(name string) string {
	return `{"name": "` + name + `", "context": {"trace_id": "0x0102030405060708090a0b0c0d0e0f10", "span_id": "0x0102030405060708", "trace_state": "[]"}, "kind": "SpanKind.INTERNAL", "parent_id": null, "start_time": "2024-05-17T09:30:00.123457Z", "end_time": "2024-05-17T09:30:00.373457Z", "status": {"status_code": "UNSET"}, "attributes": {}, "events": [], "links": [], "resource": {"attributes": {"service.name": "svc"}, "schema_url": ""}}`
}

// prettySpan is spanJSON pretty-printed as Python does (indent 4).
func prettySpan(name string) string {
	return `{
    "name": "` + name + `",
    "context": {
        "trace_id": "0x0102030405060708090a0b0c0d0e0f10",
        "span_id": "0x0102030405060708",
        "trace_state": "[]"
    },
    "kind": "SpanKind.INTERNAL",
    "parent_id": null,
    "start_time": "2024-05-17T09:30:00.123457Z",
    "end_time": "2024-05-17T09:30:00.373457Z",
    "status": {
        "status_code": "UNSET"
    },
    "attributes": {
        "x": NaN
    },
    "events": [],
    "links": [],
    "resource": {
        "attributes": {
            "service.name": "svc"
        },
        "schema_url": ""
    }
}`
}

// TestRecordRejections checks rejections and their line numbers for
// broken input, and that reading resumes where it should.
func TestRecordRejections(t *testing.T) {
	pretty := prettySpan("p")
	// pretty has 26 lines: the second record of an input starts on line 27.
	brokenPretty := strings.Replace(pretty, `"kind": "SpanKind.INTERNAL",`, `"kind": SpanKind.INTERNAL,`, 1)
	tests := []struct {
		name      string
		input     string
		wantNames string
		want      []string
	}{
		{
			name:      "garbage lines between pretty records",
			input:     pretty + "\nTraceback (most recent call last):\n  File \"x.py\", line 1\nValueError: boom\n" + pretty + "\n",
			wantNames: "p p",
			want:      []string{"27: JSON syntax error at line 27: invalid character 'T' looking for beginning of value; skipped to line 30"},
		},
		{
			name:      "syntax error inside a pretty record",
			input:     pretty + "\n" + brokenPretty + "\n" + pretty + "\n",
			wantNames: "p p",
			want:      []string{"27: JSON syntax error at line 34: invalid character 'S' looking for beginning of value; skipped to line 53"},
		},
		{
			name:      "truncated pretty record at the end",
			input:     pretty + "\n" + pretty[:200],
			wantNames: "p",
			want:      []string{"27: record cut short by the end of the file"},
		},
		{
			name:      "truncated pretty record followed by another",
			input:     pretty + "\n" + pretty[:200] + "\n" + pretty + "\n",
			wantNames: "p p",
			want:      []string{`27: JSON syntax error at line 34: invalid character '\n' in string literal; skipped to line 35`},
		},
		{
			name:      "CRLF line endings",
			input:     strings.ReplaceAll(spanJSON("a")+"\n{\"name\": oops}\n"+spanJSON("b")+"\n", "\n", "\r\n"),
			wantNames: "a b",
			want:      []string{"2: JSON syntax error at line 2: invalid character 'o' looking for beginning of value; skipped to line 3"},
		},
		{
			name:      "stray closing brace",
			input:     spanJSON("a") + "}\n" + spanJSON("b") + "\n",
			wantNames: "a b",
			want:      []string{"1: JSON syntax error at line 1: invalid character '}' looking for beginning of value; skipped to line 2"},
		},
		{
			name:      "two records on a line",
			input:     spanJSON("a") + " " + spanJSON("b") + "\n\n\n" + spanJSON("c"),
			wantNames: "a b c",
		},
		{
			name:      "values that are not objects",
			input:     "[1]\n\"s\"\n42\nnull\ntrue\n" + spanJSON("a"),
			wantNames: "a",
			want: []string{
				"1: not a JSON object (got an array)", "2: not a JSON object (got a string)", "3: not a JSON object (got a number)",
				"4: not a JSON object (got null)", "5: not a JSON object (got a boolean)",
			},
		},
		{
			name:      "object that is neither",
			input:     "\n\n" + `{"hello": "world"}` + "\n" + spanJSON("a"),
			wantNames: "a",
			want:      []string{"3: neither a span (name and context) nor a log record (body or severity_number)"},
		},
		{
			name:      "byte order mark",
			input:     "\ufeff" + spanJSON("a") + "\n" + spanJSON("b"),
			wantNames: "a b",
		},
		{
			name:      "blank",
			input:     " \n\t\n",
			wantNames: "",
		},
		{
			name:      "garbage only",
			input:     "hello\nworld\n",
			wantNames: "",
			want:      []string{"1: JSON syntax error at line 1: invalid character 'h' looking for beginning of value; skipped to the end of the file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, sink := importString(t, tt.input)
			checkRejections(t, rep, tt.want...)
			var names []string
			for _, sp := range sink.spans() {
				names = append(names, sp.Name())
			}
			if got := strings.Join(names, " "); got != tt.wantNames {
				t.Errorf("imported %q, want %q", got, tt.wantNames)
			}
			if rep.RejectedCount != len(tt.want) {
				t.Errorf("RejectedCount = %d, want %d", rep.RejectedCount, len(tt.want))
			}
		})
	}
}

// TestRecordTooLarge checks that a record past the limit is rejected and
// reading resumes at the next line starting with '{'.
func TestRecordTooLarge(t *testing.T) {
	input := spanJSON("a") + "\n" + `{"name": "` + strings.Repeat("x", 5000) + "\n" + spanJSON("b") + "\n"
	rep, sink := importString(t, input, withMaxRecord(2000))
	checkRejections(t, rep, "2: record larger than 2000 bytes; skipped to line 3")
	if n := len(sink.spans()); n != 2 {
		t.Errorf("%d spans imported, want 2", n)
	}
}

// TestFormatReport checks the format a report names.
func TestFormatReport(t *testing.T) {
	tests := []struct {
		input string
		opts  []Option
		want  string
	}{
		{"", nil, "empty"},
		{"\n \n", nil, "empty"},
		{"junk", nil, "unknown"},
		{spanJSON("a"), nil, "console"},
		{`{"resourceLogs": []}`, nil, "otlp"},
		{spanJSON("a"), []Option{WithFormat(FormatOTLP)}, "otlp"},
		{"", []Option{WithFormat(FormatConsole)}, "console"},
	}
	for _, tt := range tests {
		rep, _ := importString(t, tt.input, tt.opts...)
		if rep.Format != tt.want {
			t.Errorf("%q: format %q, want %q", tt.input, rep.Format, tt.want)
		}
	}
	if _, err := Import(t.Context(), strings.NewReader(""), "x", &fakeSink{}, WithFormat("yaml")); err == nil {
		t.Error("unknown format accepted")
	}
}

// TestForcedFormat reads console output as OTLP and the other way round.
func TestForcedFormat(t *testing.T) {
	rep, _ := importString(t, spanJSON("a"), WithFormat(FormatOTLP))
	checkRejections(t, rep, "1: not an OTLP-JSON trace or logs request")
	rep, _ = importString(t, `{"resourceSpans": []}`, WithFormat(FormatConsole))
	checkRejections(t, rep, "1: neither a span")
}
