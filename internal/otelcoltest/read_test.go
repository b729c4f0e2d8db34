package otelcoltest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

func appendTo(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

func spanLine(t *testing.T, name string) []byte {
	t.Helper()
	td := ptrace.NewTraces()
	td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName(name)
	var m ptrace.JSONMarshaler
	b, err := m.MarshalTraces(td)
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func names(items []ptrace.Traces) []string {
	var out []string
	for _, td := range items {
		out = append(out, td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Name())
	}
	return out
}

// TestReadWholeLines: a missing file has no lines; a last line without
// its newline (being written) is left for a later read, which decodes it
// once it is whole, without decoding the earlier lines again; a whole line
// that is not OTLP/JSON is an error.
func TestReadWholeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "traces.jsonl")
	l := newJSONLines(path, unmarshalTraces)
	check := func(want ...string) {
		t.Helper()
		items, err := l.read()
		if err != nil {
			t.Fatal(err)
		}
		if got := names(items); !slices.Equal(got, want) {
			t.Fatalf("read %v, want %v", got, want)
		}
	}
	check()
	a, b, c := spanLine(t, "a"), spanLine(t, "b"), spanLine(t, "c")
	appendTo(t, path, a)
	appendTo(t, path, b)
	appendTo(t, path, c[:len(c)/2])
	check("a", "b")
	check("a", "b")
	appendTo(t, path, c[len(c)/2:])
	check("a", "b", "c")

	appendTo(t, path, []byte("{not json\n"))
	if _, err := l.read(); err == nil {
		t.Fatal("a whole line that is not OTLP/JSON was read without an error")
	}
}
