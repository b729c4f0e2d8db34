package forward_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/internal/spangen"
)

// crashChildEnv names the queue directory of the child process of
// TestForwardKill9.
const crashChildEnv = "SIGHTLINE_FORWARD_CRASH_CHILD"

// crashSpans is the spans of each request the child appends.
const crashSpans = 3

// crashChild is the child process: it forwards to an upstream that is
// down (a closed port), appends numbered requests of growing sizes and
// prints "ack N" once request N is appended, until it is killed.
func crashChild(dir string) int {
	cfg := forward.DefaultConfig()
	cfg.Dir, cfg.URL = dir, "http://"+os.Getenv(crashChildEnv+"_UPSTREAM")
	cfg.SegmentBytes = 64 << 10
	cfg.BackoffInitial, cfg.BackoffMax = 10*time.Millisecond, 50*time.Millisecond
	f, err := forward.New(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := f.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	for i := 0; ; i++ {
		if err := f.AppendTraces(traceRequest(i, crashSpans+i%40)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Printf("ack %d\n", i) // os.Stdout is not buffered
	}
}

// TestForwardKill9 kills (SIGKILL) a process in the middle of its appends
// while the upstream is down, then opens its queue with an upstream up:
// every request the process acknowledged arrives.
func TestForwardKill9(t *testing.T) {
	dir := t.TempDir()
	down := freePorts(t, 1)[0]
	cmd := exec.Command(os.Args[0], "-test.run=^TestForwardKill9$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir, crashChildEnv+"_UPSTREAM="+down)
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
		n, ok := strings.CutPrefix(sc.Text(), "ack ")
		if !ok {
			continue
		}
		i, err := strconv.Atoi(n)
		if err != nil || i != acked+1 {
			t.Fatalf("child printed %q after ack %d", sc.Text(), acked)
		}
		acked = i
		if acked == 400 {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
		t.Fatalf("child: %v (want killed), acked %d, stderr:\n%s", err, acked, stderr.String())
	}
	t.Logf("the child acknowledged requests 0 to %d before it was killed", acked)

	up := servetest.Start(t, servetest.Config(t))
	cfg := testConfig(t, "http://"+up.HTTP)
	cfg.Dir = dir
	cfg.SegmentBytes = 64 << 10
	f := newForwarder(t, cfg)
	if st := f.Stats(); st.QueueRecords < int64(acked+1) {
		t.Fatalf("reopened queue holds %d records, %d were acknowledged", st.QueueRecords, acked+1)
	}
	start(t, f)
	var want int64
	for i := range acked + 1 {
		want += int64(crashSpans + i%40)
	}
	poll.Until(t, 30*time.Second, "the acknowledged spans upstream", func() bool {
		spans, _ := upstreamCounts(t, up.UI)
		return spans >= want
	})
	for i := range acked + 1 {
		id := spangen.TraceID(uint64(i))
		var tr struct {
			Spans []struct{} `json:"spans"`
		}
		servetest.GetJSON(t, up.UI, fmt.Sprintf("/api/v1/traces/%x?limit=1000", id[:]), 200, &tr)
		if len(tr.Spans) != crashSpans+i%40 {
			t.Fatalf("request %d: %d spans upstream, want %d", i, len(tr.Spans), crashSpans+i%40)
		}
	}
}
