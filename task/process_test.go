package task

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/syncbuf"
	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/task/natstest"
)

// TestCrossProcess submits from this process to workers in other processes
// (this test binary run again, see process_worker_test.go) over a real
// nats-server, with every process exporting to one OTLP receiver. It
// checks one trace across processes, the startup hook running once per
// process, and a SIGKILLed worker's task redelivered to another process
// with both attempts visible and linked.
func TestCrossProcess(t *testing.T) {
	url := natstest.Start(t)
	recv := sightlinetest.NewReceiver(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(recv.HTTPEndpoint()+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	c, err := DialNATS(ctx, url, WithTracerProvider(tp), WithPropagator(propagation.TraceContext{}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(context.Background())
	env := []string{
		workerProcessEnv + "=1",
		envNATSURL + "=" + url,
		envDir + "=" + dir,
		HookEnv + "=" + testTracingHook,
		"SIGHTLINE_TELEMETRY_ENABLE=on",
		"SIGHTLINE_TELEMETRY_TYPES=tracing",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS=http",
		"SIGHTLINE_TELEMETRY_SPAN_PROCESSOR=simple",
		"OTEL_EXPORTER_OTLP_ENDPOINT=" + recv.HTTPEndpoint(),
		"OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf",
	}

	// One trace across processes.
	a := startProcess(t, env)
	f, err := c.Submit(ctx, "add", pair{2, 2})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Get[sum](ctx, f); err != nil || s.Sum != 4 {
		t.Fatalf("add over NATS = %v, %v", s, err)
	}
	prod := requireSpan(t, recv, "add task.submit", 1)[0]
	run := requireSpan(t, recv, "add task.run", 1)[0]
	if prod.Kind() != ptrace.SpanKindProducer || run.Kind() != ptrace.SpanKindConsumer {
		t.Errorf("kinds: %v, %v", prod.Kind(), run.Kind())
	}
	if run.TraceID() != prod.TraceID() || run.ParentSpanID() != prod.SpanID() {
		t.Errorf("not one trace: submit %v/%v, run %v/%v parent %v",
			prod.TraceID(), prod.SpanID(), run.TraceID(), run.SpanID(), run.ParentSpanID())
	}
	if pid := intAttr(run.Attributes(), "worker.pid"); pid != a.pid() {
		t.Errorf("run span worker.pid = %d, want the worker process %d", pid, a.pid())
	}
	if pid := intAttr(run.Resource.Attributes(), "process.pid"); pid != a.pid() {
		t.Errorf("run span from process.pid %d, want %d", pid, a.pid())
	}

	// A worker killed mid-task: the task is redelivered to another process.
	f, err = c.Submit(ctx, "slow", struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	started := filepath.Join(dir, "started-"+f.ID())
	poll.Until(t, 30*time.Second, "the first attempt to start", func() bool {
		_, err := os.Stat(started)
		return err == nil
	})
	poll.Until(t, 10*time.Second, "the first attempt's record", func() bool {
		kv, err := c.t.(*natsTransport).js.KeyValue(ctx, DefaultAttemptBucket)
		if err != nil {
			return false
		}
		_, err = kv.Get(ctx, f.ID())
		return !errors.Is(err, jetstream.ErrKeyNotFound) && err == nil
	})
	a.kill(t)
	b := startProcess(t, env)
	got, err := Get[string](ctx, f)
	if want := fmt.Sprintf("done by %d on attempt 2", b.pid()); err != nil || got != want {
		t.Fatalf("redelivered task = %q, %v; want %q", got, err, want)
	}
	if f.Attempt() != 2 {
		t.Errorf("Future.Attempt = %d, want 2", f.Attempt())
	}
	// Attempt 1 (killed) shows as its task.start span, a child of its
	// never-exported run span; attempt 2's run span links to that span.
	prod = requireSpan(t, recv, "slow task.submit", 1)[0]
	first := requireSpan(t, recv, "slow task.start", 1)[0]
	run = requireSpan(t, recv, "slow task.run", 1)[0]
	for _, s := range []sightlinetest.Span{first, run} {
		if s.TraceID() != prod.TraceID() {
			t.Errorf("%s in trace %v, want %v", s.Name(), s.TraceID(), prod.TraceID())
		}
	}
	if intAttr(first.Attributes(), "worker.pid") != a.pid() || intAttr(first.Attributes(), "task.attempt") != 1 ||
		intAttr(first.Resource.Attributes(), "process.pid") != a.pid() {
		t.Errorf("task.start of attempt %d from pid %d, want attempt 1 from %d",
			intAttr(first.Attributes(), "task.attempt"), intAttr(first.Attributes(), "worker.pid"), a.pid())
	}
	if intAttr(run.Attributes(), "worker.pid") != b.pid() || intAttr(run.Attributes(), "task.attempt") != 2 {
		t.Errorf("task.run of attempt %d from pid %d, want attempt 2 from %d",
			intAttr(run.Attributes(), "task.attempt"), intAttr(run.Attributes(), "worker.pid"), b.pid())
	}
	if run.ParentSpanID() != prod.SpanID() {
		t.Errorf("attempt 2's run span has parent %v, want the submit span %v", run.ParentSpanID(), prod.SpanID())
	}
	if run.Links().Len() != 1 {
		t.Fatalf("attempt 2's run span has %d links, want 1", run.Links().Len())
	}
	link := run.Links().At(0)
	if link.SpanID() != first.ParentSpanID() || link.TraceID() != prod.TraceID() ||
		intAttr(link.Attributes(), "task.attempt") != 1 || intAttr(link.Attributes(), "worker.pid") != a.pid() {
		t.Errorf("link to %v/%v (attempt %d, pid %d), want attempt 1's run span %v (the parent of its start span) in pid %d",
			link.TraceID(), link.SpanID(), intAttr(link.Attributes(), "task.attempt"),
			intAttr(link.Attributes(), "worker.pid"), first.ParentSpanID(), a.pid())
	}
	if ev := run.Events(); ev.Len() == 0 || ev.At(0).Name() != "task.redelivered" {
		t.Error("attempt 2's run span has no task.redelivered event")
	}

	// Graceful stop, and one hook run per process (each ran two workers).
	b.stop(t)
	data, err := os.ReadFile(filepath.Join(dir, "hook.log"))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%d\n%d\n", a.pid(), b.pid())
	if string(data) != want {
		t.Errorf("hook runs (one pid a line) = %q, want %q", data, want)
	}
}

// requireSpan waits until the receiver has n spans called name.
func requireSpan(t *testing.T, recv *sightlinetest.Receiver, name string, n int) []sightlinetest.Span {
	t.Helper()
	poll.Until(t, 20*time.Second, fmt.Sprintf("%d span(s) %q (have %q)", n, name, recv.SpanNames()), func() bool {
		return len(recv.SpansNamed(name)) >= n
	})
	got := recv.SpansNamed(name)
	if len(got) != n {
		t.Fatalf("%d spans %q, want %d", len(got), name, n)
	}
	return got
}

func intAttr(m interface {
	AsRaw() map[string]any
}, key string) int64 {
	switch v := m.AsRaw()[key].(type) {
	case int64:
		return v
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return -1
}

// process is a worker process: this test binary in worker mode.
type process struct {
	cmd  *exec.Cmd
	out  *syncbuf.Buffer
	done chan struct{}
	err  error
}

func startProcess(t *testing.T, env []string) *process {
	t.Helper()
	p := &process{out: &syncbuf.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], "-test.run=^$")
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { // owned by p: ends with the process, which cleanup stops
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop(t)
		if t.Failed() {
			t.Logf("worker process %d output:\n%s", p.pid(), p.out.String())
		}
	})
	return p
}

func (p *process) pid() int64 { return int64(p.cmd.Process.Pid) }

func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// stop sends SIGTERM and waits; the process must exit 0 (graceful drain).
func (p *process) stop(t *testing.T) {
	t.Helper()
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	timer := time.NewTimer(30 * time.Second)
	defer timer.Stop()
	select {
	case <-p.done:
		if p.err != nil {
			t.Errorf("worker process %d: %v\n%s", p.pid(), p.err, strings.TrimSpace(p.out.String()))
		}
	case <-timer.C:
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Errorf("worker process %d did not stop within 30s of SIGTERM", p.pid())
	}
}
