package otlpjson_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpjson"
)

func TestExpandPath(t *testing.T) {
	pid := strconv.Itoa(os.Getpid())
	tests := []struct{ in, want string }{
		{"", ""},
		{"/tmp/traces.jsonl", "/tmp/traces.jsonl"},
		{"/tmp/traces-{pid}.jsonl", "/tmp/traces-" + pid + ".jsonl"},
		{"{pid}/{pid}", pid + "/" + pid},
		{"{PID}-{pid", "{PID}-{pid"},
	}
	for _, tt := range tests {
		if got := otlpjson.ExpandPath(tt.in); got != tt.want {
			t.Errorf("ExpandPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// fileExporter is what the tests need of either file exporter.
type fileExporter struct {
	export     func(ctx context.Context, n int) error // exports n items as one batch
	forceFlush func(context.Context) error
	shutdown   func(context.Context) error
}

// fileSignal runs the same tests over spans and logs.
type fileSignal struct {
	name      string
	open      func(t *testing.T, path string) (fileExporter, error)
	countLine func(line []byte) (int, error) // items in one line
}

func fileSignals() []fileSignal {
	return []fileSignal{
		{
			name: "spans",
			open: func(t *testing.T, path string) (fileExporter, error) {
				e, err := otlpjson.NewFileSpanExporter(path)
				if err != nil {
					return fileExporter{}, err
				}
				return fileExporter{
					export:     func(ctx context.Context, n int) error { return e.ExportSpans(ctx, simpleSpans(t, n)) },
					forceFlush: e.ForceFlush,
					shutdown:   e.Shutdown,
				}, nil
			},
			countLine: func(line []byte) (int, error) {
				var u ptrace.JSONUnmarshaler
				td, err := u.UnmarshalTraces(line)
				return td.SpanCount(), err
			},
		},
		{
			name: "logs",
			open: func(t *testing.T, path string) (fileExporter, error) {
				e, err := otlpjson.NewFileLogExporter(path)
				if err != nil {
					return fileExporter{}, err
				}
				return fileExporter{
					export:     func(ctx context.Context, n int) error { return e.Export(ctx, testRecords(t, n)) },
					forceFlush: e.ForceFlush,
					shutdown:   e.Shutdown,
				}, nil
			},
			countLine: func(line []byte) (int, error) {
				var u plog.JSONUnmarshaler
				ld, err := u.UnmarshalLogs(line)
				return ld.LogRecordCount(), err
			},
		},
	}
}

func mustOpen(t *testing.T, sig fileSignal, path string) fileExporter {
	t.Helper()
	e, err := sig.open(t, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.shutdown(context.Background()) })
	return e
}

// readCounts parses every line of the file at path and returns the item
// count of each.
func readCounts(t *testing.T, sig fileSignal, path string) []int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Errorf("file does not end in a newline")
	}
	var counts []int
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		n, err := sig.countLine(sc.Bytes())
		if err != nil {
			t.Fatalf("line %d does not parse: %v: %.200s", len(counts)+1, err, sc.Bytes())
		}
		counts = append(counts, n)
	}
	return counts
}

func TestFileExporterWritesLines(t *testing.T) {
	ctx := context.Background()
	for _, sig := range fileSignals() {
		t.Run(sig.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), sig.name+"-{pid}.jsonl")
			e := mustOpen(t, sig, path)
			for _, n := range []int{2, 0, 5} { // an empty batch writes nothing
				if err := e.export(ctx, n); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.forceFlush(ctx); err != nil {
				t.Fatalf("ForceFlush: %v", err)
			}
			expanded := otlpjson.ExpandPath(path)
			if !strings.Contains(expanded, strconv.Itoa(os.Getpid())) {
				t.Fatalf("expanded path %q lacks the pid", expanded)
			}
			if got := readCounts(t, sig, expanded); !slices.Equal(got, []int{2, 5}) {
				t.Errorf("line item counts = %v, want [2 5]", got)
			}
		})
	}
}

