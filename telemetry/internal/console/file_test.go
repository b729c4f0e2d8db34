package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func fileSpan(name string) sdktrace.ReadOnlySpan {
	return tracetest.SpanStub{Name: name}.Snapshot()
}

// TestFileBound: a batch that would take the file past its bound is not
// written at all (ErrFileFull), so the file only ever holds whole lines;
// a later batch that fits is written.
func TestFileBound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "{pid}.json")
	probe, err := NewFileSpanExporter(filepath.Join(t.TempDir(), "probe.json"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := probe.ExportSpans(context.Background(), []sdktrace.ReadOnlySpan{fileSpan("a")}); err != nil {
		t.Fatal(err)
	}
	one, _ := os.ReadFile(probe.Path())
	_ = probe.Shutdown(context.Background())

	// Room for three one-span lines and a bit.
	x, err := NewFileSpanExporter(path, int64(3*len(one)+len(one)/2))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Shutdown(context.Background())
	ctx := context.Background()
	if want := filepath.Join(filepath.Dir(path), strconv.Itoa(os.Getpid())+".json"); x.Path() != want {
		t.Errorf("Path = %s, want %s", x.Path(), want)
	}
	if err := x.ExportSpans(ctx, []sdktrace.ReadOnlySpan{fileSpan("a"), fileSpan("b")}); err != nil {
		t.Fatal(err)
	}
	err = x.ExportSpans(ctx, []sdktrace.ReadOnlySpan{fileSpan("c"), fileSpan("d")})
	if !errors.Is(err, ErrFileFull) || !strings.Contains(err.Error(), x.Path()) {
		t.Fatalf("a batch past the bound: %v, want ErrFileFull naming the file", err)
	}
	if err := x.ExportSpans(ctx, []sdktrace.ReadOnlySpan{fileSpan("e")}); err != nil {
		t.Fatalf("a batch that fits after a refused one: %v", err)
	}
	if err := x.ExportSpans(ctx, []sdktrace.ReadOnlySpan{fileSpan("f")}); !errors.Is(err, ErrFileFull) {
		t.Fatalf("a batch past the bound: %v", err)
	}
	data, _ := os.ReadFile(x.Path())
	var names []string
	for _, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		var m struct{ Name string }
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		names = append(names, m.Name)
	}
	if strings.Join(names, ",") != "a,b,e" {
		t.Errorf("file holds %v, want a,b,e", names)
	}

	// Reopened (a new process with the same pid, or a second endpoint), the
	// bound counts what the file already holds.
	y, err := NewFileSpanExporter(path, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	defer y.Shutdown(context.Background())
	if err := y.ExportSpans(ctx, []sdktrace.ReadOnlySpan{fileSpan("g")}); !errors.Is(err, ErrFileFull) {
		t.Errorf("a full file reopened takes more: %v", err)
	}
}

func TestFileOpen(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ path, err string }{
		{"", "empty path"},
		{filepath.Join(dir, "{os.getpid()}.json"), "placeholder other than {pid}"},
		{dir, "is a directory"},
	} {
		if _, err := NewFileSpanExporter(tc.path, 0); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("open %q: %v, want %q", tc.path, err, tc.err)
		}
	}
	if runtime.GOOS == "windows" {
		return
	}
	target := filepath.Join(dir, "target")
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFileLogExporter(link, 0); err == nil {
		t.Error("a symbolic link was followed")
	}
	if _, err := os.Stat(target); err == nil {
		t.Error("the link's target was created")
	}
}
