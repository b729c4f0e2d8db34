package console

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestGoldenSpans(t *testing.T) {
	tests := []struct {
		name  string
		opts  []Option
		spans func(testing.TB) []sdktrace.ReadOnlySpan
	}{
		{"root_span", nil, func(testing.TB) []sdktrace.ReadOnlySpan {
			return []sdktrace.ReadOnlySpan{rootSpan()}
		}},
		{"child_error_span", nil, func(testing.TB) []sdktrace.ReadOnlySpan {
			return []sdktrace.ReadOnlySpan{childErrorSpan()}
		}},
		{"events_links", nil, func(t testing.TB) []sdktrace.ReadOnlySpan {
			return []sdktrace.ReadOnlySpan{eventsLinksSpan(t)}
		}},
		{"attribute_types", nil, func(testing.TB) []sdktrace.ReadOnlySpan {
			return []sdktrace.ReadOnlySpan{allTypesSpan()}
		}},
		{"trace_state", nil, func(t testing.TB) []sdktrace.ReadOnlySpan {
			return []sdktrace.ReadOnlySpan{traceStateSpan(t)}
		}},
		{"compact", []Option{WithIndent(0)}, func(t testing.TB) []sdktrace.ReadOnlySpan {
			return []sdktrace.ReadOnlySpan{rootSpan(), eventsLinksSpan(t), allTypesSpan()}
		}},
		{"indent2", []Option{WithIndent(2)}, func(t testing.TB) []sdktrace.ReadOnlySpan {
			return []sdktrace.ReadOnlySpan{eventsLinksSpan(t)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			exp := NewSpanExporter(&buf, tt.opts...)
			if err := exp.ExportSpans(context.Background(), tt.spans(t)); err != nil {
				t.Fatalf("ExportSpans: %v", err)
			}
			checkJSONStream(t, buf.Bytes(), len(tt.spans(t)))
			checkCompactLines(t, buf.Bytes(), tt.opts, len(tt.spans(t)))
			checkGolden(t, tt.name, buf.Bytes())
		})
	}
}

func TestGoldenLogs(t *testing.T) {
	// The provider merges OTEL_RESOURCE_ATTRIBUTES into the resource.
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "")
	t.Setenv("OTEL_SERVICE_NAME", "")
	tests := []struct {
		name    string
		opts    []Option
		records func(testing.TB) []sdklog.Record
	}{
		{"log_body_kinds", nil, bodyKindLogs},
		{"log_no_trace_context", nil, plainLog},
		{"log_compact", []Option{WithIndent(0)}, bodyKindLogs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := tt.records(t)
			var buf bytes.Buffer
			exp := NewLogExporter(&buf, tt.opts...)
			if err := exp.Export(context.Background(), recs); err != nil {
				t.Fatalf("Export: %v", err)
			}
			checkJSONStream(t, buf.Bytes(), len(recs))
			checkCompactLines(t, buf.Bytes(), tt.opts, len(recs))
			checkGolden(t, tt.name, buf.Bytes())
		})
	}
}

// checkGolden compares got with testdata/name.golden, or rewrites the file
// when the -update flag is given.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update after checking):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// checkJSONStream checks that out is n JSON objects, each followed by
// "\n", that each parses with encoding/json, and that out is pure ASCII.
func checkJSONStream(t *testing.T, out []byte, n int) {
	t.Helper()
	if !bytes.HasSuffix(out, []byte("}\n")) {
		t.Errorf("output does not end with an object and a newline: %q", tail(out))
	}
	for i, c := range out {
		if c >= 0x80 {
			t.Fatalf("non-ASCII byte %#x at offset %d", c, i)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	got := 0
	for {
		var v map[string]any
		err := dec.Decode(&v)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("object %d does not parse: %v", got, err)
		}
		got++
	}
	if got != n {
		t.Errorf("parsed %d objects, want %d", got, n)
	}
}

// checkCompactLines checks that, in compact mode, out has exactly one line
// per object.
func checkCompactLines(t *testing.T, out []byte, opts []Option, n int) {
	t.Helper()
	if newConfig(opts).indent != 0 {
		return
	}
	if got := bytes.Count(out, []byte("\n")); got != n {
		t.Errorf("compact output has %d lines, want %d", got, n)
	}
}

func tail(b []byte) []byte {
	if len(b) > 40 {
		return b[len(b)-40:]
	}
	return b
}
