package remote_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/sightlinetest"
)

// startServerProcess runs this test binary as a device server process with
// env added to the environment, and returns its address. The process stops
// (and flushes its telemetry) when stop is called.
func startServerProcess(t testing.TB, env map[string]string) (addr string, stop func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serverModeEnv+"=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
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
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
				lines <- a
			}
		}
		close(lines)
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("device server process: %v", err)
		}
	}
	t.Cleanup(stop)
	select {
	case a, ok := <-lines:
		if !ok {
			t.Fatal("device server process exited before serving")
		}
		return a, stop
	case <-time.After(30 * time.Second):
		t.Fatal("device server process did not print its address within 30s")
	}
	return "", stop
}

// pdataTree renders received spans like tree.
func pdataTree(spans []sightlinetest.Span) string {
	ids := map[pcommon.SpanID]bool{}
	for _, s := range spans {
		ids[s.SpanID()] = true
	}
	children := map[pcommon.SpanID][]sightlinetest.Span{}
	var roots []sightlinetest.Span
	for _, s := range spans {
		if p := s.ParentSpanID(); !p.IsEmpty() && ids[p] {
			children[p] = append(children[p], s)
		} else {
			roots = append(roots, s)
		}
	}
	var b strings.Builder
	var walk func([]sightlinetest.Span, int)
	walk = func(ss []sightlinetest.Span, depth int) {
		slices.SortStableFunc(ss, func(a, b sightlinetest.Span) int {
			return a.StartTimestamp().AsTime().Compare(b.StartTimestamp().AsTime())
		})
		for _, s := range ss {
			svc, _ := s.Resource.Attributes().Get("service.name")
			fmt.Fprintf(&b, "%s%s %s %s\n", strings.Repeat("  ", depth), s.Name(), s.Kind(), svc.AsString())
			walk(children[s.SpanID()], depth+1)
		}
	}
	walk(roots, 0)
	return b.String()
}

func TestSpanTreeAcrossProcesses(t *testing.T) {
	recv := sightlinetest.NewReceiver(t)
	env := map[string]string{
		"SIGHTLINE_TELEMETRY_ENABLE":         "on",
		"SIGHTLINE_TELEMETRY_TYPES":          "tracing",
		"SIGHTLINE_TELEMETRY_SPAN_PROCESSOR": "simple",
		"OTEL_EXPORTER_OTLP_ENDPOINT":        recv.HTTPEndpoint(),
		"OTEL_EXPORTER_OTLP_PROTOCOL":        "http/protobuf",
	}
	addr, stop := startServerProcess(t, env)
	p := dial(t, addr, env)
	ctx := context.Background()
	var got float64
	if err := p.Device("lab/calc/1").Command(ctx, "Add", sum{A: 40, B: 2}, &got); err != nil || got != 42 {
		t.Fatalf("Add across processes = %v, %v", got, err)
	}
	dev, err := p.Device("sim/motor/1").AsDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.(device.Movable).Set(ctx, 2.0).Wait(ctx); err != nil {
		t.Fatalf("remote move: %v", err)
	}
	if err := p.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	stop()
	spans := recv.RequireSpans(9, 10*time.Second)
	want := `lab/calc/1.Add Client sightline.client
  Calc.Add Server Calc
sim/motor/1.info Client sightline.client
  SimMotor.info Server SimMotor
MoveStatus sim/motor/1 Internal sightline.client
  sim/motor/1.Set Client sightline.client
    SimMotor.Set Server SimMotor
      MoveStatus m1 Internal SimMotor
wait MoveStatus sim/motor/1 Internal sightline.client
`
	if got := pdataTree(spans); got != want {
		t.Fatalf("span tree across processes:\n%s\nwant:\n%s", got, want)
	}
	pids := map[string]int64{}
	for _, s := range spans {
		svc, _ := s.Resource.Attributes().Get("service.name")
		pid, _ := s.Resource.Attributes().Get("process.pid")
		pids[svc.AsString()] = pid.Int()
	}
	if pids["sightline.client"] != int64(os.Getpid()) || pids["Calc"] == int64(os.Getpid()) || pids["Calc"] != pids["SimMotor"] {
		t.Fatalf("process.pid by service: %v (test process %d)", pids, os.Getpid())
	}
}
