package importer

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// countingSink counts what it is given and checks every batch against a
// callback; it keeps nothing.
type countingSink struct {
	spans, logs, batches int
	check                func(spans int)
}

func (s *countingSink) AppendTraces(_ context.Context, td ptrace.Traces) (int, string, error) {
	n := td.SpanCount()
	s.spans += n
	s.batches++
	if s.check != nil {
		s.check(n)
	}
	return 0, "", nil
}

func (s *countingSink) AppendLogs(_ context.Context, ld plog.Logs) (int, string, error) {
	s.logs += ld.LogRecordCount()
	return 0, "", nil
}

// streamSpans writes n compact console spans of the same length through
// a pipe and returns the reader and the length of one line. The writer
// stops when the reader is closed.
func streamSpans(t *testing.T, n int) (io.Reader, int) {
	t.Helper()
	pr, pw := io.Pipe()
	line := func(i int) string {
		// A 600-byte attribute makes every record ~1 KB.
		return strings.Replace(spanJSON(fmt.Sprintf("span-%07d", i)), `"attributes": {}`,
			`"attributes": {"i": `+fmt.Sprintf("%7d", i)+`, "pad": "`+strings.Repeat("p", 600)+`", "v": NaN}`, 1) + "\n"
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range n {
			if _, err := io.WriteString(pw, line(i)); err != nil {
				return
			}
		}
		pw.Close()
	})
	t.Cleanup(func() {
		pr.Close()
		wg.Wait()
	})
	return pr, len(line(0))
}

// TestStreamingConstantMemory imports 50,000 spans (~50 MB) from a pipe
// and checks that Import reads only as far as it has to: when a batch
// reaches the sink, Import has read no more than the spans in the batches
// so far and a fixed amount of buffering ahead of them. The live heap
// stays far below the size of the input.
func TestStreamingConstantMemory(t *testing.T) {
	const (
		n     = 50000
		batch = 500
		// bufio.Reader, NaN filter and decoder buffers, with room to spare.
		slack = 256 << 10
	)
	r, lineLen := streamSpans(t, n)
	var read int64
	var maxHeap uint64
	sink := &countingSink{}
	sink.check = func(spans int) {
		if spans > batch || spans < 1 {
			t.Errorf("batch of %d spans, want 1-%d", spans, batch)
		}
		if ahead := read - int64(sink.spans*lineLen); ahead > slack {
			t.Errorf("after %d spans, %d bytes read: %d ahead of the records imported", sink.spans, read, ahead)
		}
		if sink.batches%20 == 0 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			maxHeap = max(maxHeap, ms.HeapAlloc)
		}
	}
	rep, err := Import(t.Context(), r, "pipe", sink, WithBatchSize(batch), WithProgress(func(b int64) { read = b }))
	if err != nil {
		t.Fatal(err)
	}
	if rep.SpansRead != n || rep.SpansImported != n || sink.spans != n || rep.RejectedCount != 0 || sink.batches != n/batch {
		t.Fatalf("report %+v, sink got %d spans in %d batches", rep, sink.spans, sink.batches)
	}
	if total := int64(n * lineLen); read != total {
		t.Errorf("read %d bytes, want %d", read, total)
	}
	t.Logf("input %d MB, largest live heap seen %.1f MB", n*lineLen>>20, float64(maxHeap)/(1<<20))
	if maxHeap > 24<<20 {
		t.Errorf("live heap reached %d MB for a %d MB input", maxHeap>>20, n*lineLen>>20)
	}
}

// TestBatchSize checks that batches hold at most the batch size, spans and
// log records separately, and that the last partial batches are sent.
func TestBatchSize(t *testing.T) {
	var b strings.Builder
	for i := range 23 {
		b.WriteString(spanJSON(fmt.Sprint("s", i)) + "\n")
		if i%2 == 0 {
			b.WriteString(`{"body": "log", "severity_number": 9}` + "\n")
		}
	}
	for _, size := range []int{1, 5, 12, 100, 0} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			rep, sink := importString(t, b.String(), WithBatchSize(size))
			if rep.SpansImported != 23 || rep.LogsImported != 12 {
				t.Fatalf("report = %+v", rep)
			}
			want := size
			if size <= 0 {
				want = DefaultBatchSize
			}
			for _, td := range sink.traces {
				if td.SpanCount() > want {
					t.Errorf("batch of %d spans", td.SpanCount())
				}
			}
			for _, ld := range sink.logs {
				if ld.LogRecordCount() > want {
					t.Errorf("batch of %d log records", ld.LogRecordCount())
				}
			}
			if wantBatches := (23 + want - 1) / want; len(sink.traces) != wantBatches {
				t.Errorf("%d span batches, want %d", len(sink.traces), wantBatches)
			}
		})
	}
}
