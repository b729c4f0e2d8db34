package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/demo"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/task"
	"github.com/sightline-dev/sightline/telemetry"
)

// TestImportRaySpanFiles is Ray's per-process span files end to end: the
// submitter (this process) and two `sightline worker` processes, whose
// startup hook is chosen by SIGHTLINE_TRACING_STARTUP_HOOK, each write
// their spans to DIR/spans/{pid}.json in the console JSON shape of Ray's
// tracing guide (doc/source/ray-observability/user-guides/ray-tracing.rst:
// ConsoleSpanExporter(out=open(f"/tmp/spans/{os.getpid()}.json", "a"))
// behind a SimpleSpanProcessor). `sightline import` then reads all the
// files at once, and the trace queried back from the store has every span
// with its name, parent and attributes.
func TestImportRaySpanFiles(t *testing.T) {
	ns, err := demo.StartNATS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Stop()
	spans := filepath.Join(t.TempDir(), "spans")
	settings := map[string]string{
		"SIGHTLINE_TELEMETRY_ENABLE": "on", "SIGHTLINE_TELEMETRY_TYPES": "tracing",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "file",
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": "console:" + filepath.Join(spans, "{pid}.json"),
		"SIGHTLINE_TELEMETRY_SPAN_PROCESSOR":    "simple",
	}
	env := []string{task.HookEnv + "=" + hookSightline}
	for k, v := range settings {
		env = append(env, k+"="+v)
	}
	var workers []*childProcess
	for range 2 {
		w, err := startProcess("worker", "worker: ", env, "worker", "--nats", ns.URL())
		if err != nil {
			t.Fatal(err)
		}
		workers = append(workers, w)
	}

	// The submitter, as Ray's driver, writes its own file.
	settings["SIGHTLINE_TELEMETRY_SERVICE_NAME"] = "driver"
	comp, err := telemetry.Setup(t.Context(), telemetry.WithEnv(func(k string) (string, bool) {
		v, ok := settings[k]
		return v, ok
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := task.DialNATS(ctx, ns.URL(), task.WithTracerProvider(comp.TracerProvider()), task.WithHook(""))
	if err != nil {
		t.Fatal(err)
	}
	ctx, root := comp.Tracer("driver").Start(ctx, "scan")
	pts := demo.Points{X: []float64{-1, 0, 1, 2}, Y: []float64{1, 5, 9, 2}}
	const tasks = 6
	for range tasks {
		f, err := c.Submit(ctx, demo.FitPeakTask, pts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := task.Get[demo.Peak](ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	root.End()
	traceID := root.SpanContext().TraceID()
	if err := c.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, w := range workers {
		if err := w.stop(); err != nil {
			t.Fatal(err)
		}
	}
	if err := comp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	files, _ := filepath.Glob(filepath.Join(spans, "*.json"))
	want := []string{filepath.Join(spans, fmt.Sprintf("%d.json", os.Getpid()))}
	for _, w := range workers {
		want = append(want, filepath.Join(spans, fmt.Sprintf("%d.json", w.pid)))
	}
	for _, p := range want {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("no span file of its process: %v (files: %v)", err, files)
		}
	}

	data := t.TempDir()
	code, stdout, stderr := runImportCmd(t, append([]string{"--data", data}, files...)...)
	if code != exitOK || stderr != "" {
		t.Fatalf("import of %v: exit %d\n%s%s", files, code, stdout, stderr)
	}
	if n := strings.Count(stdout, ": console, "); n != len(files) {
		t.Errorf("%d console files in the reports, want %d:\n%s", n, len(files), stdout)
	}

	cfg := servetest.Config(t)
	cfg.DataDir = data
	ts := servetest.Start(t, cfg)
	resp, err := http.Get(ts.UI + "/api/v1/traces/" + traceID.String() + "/otlp")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("trace %s: %d %s", traceID, resp.StatusCode, body)
	}
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(body)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]ptrace.Span{}
	var runs, submits []ptrace.Span
	pids := map[int64]bool{}
	for i := range td.ResourceSpans().Len() {
		rs := td.ResourceSpans().At(i)
		for j := range rs.ScopeSpans().Len() {
			ss := rs.ScopeSpans().At(j).Spans()
			for k := range ss.Len() {
				s := ss.At(k)
				byID[s.SpanID().String()] = s
				switch s.Name() {
				case demo.FitPeakTask + " task.run":
					runs = append(runs, s)
					pid, _ := rs.Resource().Attributes().Get("process.pid")
					pids[pid.Int()] = true
				case demo.FitPeakTask + " task.submit":
					submits = append(submits, s)
				}
			}
		}
	}
	if len(runs) != tasks || len(submits) != tasks {
		t.Fatalf("trace holds %d task.run and %d task.submit spans, want %d each", len(runs), len(submits), tasks)
	}
	for _, r := range runs {
		parent, ok := byID[r.ParentSpanID().String()]
		if !ok || parent.Name() != demo.FitPeakTask+" task.submit" || parent.ParentSpanID() != pcommon.SpanID(root.SpanContext().SpanID()) {
			t.Errorf("task.run's parent %v is not a task.submit under the root", r.ParentSpanID())
		}
		fn, _ := r.Attributes().Get("task.function")
		pid, _ := r.Attributes().Get("worker.pid")
		if fn.Str() != demo.FitPeakTask || r.Kind() != ptrace.SpanKindConsumer || !pids[pid.Int()] {
			t.Errorf("task.run: function %q, kind %v, worker.pid %d (resource pids %v)", fn.Str(), r.Kind(), pid.Int(), pids)
		}
	}
}
