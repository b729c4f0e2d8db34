package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/demo"
	"github.com/sightline-dev/sightline/task"
)

// TestWorkerProcessesWriteOwnSpanFiles: two `sightline worker` processes
// with the sightline hook and the file exporter ({pid} in the path) each
// write their CONSUMER spans to their own file, as Ray's workers do.
func TestWorkerProcessesWriteOwnSpanFiles(t *testing.T) {
	ns, err := demo.StartNATS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Stop()
	dir := t.TempDir()
	env := []string{
		"SIGHTLINE_TELEMETRY_ENABLE=on", "SIGHTLINE_TELEMETRY_TYPES=tracing",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS=file",
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS=" + filepath.Join(dir, "worker-{pid}.jsonl"),
	}
	var workers []*childProcess
	for range 2 {
		w, err := startProcess("worker", "worker: ", env, "worker", "--nats", ns.URL(), "--hook", hookSightline)
		if err != nil {
			t.Fatal(err)
		}
		workers = append(workers, w)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := task.DialNATS(ctx, ns.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(context.Background())
	pts := demo.Points{X: []float64{-1, 0, 1, 2}, Y: []float64{1, 5, 9, 2}}
	var futures []*task.Future
	for range 20 {
		f, err := c.Submit(ctx, demo.FitPeakTask, pts)
		if err != nil {
			t.Fatal(err)
		}
		futures = append(futures, f)
	}
	ran := map[string]int{}
	for _, f := range futures {
		pk, err := task.Get[demo.Peak](ctx, f)
		if err != nil || pk.MaxX != 1 {
			t.Fatalf("fit_peak on a worker process: %+v, %v", pk, err)
		}
		ran[f.WorkerID()]++
	}
	for _, w := range workers {
		if err := w.stop(); err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	for _, w := range workers {
		data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("worker-%d.jsonl", w.pid)))
		if err != nil {
			t.Fatalf("worker %d wrote no span file: %v", w.pid, err)
		}
		n := bytes.Count(data, []byte(`"name":"fit_peak task.run"`))
		total += n
		if n != ran[strings.TrimSuffix(w.addr, " ready")] {
			t.Errorf("worker %d: %d task.run spans in its file, ran %d tasks (by worker id: %v)", w.pid, n, ran[strings.TrimSuffix(w.addr, " ready")], ran)
		}
	}
	if total != len(futures) {
		t.Fatalf("%d task.run spans in the files, want %d", total, len(futures))
	}
}

func TestWorkerUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := dispatch(context.Background(), []string{"worker"}, &out, &errOut); code != exitUsage {
		t.Errorf("no --nats: exit %d, want %d", code, exitUsage)
	}
	errOut.Reset()
	code := dispatch(context.Background(), []string{"worker", "--nats", "nats://127.0.0.1:1", "--hook", "nope"}, &out, &errOut)
	if code != exitRefused || !strings.Contains(errOut.String(), `unknown startup hook "nope" (registered: sightline)`) {
		t.Errorf("unknown hook: exit %d, %s", code, errOut.String())
	}
}
