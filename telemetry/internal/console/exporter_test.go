package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// writeRecorder keeps every Write call separately.
type writeRecorder struct {
	mu     sync.Mutex
	writes [][]byte
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, bytes.Clone(p))
	return len(p), nil
}

// failWriter fails every Write.
type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestExportWritesOneObjectPerWrite(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
	}{
		{"indented", nil},
		{"compact", []Option{WithIndent(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "")
			var w writeRecorder
			spans := []sdktrace.ReadOnlySpan{rootSpan(), nil, childErrorSpan(), allTypesSpan()}
			if err := NewSpanExporter(&w, tt.opts...).ExportSpans(context.Background(), spans); err != nil {
				t.Fatalf("ExportSpans: %v", err)
			}
			logs := bodyKindLogs(t)
			if err := NewLogExporter(&w, tt.opts...).Export(context.Background(), logs); err != nil {
				t.Fatalf("Export: %v", err)
			}
			if got, want := len(w.writes), 3+len(logs); got != want {
				t.Fatalf("got %d writes, want %d (nil spans are skipped)", got, want)
			}
			for i, p := range w.writes {
				checkWholeObject(t, i, p)
			}
		})
	}
}

// checkWholeObject checks that p is exactly one JSON object and a newline.
func checkWholeObject(t *testing.T, i int, p []byte) {
	t.Helper()
	if !bytes.HasSuffix(p, []byte("}\n")) || bytes.Count(p, []byte("\n{")) > 0 {
		t.Fatalf("write %d is not one object and a newline: %q", i, p)
	}
	var v map[string]any
	if err := json.Unmarshal(p, &v); err != nil {
		t.Fatalf("write %d does not parse: %v\n%s", i, err, p)
	}
}

func TestConcurrentExport(t *testing.T) {
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "")
	const goroutines, rounds = 16, 25
	logs := bodyKindLogs(t)
	tests := []struct {
		name string
		opts []Option
	}{
		{"indented", nil},
		{"compact", []Option{WithIndent(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A bytes.Buffer is not safe for concurrent use: the race
			// detector reports any Write an exporter fails to serialise.
			// The two exporters have separate locks, so separate buffers.
			var spanBuf, logBuf bytes.Buffer
			spanExp := NewSpanExporter(&spanBuf, tt.opts...)
			logExp := NewLogExporter(&logBuf, tt.opts...)
			even := []sdktrace.ReadOnlySpan{rootSpan(), eventsLinksSpan(t), allTypesSpan()}
			odd := []sdktrace.ReadOnlySpan{rootSpan(), eventsLinksSpan(t)}

			var wg sync.WaitGroup
			errs := make(chan error, 2*goroutines*rounds)
			for g := range goroutines {
				wg.Go(func() {
					spans := odd
					if g%2 == 0 {
						spans = even
					}
					rec := logs[g%len(logs) : g%len(logs)+1]
					for range rounds {
						errs <- spanExp.ExportSpans(context.Background(), spans)
						errs <- logExp.Export(context.Background(), rec)
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("export: %v", err)
				}
			}
			wantSpans := goroutines/2*rounds*len(even) + goroutines/2*rounds*len(odd)
			checkStream(t, spanBuf.Bytes(), wantSpans, tt.opts)
			checkStream(t, logBuf.Bytes(), goroutines*rounds, tt.opts)
		})
	}
}

// checkStream checks that out holds n whole objects; in compact mode, one
// per line.
func checkStream(t *testing.T, out []byte, n int, opts []Option) {
	t.Helper()
	checkJSONStream(t, out, n)
	if newConfig(opts).indent != 0 {
		return
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("got %d lines, want %d", len(lines), n)
	}
	for i, l := range lines {
		checkWholeObject(t, i, []byte(l+"\n"))
	}
}

func TestWriteErrorIsWrapped(t *testing.T) {
	boom := errors.New("disk full")
	spanErr := NewSpanExporter(failWriter{boom}).ExportSpans(context.Background(),
		[]sdktrace.ReadOnlySpan{rootSpan(), childErrorSpan()})
	logErr := NewLogExporter(failWriter{boom}).Export(context.Background(), plainLog(t))
	tests := []struct {
		name   string
		err    error
		prefix string
	}{
		{"spans", spanErr, "console: write spans: "},
		{"logs", logErr, "console: write logs: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, boom) {
				t.Fatalf("error %v does not wrap the write error", tt.err)
			}
			if got := tt.err.Error(); got != tt.prefix+"disk full" {
				t.Fatalf("error = %q, want %q", got, tt.prefix+"disk full")
			}
		})
	}
}

