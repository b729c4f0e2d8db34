package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// TestImportDeepJSON: `sightline import` of a file with a line nesting a
// million levels (28 MB) and one nesting one level over the limit rejects
// both, naming the limit, imports the lines around them, and allocates
// far less than the file holds (decoding the deep line would take hundreds
// of megabytes).
func TestImportDeepJSON(t *testing.T) {
	noLeaks(t)
	valid := func(b byte) string {
		j, err := ptraceotlp.NewExportRequestFromTraces(sampleSpan(pcommon.TraceID{b, 1}, 10)).MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		return string(j)
	}
	// 7 levels to a span, then an unknown member of 154 arrays: 161.
	overByOne := `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","x":` +
		strings.Repeat("[", 154) + strings.Repeat("]", 154) + `}]}]}]}`
	file := filepath.Join(t.TempDir(), "deep.jsonl")
	content := valid(1) + "\n" + string(deepJSONTraces(1_000_000)) + "\n" + overByOne + "\n" + valid(2) + "\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	size := len(content)
	content = ""

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	code, stdout, stderr := runImportCmd(t, "--data", t.TempDir(), file)
	runtime.ReadMemStats(&after)
	if code != exitRefused {
		t.Errorf("exit %d, want %d (records rejected); stderr:\n%s", code, exitRefused, stderr)
	}
	for _, want := range []string{
		"otlp, 2 spans read, 2 imported, 0 rejected",
		"deep.jsonl:2: record nests deeper than 10000 levels of objects and arrays at line 2; the limit is 160; skipped to line 3",
		"deep.jsonl:3: record nests deeper than the limit of 160 levels of objects and arrays (level 161 opens at byte",
	} {
		if !strings.Contains(stdout+stderr, want) {
			t.Errorf("output lacks %q:\n%s%s", want, stdout, stderr)
		}
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("import allocated %.1f MiB for a %.1f MiB file", float64(alloc)/(1<<20), float64(size)/(1<<20))
	if alloc > 16<<20 {
		t.Errorf("import allocated %d MiB, over 16 MiB", alloc>>20)
	}
}
