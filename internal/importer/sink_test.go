package importer

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// spansAndLogs is n spans then n log records, compact.
func spansAndLogs(n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(spanJSON("s") + "\n")
	}
	for range n {
		b.WriteString(`{"body": "l", "severity_number": 9}` + "\n")
	}
	return b.String()
}

// TestSinkPartialSuccess counts the items a sink refuses as rejected, with
// its message and no line.
func TestSinkPartialSuccess(t *testing.T) {
	tests := []struct {
		name                string
		sink                *fakeSink
		wantSpans, wantLogs int
		wantRejected        int
		wantRejections      []string
	}{
		{
			name: "some of each batch", sink: &fakeSink{rejectSpans: 2, rejectLogs: 1, message: "too old"},
			wantSpans: 6, wantLogs: 8, wantRejected: 6,
			wantRejections: []string{
				"0: 2 of 5 spans rejected by the sink: too old", "0: 2 of 5 spans rejected by the sink: too old",
				"0: 1 of 5 log records rejected by the sink: too old", "0: 1 of 5 log records rejected by the sink: too old",
			},
		},
		{
			name: "no message", sink: &fakeSink{rejectSpans: 5},
			wantSpans: 0, wantLogs: 10, wantRejected: 10,
			wantRejections: []string{"0: 5 of 5 spans rejected by the sink: no reason given", "0: 5 of 5 spans rejected by the sink: no reason given"},
		},
		{
			name: "more than the batch", sink: &fakeSink{rejectLogs: 99, message: "full"},
			wantSpans: 10, wantLogs: 0, wantRejected: 10,
			wantRejections: []string{"0: 5 of 5 log records rejected by the sink: full", "0: 5 of 5 log records rejected by the sink: full"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Import(t.Context(), strings.NewReader(spansAndLogs(10)), "f", tt.sink, WithBatchSize(5))
			if err != nil {
				t.Fatal(err)
			}
			checkRejections(t, rep, tt.wantRejections...)
			if rep.SpansImported != tt.wantSpans || rep.LogsImported != tt.wantLogs || rep.RejectedCount != tt.wantRejected ||
				rep.SpansRead != 10 || rep.LogsRead != 10 || rep.OtherRejected() != 0 {
				t.Errorf("report = %+v", rep)
			}
		})
	}
}

// TestSinkError stops the import at the sink's first error, returns it,
// and counts what was not imported.
func TestSinkError(t *testing.T) {
	tests := []struct {
		name                string
		failAt              int
		wantSpans, wantLogs int
		wantRejections      []string
	}{
		{"first batch", 1, 0, 0, []string{"0: 5 spans not imported: sink down"}},
		{"second span batch", 2, 5, 0, []string{"0: 5 spans not imported: sink down"}},
		{"first log batch", 3, 10, 0, []string{"0: 5 log records not imported: sink down"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &fakeSink{failAt: tt.failAt, err: errSinkDown}
			rep, err := Import(t.Context(), strings.NewReader(spansAndLogs(10)), "f", sink, WithBatchSize(5))
			var se *SinkError
			if !errors.Is(err, errSinkDown) || !errors.As(err, &se) || !strings.Contains(err.Error(), "importer: f: sink: sink down") {
				t.Fatalf("err = %v", err)
			}
			checkRejections(t, rep, tt.wantRejections...)
			if rep.SpansImported != tt.wantSpans || rep.LogsImported != tt.wantLogs || rep.RejectedCount != 5 {
				t.Errorf("report = %+v", rep)
			}
			if sink.calls != tt.failAt {
				t.Errorf("%d calls after the sink failed at call %d", sink.calls, tt.failAt)
			}
		})
	}
}

// TestSinkErrorAbandonsOtherBatch counts the other signal's pending items
// as not imported when the sink fails.
func TestSinkErrorAbandonsOtherBatch(t *testing.T) {
	input := `{"body": "l"}` + "\n" + spanJSON("a") + "\n" + spanJSON("b") + "\n"
	sink := &fakeSink{failAt: 1, err: errSinkDown}
	rep, err := Import(t.Context(), strings.NewReader(input), "f", sink, WithBatchSize(2))
	if !errors.Is(err, errSinkDown) {
		t.Fatalf("err = %v", err)
	}
	checkRejections(t, rep, "0: 2 spans not imported: sink down", "0: 1 log record not imported: import stopped after the sink failed")
	if rep.RejectedCount != 3 {
		t.Errorf("report = %+v", rep)
	}
}

// TestReadError returns the input's read error after importing what was
// read before it.
func TestReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader(spanJSON("a")+"\n"+spanJSON("b")[:50]), iotest.ErrReader(iotest.ErrTimeout))
	sink := &fakeSink{}
	rep, err := Import(t.Context(), r, "f", sink)
	if !errors.Is(err, iotest.ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
	if rep.SpansImported != 1 || len(sink.spans()) != 1 || rep.RejectedCount != 0 {
		t.Errorf("report = %+v", rep)
	}
}

// TestCancel stops between records when ctx ends.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	n := 0
	r := iotest.OneByteReader(strings.NewReader(spansAndLogs(50)))
	rep, err := Import(ctx, r, "f", &fakeSink{}, WithProgress(func(int64) {
		if n++; n == 2000 {
			cancel()
		}
	}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if rep.SpansRead == 0 || rep.SpansRead == 50 || rep.SpansImported != 0 || rep.RejectedCount != rep.SpansRead {
		t.Errorf("report = %+v", rep)
	}
}

// TestProgress reports every byte, increasingly.
func TestProgress(t *testing.T) {
	input := spansAndLogs(100)
	var got []int64
	_, _ = importString(t, input, WithProgress(func(n int64) { got = append(got, n) }))
	if len(got) == 0 || got[len(got)-1] != int64(len(input)) {
		t.Fatalf("progress %v, want to end at %d", got, len(input))
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("progress went from %d to %d", got[i-1], got[i])
		}
	}
}

// TestRejectionCap lists the first MaxRejections and counts all.
func TestRejectionCap(t *testing.T) {
	input := strings.Repeat(`{"name": "x", "context": {}}`+"\n", 150)
	rep, _ := importString(t, input)
	if len(rep.Rejected) != MaxRejections || rep.RejectedCount != 150 || rep.Rejected[99].Line != 100 {
		t.Errorf("%d listed, %d counted, last line %d", len(rep.Rejected), rep.RejectedCount, rep.Rejected[len(rep.Rejected)-1].Line)
	}
}
