package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// fuzzSeeds adds the fixtures and a few edge cases to the corpus.
func fuzzSeeds(f *testing.F) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "{", "}", "[", "\ufeff{}", "NaN", "-Infinity", `{"name": "x", "context": {}}`,
		`{"body": NaN, "severity_number": "<SeverityNumber.INFO: 9>"}`,
		spanJSON("a") + "}\n" + spanJSON("b"), `{"resourceSpans": [{}]}`, "{\"a\": \"\n{}",
	} {
		f.Add([]byte(s))
	}
}

// checkAccounting imports data and checks that nothing panics, that Import
// fails only as it may, and that every record is accounted for.
func checkAccounting(t *testing.T, data []byte, format Format) {
	sink := &countingSink{}
	rep, err := Import(t.Context(), bytes.NewReader(data), "fuzz", sink, WithFormat(format), WithBatchSize(3))
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if rep.SpansImported != sink.spans || rep.LogsImported != sink.logs {
		t.Fatalf("report says %d spans and %d logs imported, the sink got %d and %d", rep.SpansImported, rep.LogsImported, sink.spans, sink.logs)
	}
	if rep.SpansRejected() < 0 || rep.LogsRejected() < 0 || rep.OtherRejected() < 0 {
		t.Fatalf("negative counts: %+v", rep)
	}
	if want := min(rep.RejectedCount, MaxRejections); len(rep.Rejected) != want {
		t.Fatalf("%d rejections listed, want %d", len(rep.Rejected), want)
	}
	lines := bytes.Count(data, []byte("\n")) + 1
	for _, r := range rep.Rejected {
		if r.Line < 1 || r.Line > lines || r.Reason == "" {
			t.Fatalf("rejection %+v in an input of %d lines", r, lines)
		}
	}
	if format != FormatConsole {
		return
	}
	// Where the input is a valid stream of JSON values (once filtered),
	// each value is a span, a log record or a rejection.
	if n, ok := countValues(data); ok && rep.SpansRead+rep.LogsRead+rep.OtherRejected() != n {
		t.Fatalf("%d values in the input; %d spans, %d logs and %d other rejections", n, rep.SpansRead, rep.LogsRead, rep.OtherRejected())
	}
}

// countValues counts the JSON values in data, if it is a valid stream.
func countValues(data []byte) (int, bool) {
	data = bytes.TrimPrefix(data, utf8BOM)
	dec := json.NewDecoder(newNaNFilter(bytes.NewReader(data)))
	n := 0
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return n, true
		}
		if err != nil || len(v) > defaultMaxRecord {
			return 0, false
		}
		n++
	}
}

func FuzzImportConsole(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) { checkAccounting(t, data, FormatConsole) })
}

func FuzzImportOTLP(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) { checkAccounting(t, data, FormatOTLP) })
}