func TestFileExporterAppendsAcrossExporters(t *testing.T) {
	ctx := context.Background()
	for _, sig := range fileSignals() {
		t.Run(sig.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shared.jsonl")
			first := mustOpen(t, sig, path)
			second := mustOpen(t, sig, path) // both open at once, as two processes would be
			steps := []struct {
				e fileExporter
				n int
			}{{first, 1}, {second, 2}, {first, 3}}
			for _, s := range steps {
				if err := s.e.export(ctx, s.n); err != nil {
					t.Fatal(err)
				}
			}
			if err := first.shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			third := mustOpen(t, sig, path) // reopening appends
			if err := third.export(ctx, 4); err != nil {
				t.Fatal(err)
			}
			if got := readCounts(t, sig, path); !slices.Equal(got, []int{1, 2, 3, 4}) {
				t.Errorf("line item counts = %v, want [1 2 3 4]", got)
			}
		})
	}
}

func TestFileExporterBadPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "x-{pid}.jsonl")
	for _, sig := range fileSignals() {
		t.Run(sig.name, func(t *testing.T) {
			_, err := sig.open(t, path)
			if err == nil {
				t.Fatal("no error for a path in a missing directory")
			}
			if !strings.Contains(err.Error(), otlpjson.ExpandPath(path)) || !strings.HasPrefix(err.Error(), "otlpjson: ") {
				t.Errorf("error %q does not name the expanded path", err)
			}
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("error %v is not fs.ErrNotExist", err)
			}
		})
	}
}

func TestFileExporterShutdown(t *testing.T) {
	ctx := context.Background()
	for _, sig := range fileSignals() {
		t.Run(sig.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.jsonl")
			e := mustOpen(t, sig, path)
			if err := e.export(ctx, 1); err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				if err := e.shutdown(ctx); err != nil {
					t.Fatalf("Shutdown #%d: %v", i+1, err)
				}
			}
			if err := e.export(ctx, 1); err != nil {
				t.Errorf("Export after Shutdown = %v, want nil", err)
			}
			if err := e.forceFlush(ctx); err != nil {
				t.Errorf("ForceFlush after Shutdown = %v, want nil", err)
			}
			if got := readCounts(t, sig, path); !slices.Equal(got, []int{1}) {
				t.Errorf("line item counts = %v, want [1]", got)
			}
		})
	}
}

func TestFileExporterCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, sig := range fileSignals() {
		t.Run(sig.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.jsonl")
			e := mustOpen(t, sig, path)
			if err := e.export(ctx, 1); !errors.Is(err, context.Canceled) {
				t.Errorf("Export with a canceled context = %v, want context.Canceled", err)
			}
			if got := readCounts(t, sig, path); len(got) != 0 {
				t.Errorf("wrote %v", got)
			}
		})
	}
}

func TestFileExporterConcurrentWholeLines(t *testing.T) {
	const workers, perWorker = 8, 10
	ctx := context.Background()
	for _, sig := range fileSignals() {
		t.Run(sig.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.jsonl")
			e := mustOpen(t, sig, path)
			var wg sync.WaitGroup
			errs := make(chan error, workers*perWorker)
			for w := range workers {
				wg.Go(func() {
					for i := range perWorker {
						// Vary the sizes so that lines differ in length.
						if err := e.export(ctx, 1+(w*perWorker+i)%7*20); err != nil {
							errs <- err
						}
					}
				})
			}
			wg.Go(func() { _ = e.forceFlush(ctx) })
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			counts := readCounts(t, sig, path)
			want := 0
			for k := range workers * perWorker {
				want += 1 + k%7*20
			}
			total := 0
			for _, n := range counts {
				total += n
			}
			if len(counts) != workers*perWorker || total != want {
				t.Errorf("%d lines with %d items, want %d lines with %d", len(counts), total, workers*perWorker, want)
			}
		})
	}
}
