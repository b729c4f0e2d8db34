package main

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/internal/serve/servetest"
)

// TestDemoOnce runs `sightline demo --once` in process: collector, store
// and viewer start, the simulated experiment's telemetry goes over OTLP to
// them, and it exits 0 only when every expected trace is stored. The long
// scan's link is printed while it runs, before the others are.
func TestDemoOnce(t *testing.T) {
	var out, errOut bytes.Buffer
	code := dispatch(context.Background(), []string{"demo", "--once", "--ui", "127.0.0.1:0", "--speedup", "200", "--long", "2s"}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("demo --once exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	text := out.String()
	links := regexp.MustCompile(`http://127\.0\.0\.1:\d+/trace/[0-9a-f]{32}`).FindAllString(text, -1)
	if len(links) != 6 {
		t.Errorf("printed %d trace links, want 6 (the long scan's twice):\n%s", len(links), text)
	}
	live := regexp.MustCompile(`watch a scan run live \(about 2s\): (http://\S+)`).FindStringSubmatch(text)
	if live == nil || strings.Index(text, live[0]) > strings.Index(text, "count det1  ") || live[1] != links[0] {
		t.Errorf("the long scan's link is not printed first, as it starts:\n%s", text)
	}
	for _, want := range []string{"every expected trace is stored", "fails on purpose", "exit_status: fail", "viewer: http://127.0.0.1:",
		"device server: 127.0.0.1:", "task worker:", "peak of det1 along motor1 (fit_peak task)"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

// TestDemoTraceCrossesProcesses runs the demo with a data directory, then
// serves that directory and reads the scan's trace: its spans come from
// three processes, the demo's (operator, scan API, plan engine), the device
// server's and the task worker's (the peak fit).
func TestDemoTraceCrossesProcesses(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := dispatch(context.Background(), []string{"demo", "--once", "--ui", "127.0.0.1:0", "--speedup", "200", "--long", "0", "--data", dir}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("demo --once exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	m := regexp.MustCompile(`scan motor1 -3\.\.3 +http://[^/]+/trace/([0-9a-f]{32})`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no scan trace link in:\n%s", out.String())
	}
	cfg := servetest.Config(t)
	cfg.DataDir = dir
	ts := servetest.Start(t, cfg)
	var page struct {
		Resources []struct {
			Attributes map[string]any `json:"attributes"`
		} `json:"resources"`
		Spans []struct {
			Kind string `json:"kind"`
		} `json:"spans"`
	}
	servetest.GetJSON(t, ts.UI, "/api/v1/traces/"+m[1]+"?limit=10000", 200, &page)
	pids, services := map[string]bool{}, map[string]bool{}
	for _, r := range page.Resources {
		pids[fmt.Sprint(r.Attributes["process.pid"])] = true
		svc, _ := r.Attributes["service.name"].(string)
		services[svc] = true
	}
	kinds := map[string]int{}
	for _, s := range page.Spans {
		kinds[s.Kind]++
	}
	if len(pids) != 3 || !services["beamline-operator"] || !services["beamline-demo"] || !services["SimMotor"] || !services["SimDetector"] || !services["sightline-worker"] {
		t.Fatalf("scan trace resources: pids %v, services %v; want three processes: the demo's (operator, API and plan engine), the device server's and the task worker's", pids, services)
	}
	if kinds["client"] == 0 || kinds["client"] != kinds["server"] {
		t.Fatalf("scan trace span kinds %v: want a server span for every client span", kinds)
	}
}

func TestDemoUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := dispatch(context.Background(), []string{"demo", "--speedup", "0"}, &out, &errOut); code != exitUsage {
		t.Errorf("bad --speedup: exit %d, want %d", code, exitUsage)
	}
	if code := dispatch(context.Background(), []string{"demo", "extra"}, &out, &errOut); code != exitUsage {
		t.Errorf("extra argument: exit %d, want %d", code, exitUsage)
	}
}