func TestShutdownStopsOutput(t *testing.T) {
	ctx := context.Background()
	var w writeRecorder
	spanExp := NewSpanExporter(&w)
	logExp := NewLogExporter(&w)
	records := plainLog(t)
	for range 2 { // Shutdown is idempotent.
		if err := spanExp.Shutdown(ctx); err != nil {
			t.Fatalf("span Shutdown: %v", err)
		}
		if err := logExp.Shutdown(ctx); err != nil {
			t.Fatalf("log Shutdown: %v", err)
		}
	}
	if err := spanExp.ExportSpans(ctx, []sdktrace.ReadOnlySpan{rootSpan()}); err != nil {
		t.Fatalf("ExportSpans after Shutdown: %v", err)
	}
	if err := logExp.Export(ctx, records); err != nil {
		t.Fatalf("Export after Shutdown: %v", err)
	}
	if err := logExp.ForceFlush(ctx); err != nil {
		t.Fatalf("ForceFlush after Shutdown: %v", err)
	}
	if len(w.writes) != 0 {
		t.Fatalf("got %d writes after Shutdown, want none", len(w.writes))
	}
}

func TestCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var w writeRecorder
	spanErr := NewSpanExporter(&w).ExportSpans(ctx, []sdktrace.ReadOnlySpan{rootSpan()})
	logErr := NewLogExporter(&w).Export(ctx, plainLog(t))
	for _, err := range []error{spanErr, logErr} {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error = %v, want one wrapping context.Canceled", err)
		}
	}
	if len(w.writes) != 0 {
		t.Fatalf("got %d writes with a canceled context, want none", len(w.writes))
	}
}

func TestNilWriterMeansStdout(t *testing.T) {
	if w := NewSpanExporter(nil).s.w; w != os.Stdout {
		t.Errorf("span exporter writer = %v, want os.Stdout", w)
	}
	if w := NewLogExporter(nil).s.w; w != os.Stdout {
		t.Errorf("log exporter writer = %v, want os.Stdout", w)
	}
}

func TestExportNothing(t *testing.T) {
	var w writeRecorder
	if err := NewSpanExporter(&w).ExportSpans(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if err := NewLogExporter(&w).Export(context.Background(), []sdklog.Record{}); err != nil {
		t.Fatal(err)
	}
	if len(w.writes) != 0 {
		t.Fatalf("got %d writes, want none", len(w.writes))
	}
}

// TestResourceCache checks that alternating resources are each written
// correctly even though only the last one is cached.
func TestResourceCache(t *testing.T) {
	var buf bytes.Buffer
	exp := NewSpanExporter(&buf, WithIndent(0))
	spans := []sdktrace.ReadOnlySpan{rootSpan(), traceStateSpan(t), rootSpan(), traceStateSpan(t)}
	if err := exp.ExportSpans(context.Background(), spans); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for i, l := range lines {
		var v struct {
			Resource struct {
				Attributes map[string]any `json:"attributes"`
				SchemaURL  string         `json:"schema_url"`
			} `json:"resource"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatal(err)
		}
		wantAttrs := 5
		if i%2 == 1 {
			wantAttrs = 0
		}
		if len(v.Resource.Attributes) != wantAttrs {
			t.Errorf("span %d: %d resource attributes, want %d", i, len(v.Resource.Attributes), wantAttrs)
		}
	}
}

// TestSpanEncodingAllocs checks the steady state of the encoder: a span
// whose attributes are all scalars is encoded without allocating.
func TestSpanEncodingAllocs(t *testing.T) {
	sp := rootSpan()
	var cache resourceCache
	e := &encoder{indent: 4}
	allocs := testing.AllocsPerRun(100, func() {
		e.reset()
		e.span(sp, &cache)
	})
	if allocs != 0 {
		t.Fatalf("encoding a span allocates %.1f times, want 0", allocs)
	}
}

// TestWithTracerProvider runs the exporter behind a real TracerProvider.
func TestWithTracerProvider(t *testing.T) {
	var buf bytes.Buffer
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(NewSpanExporter(&buf, WithIndent(0))))
	tracer := tp.Tracer("console-test")
	ctx, parent := tracer.Start(context.Background(), "parent")
	_, child := tracer.Start(ctx, "child")
	child.AddEvent("step", trace.WithAttributes(attribute.Int("n", 1)))
	child.SetStatus(codes.Error, "failed")
	child.End()
	parent.End()
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), buf.String())
	}
	type span struct {
		Name    string `json:"name"`
		Context struct {
			SpanID string `json:"span_id"`
		} `json:"context"`
		Kind     string           `json:"kind"`
		ParentID *string          `json:"parent_id"`
		Status   map[string]any   `json:"status"`
		Events   []map[string]any `json:"events"`
	}
	var childSpan, parentSpan span
	for i, dst := range []*span{&childSpan, &parentSpan} {
		if err := json.Unmarshal([]byte(lines[i]), dst); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
	}
	if childSpan.ParentID == nil || *childSpan.ParentID != parentSpan.Context.SpanID {
		t.Errorf("child parent_id = %v, want %s", childSpan.ParentID, parentSpan.Context.SpanID)
	}
	if parentSpan.ParentID != nil {
		t.Errorf("root parent_id = %v, want null", *parentSpan.ParentID)
	}
	if childSpan.Kind != "SpanKind.INTERNAL" || childSpan.Status["status_code"] != "ERROR" || childSpan.Status["description"] != "failed" {
		t.Errorf("child kind/status = %s %v", childSpan.Kind, childSpan.Status)
	}
	if len(childSpan.Events) != 1 || childSpan.Events[0]["name"] != "step" {
		t.Errorf("child events = %v", childSpan.Events)
	}
}
