package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// The in-flight end-to-end test: real child processes (this test binary,
// started in the mode below) set up telemetry from the environment like any
// program, announce a long scan to a real serve over OTLP/HTTP, and are
// either killed with SIGKILL or end their spans normally.

// inflightChildEnv starts this test binary as the emitting child.
const inflightChildEnv = "SIGHTLINE_TEST_INFLIGHT_CHILD"

// inflightSpans are the child's spans, by name, in the order it starts
// them; those marked long stay open until the test says "end".
var inflightSpans = []struct {
	name, parent string
	long         bool
}{
	{"scan", "", true},
	{"configure", "scan", false},
	{"move motor", "scan", true},
	{"read det1", "scan", false},
}

// runInflightChild is the child: it prints the trace id and its spans'
// ids as one JSON line once every span has started, then waits for a line
// on stdin; "end" ends the long spans and shuts telemetry down (exit 0).
// It is meant to be killed before that.
func runInflightChild() int {
	ctx := context.Background()
	c, err := telemetry.Setup(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	tr := c.Tracer("inflight-child")
	ids := map[string]string{}
	ctxs := map[string]context.Context{"": ctx}
	var open []func()
	var traceID string
	for _, s := range inflightSpans {
		sctx, sp := tr.Start(ctxs[s.parent], s.name)
		ctxs[s.name] = sctx
		ids[s.name] = sp.SpanContext().SpanID().String()
		traceID = sp.SpanContext().TraceID().String()
		if s.long {
			open = append(open, func() { sp.End() })
		} else {
			sp.End()
		}
	}
	line, _ := json.Marshal(map[string]any{"trace_id": traceID, "spans": ids})
	fmt.Println(string(line))
	cmd, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	if strings.TrimSpace(cmd) != "end" {
		return 3
	}
	for i := len(open) - 1; i >= 0; i-- { // children first, as a plan ends
		open[i]()
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := c.Shutdown(sctx); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 4
	}
	return 0
}

// inflightChild is a started child process.
type inflightChild struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	traceID string
	spans   map[string]string // name -> span id
	started time.Time         // when its ids were read: after its spans started
	done    chan error
}

// startInflightChild starts the child announcing to the serve at httpAddr
// with threshold 100 ms and interval 300 ms (lost after 900 ms of silence).
func startInflightChild(t *testing.T, httpAddr, service string) *inflightChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(cleanEnv(), inflightChildEnv+"=1",
		"SIGHTLINE_TELEMETRY_ENABLE=on", "SIGHTLINE_TELEMETRY_TYPES=tracing",
		"SIGHTLINE_TELEMETRY_SERVICE_NAME="+service,
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS=http",
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS=http://"+httpAddr,
		"SIGHTLINE_TELEMETRY_INFLIGHT_THRESHOLD=100ms",
		"SIGHTLINE_TELEMETRY_INFLIGHT_INTERVAL=300ms")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ch := &inflightChild{cmd: cmd, stdin: stdin, done: make(chan error, 1)}
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-ch.done })
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			first <- sc.Text()
		}
		close(first)
		_, _ = io.Copy(io.Discard, stdout)
		ch.done <- cmd.Wait()
	}()
	select {
	case line, ok := <-first:
		if !ok {
			t.Fatal("the child exited before printing its spans")
		}
		ch.started = time.Now()
		var ids struct {
			TraceID string            `json:"trace_id"`
			Spans   map[string]string `json:"spans"`
		}
		if err := json.Unmarshal([]byte(line), &ids); err != nil {
			t.Fatalf("child printed %q: %v", line, err)
		}
		ch.traceID, ch.spans = ids.TraceID, ids.Spans
	case <-time.After(30 * time.Second):
		t.Fatal("the child printed nothing in 30 s")
	}
	return ch
}

// apiSpan is what the test reads of a span from the query API.
type apiSpan struct {
	SpanID    string `json:"span_id"`
	Name      string `json:"name"`
	State     string `json:"state"`
	End       int64  `json:"end_unix_nano"`
	LastHeard int64  `json:"last_heard_unix_nano"`
}

// apiTrace is a trace page, or ok false while the trace is not stored.
type apiTrace struct {
	Spans   []apiSpan `json:"spans"`
	Summary struct {
		SpanCount  int  `json:"span_count"`
		OpenSpans  int  `json:"open_spans"`
		LostSpans  int  `json:"lost_spans"`
		InProgress bool `json:"in_progress"`
	} `json:"summary"`
}

func getTrace(t *testing.T, ui, traceID string) (apiTrace, bool) {
	t.Helper()
	resp, body := servetest.Get(t, ui+"/api/v1/traces/"+traceID+"?limit=1000", "")
	var tr apiTrace
	switch resp.StatusCode {
	case 404:
		return tr, false
	case 200:
		if err := json.Unmarshal(body, &tr); err != nil {
			t.Fatalf("trace %s: %v: %s", traceID, err, body)
		}
		return tr, true
	}
	t.Fatalf("GET trace %s: %d %s", traceID, resp.StatusCode, body)
	return tr, false
}

// states is the state of each named span in tr ("" for one not there).
func (ch *inflightChild) states(tr apiTrace) map[string]string {
	out := map[string]string{}
	for name, id := range ch.spans {
		for _, s := range tr.Spans {
			if s.SpanID == id {
				out[name] = s.State
			}
		}
		if _, ok := out[name]; !ok {
			out[name] = ""
		}
	}
	return out
}

func wantStates(long, short string) map[string]string {
	out := map[string]string{}
	for _, s := range inflightSpans {
		out[s.name] = short
		if s.long {
			out[s.name] = long
		}
	}
	return out
}

