package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// crashChildEnv, set to a data directory, makes the test binary run
// crashChild instead of the tests (see TestMain).
const crashChildEnv = "SIGHTLINE_STORE_CRASH_CHILD"

const crashTraces, crashSpans = 10, 5

// crashChild appends batches to the store in $crashChildEnv for ever,
// printing "acked N" after AppendTraces returns for batch N.
func crashChild() int {
	ctx := context.Background()
	s, err := Open(ctx, os.Getenv(crashChildEnv), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := uint64(0); ; i++ {
		td := loadTraces(r, i*crashTraces, crashTraces, crashSpans, base)
		if _, err := s.AppendTraces(ctx, td); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("acked %d\n", i)
	}
}

// TestCrashSafety kills a process appending to a store (SIGKILL, at a
// random acknowledgement) and checks that every acknowledged batch is in
// the store when it is opened again.
func TestCrashSafety(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for round := range 3 {
		killAt := 3 + rand.IntN(60)
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acked := -1
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var n int
			if _, err := fmt.Sscanf(sc.Text(), "acked %d", &n); err != nil {
				t.Errorf("child said %q", sc.Text())
				continue
			}
			acked = max(acked, n)
			if n == killAt {
				if err := cmd.Process.Kill(); err != nil { // SIGKILL
					t.Fatal(err)
				}
			}
		}
		_ = cmd.Wait() // killed: the error says so
		if acked < killAt {
			t.Fatalf("round %d: child stopped at ack %d before %d; stderr: %s", round, acked, killAt, stderr.String())
		}
		s, err := Open(context.Background(), dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range uint64(acked + 1) {
			for j := range uint64(crashTraces) {
				id := traceID(i*crashTraces + j)
				page, err := s.Trace(context.Background(), fmt.Sprintf("%x", id[:]), Page{})
				if err != nil {
					t.Fatalf("round %d: acked batch %d (of %d acked): %v", round, i, acked+1, err)
				}
				if len(page.Spans) != crashSpans {
					t.Fatalf("round %d: batch %d trace %d: %d spans, want %d", round, i, j, len(page.Spans), crashSpans)
				}
			}
		}
		checkIndexAfterCrash(t, s, acked)
		if err := s.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// checkIndexAfterCrash finds the traces of the last acknowledged batch
// by an attribute value (the batch is most likely in the attribute
// index's pending rows, not in a block yet): regenerating the child's
// batches gives their values.
func checkIndexAfterCrash(t *testing.T, s *Store, acked int) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	var td ptrace.Traces
	for i := range uint64(acked + 1) {
		td = loadTraces(r, i*crashTraces, crashTraces, crashSpans, base)
	}
	sp := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	user, _ := sp.Attributes().Get("user.id")
	res, err := s.SearchTraces(context.Background(), TraceQuery{Attributes: map[string]string{"user.id": user.Str()}, Limit: maxTraceLimit})
	if err != nil {
		t.Fatal(err)
	}
	want := hexID(sp.TraceID())
	if !slices.ContainsFunc(res.Traces, func(tr TraceSummary) bool { return tr.TraceID == want }) {
		t.Errorf("after the crash, user.id=%s does not find trace %s of the last acknowledged batch", user.Str(), want)
	}
}