// waitOpen waits until the query API shows the child's long spans open,
// failing t unless that is within 2 s of their start.
func (ch *inflightChild) waitOpen(t *testing.T, ui string) {
	t.Helper()
	poll.Until(t, 2*time.Second-time.Since(ch.started), "the long spans open through the query API within 2 s of their start", func() bool {
		tr, _ := getTrace(t, ui, ch.traceID)
		st := ch.states(tr)
		for _, s := range inflightSpans {
			if s.long && st[s.name] != "open" {
				return false
			}
		}
		return true
	})
}

// inProgress lists the traces search finds with in_progress=true.
func inProgress(t *testing.T, ui, service string) []string {
	t.Helper()
	var res struct {
		Traces []struct {
			TraceID string `json:"trace_id"`
		} `json:"traces"`
	}
	servetest.GetJSON(t, ui, "/api/v1/traces?"+url.Values{"service": {service}, "in_progress": {"true"}}.Encode(), 200, &res)
	var ids []string
	for _, tr := range res.Traces {
		ids = append(ids, tr.TraceID)
	}
	return ids
}

// TestInFlightProcesses: a child's long spans are seen open through the
// query API within 2 s of their start; SIGKILL leaves them lost, with the
// time they were last heard; a second child that ends normally leaves
// exactly one finished span per span and no open state.
func TestInFlightProcesses(t *testing.T) {
	ts := servetest.Start(t, servetest.Config(t))

	// The child that is killed.
	killed := startInflightChild(t, ts.HTTP, "inflight-killed")
	var seen apiTrace
	killed.waitOpen(t, ts.UI)
	// The short spans come as finished spans, through the batch processor
	// (up to its 5 s delay).
	poll.Until(t, 15*time.Second, "the finished children beside the open spans", func() bool {
		tr, _ := getTrace(t, ts.UI, killed.traceID)
		seen = tr
		return fmt.Sprint(killed.states(tr)) == fmt.Sprint(wantStates("open", "finished"))
	})
	if !seen.Summary.InProgress || seen.Summary.OpenSpans != 2 {
		t.Errorf("summary while open: %+v, want in progress with 2 open spans", seen.Summary)
	}
	if got := inProgress(t, ts.UI, "inflight-killed"); fmt.Sprint(got) != fmt.Sprint([]string{killed.traceID}) {
		t.Errorf("in_progress=true finds %v, want [%s]", got, killed.traceID)
	}
	if err := killed.cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	killedAt := time.Now()
	<-killed.done
	killed.done <- nil
	poll.Until(t, 10*time.Second, "the killed child's long spans lost", func() bool {
		tr, _ := getTrace(t, ts.UI, killed.traceID)
		seen = tr
		return fmt.Sprint(killed.states(tr)) == fmt.Sprint(wantStates("lost", "finished"))
	})
	for _, s := range seen.Spans {
		if s.State != "lost" {
			continue
		}
		if heard := time.Unix(0, s.LastHeard); heard.After(killedAt) || heard.Before(killed.started.Add(-time.Second)) || s.End != 0 {
			t.Errorf("lost span %s: last heard %v (killed at %v), end %d; want heard before the kill, no end", s.Name, heard, killedAt, s.End)
		}
	}
	if seen.Summary.OpenSpans != 0 || seen.Summary.LostSpans != 2 || seen.Summary.InProgress {
		t.Errorf("summary after the kill: %+v, want 2 lost spans, none open", seen.Summary)
	}
	if got := inProgress(t, ts.UI, "inflight-killed"); len(got) != 0 {
		t.Errorf("in_progress=true after the kill finds %v, want none", got)
	}

	// The child that ends its spans.
	ended := startInflightChild(t, ts.HTTP, "inflight-ended")
	ended.waitOpen(t, ts.UI)
	// Let a few heartbeats arrive, so that finishing has to replace them.
	poll.Until(t, 10*time.Second, "a later heartbeat", func() bool {
		tr, _ := getTrace(t, ts.UI, ended.traceID)
		for _, s := range tr.Spans {
			if s.Name == "scan" && time.Unix(0, s.LastHeard).After(ended.started.Add(500*time.Millisecond)) {
				return true
			}
		}
		return false
	})
	if _, err := io.WriteString(ended.stdin, "end\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ended.done:
		ended.done <- err
		if err != nil {
			t.Fatalf("the child that ends its spans: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the child did not exit within 30 s of ending its spans")
	}
	poll.Until(t, 10*time.Second, "every span of the second child finished", func() bool {
		tr, _ := getTrace(t, ts.UI, ended.traceID)
		seen = tr
		return fmt.Sprint(ended.states(tr)) == fmt.Sprint(wantStates("finished", "finished"))
	})
	count := map[string]int{}
	for _, s := range seen.Spans {
		count[s.SpanID]++
		if s.State != "finished" || s.End == 0 || s.LastHeard != 0 {
			t.Errorf("span %s after the end: state %s, end %d, last heard %d; want finished with an end", s.Name, s.State, s.End, s.LastHeard)
		}
	}
	if len(seen.Spans) != len(inflightSpans) || len(count) != len(inflightSpans) || seen.Summary.SpanCount != len(inflightSpans) {
		t.Errorf("%d spans (%d ids, summary counts %d), want exactly %d", len(seen.Spans), len(count), seen.Summary.SpanCount, len(inflightSpans))
	}
	if seen.Summary.OpenSpans != 0 || seen.Summary.LostSpans != 0 || seen.Summary.InProgress {
		t.Errorf("summary after the end: %+v, want nothing in flight", seen.Summary)
	}
	if got := inProgress(t, ts.UI, "inflight-ended"); len(got) != 0 {
		t.Errorf("in_progress=true after the end finds %v, want none", got)
	}
}
