package otelcoltest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/syncbuf"
)

const (
	startTries   = 5
	readyTimeout = 30 * time.Second
	stopTimeout  = 10 * time.Second
	pollEvery    = 20 * time.Millisecond
)

// Collector is a running (or stopped) collector of [Start].
type Collector struct {
	t      testing.TB
	bin    string
	config string // the configuration file
	files  files
	out    *syncbuf.Buffer // the output of every run
	proc   *process        // nil while stopped
	traces *jsonLines[ptrace.Traces]
	logs   *jsonLines[plog.Logs]
}

// Start builds the collector program ([Build]) and starts it with the
// configuration of the package documentation, on free loopback ports,
// writing into a temporary directory of t's. It returns once both
// receivers accept connections, and stops the collector when t ends
// (failing t if it had to be killed). Its output is logged when t failed.
func Start(t testing.TB, opts ...Option) *Collector {
	t.Helper()
	bin := Build(t)
	var s settings
	for _, o := range opts {
		o.apply(&s)
	}
	dir := t.TempDir()
	c := &Collector{
		t: t, bin: bin, config: filepath.Join(dir, "config.yaml"), out: &syncbuf.Buffer{},
		files: files{
			tracesPath: filepath.Join(dir, "traces.jsonl"), logsPath: filepath.Join(dir, "logs.jsonl"),
			failFirst: s.failFirst,
		},
	}
	c.traces = newJSONLines(c.files.tracesPath, unmarshalTraces)
	c.logs = newJSONLines(c.files.logsPath, unmarshalLogs)
	t.Cleanup(func() {
		if err := c.stop(); err != nil {
			t.Errorf("otelcoltest: %v", err)
		}
		if t.Failed() {
			t.Logf("otelcoltest: the collector's output:\n%s", c.out.String())
		}
	})
	var errs []error
	for range startTries {
		addrs, err := freeAddrs(2)
		if err != nil {
			t.Fatalf("otelcoltest: choose ports: %v", err)
		}
		c.files.grpcAddr, c.files.httpAddr = addrs[0], addrs[1]
		if err := os.WriteFile(c.config, []byte(configYAML(c.files)), 0o600); err != nil {
			t.Fatalf("otelcoltest: %v", err)
		}
		err = c.start()
		if err == nil {
			return c
		}
		errs = append(errs, err) // a port taken between choosing and binding it: try others
	}
	t.Fatalf("otelcoltest: cannot start the collector after %d tries: %v\n%s", startTries, errors.Join(errs...), c.out.String())
	return nil
}

// GRPCEndpoint is the URL of the OTLP/gRPC receiver: "grpc://127.0.0.1:P".
func (c *Collector) GRPCEndpoint() string { return "grpc://" + c.files.grpcAddr }

// HTTPEndpoint is the URL of the OTLP/HTTP receiver: "http://127.0.0.1:P"
// (it takes /v1/traces and /v1/logs).
func (c *Collector) HTTPEndpoint() string { return "http://" + c.files.httpAddr }

// Output is what the collector printed so far, over all its runs.
func (c *Collector) Output() string { return c.out.String() }

// Stop stops the collector (SIGTERM, then SIGKILL after 10 s, failing the
// test) and waits for it to exit: an outage. A stopped collector stays
// stopped.
func (c *Collector) Stop() {
	c.t.Helper()
	if err := c.stop(); err != nil {
		c.t.Errorf("otelcoltest: %v", err)
	}
}

// Restart stops the collector if it runs and starts it again on the same
// ports, with the same configuration and files (what was written stays;
// the exporter's WithFailFirst count starts again). It returns once both
// receivers accept connections, and fails the test if they do not.
func (c *Collector) Restart() {
	c.t.Helper()
	c.Stop()
	if err := c.start(); err != nil {
		c.t.Fatalf("otelcoltest: restart: %v\n%s", err, c.out.String())
	}
}

// process is one run of the collector.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // of cmd.Wait, valid once exited is closed
}

// start runs the collector with c's configuration and waits until it is
// ready; on failure nothing is left running.
func (c *Collector) start() error {
	cmd := exec.Command(c.bin, "--config", c.config)
	cmd.Stdout, cmd.Stderr = c.out, c.out
	cmd.SysProcAttr = procAttr()
	cmd.WaitDelay = stopTimeout // a grandchild holding the output open does not hold Wait
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", c.bin, err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() { // owned by p: ends when the process does
		p.err = cmd.Wait()
		close(p.exited)
	}()
	c.proc = p
	if err := c.waitReady(p); err != nil {
		_ = c.stop()
		return err
	}
	return nil
}

// waitReady polls until both receivers accept a connection.
func (c *Collector) waitReady(p *process) error {
	deadline := time.Now().Add(readyTimeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var last error
	for time.Now().Before(deadline) {
		if last = dialBoth(c.files.grpcAddr, c.files.httpAddr); last == nil {
			return nil
		}
		select {
		case <-p.exited:
			return fmt.Errorf("the collector exited before it was ready: %v", p.err)
		case <-tick.C:
		}
	}
	return fmt.Errorf("the collector was not ready within %v: %w", readyTimeout, last)
}

func dialBoth(addrs ...string) error {
	for _, a := range addrs {
		conn, err := net.DialTimeout("tcp", a, time.Second)
		if err != nil {
			return err
		}
		_ = conn.Close()
	}
	return nil
}

// stop ends the running process, if any: SIGTERM, and SIGKILL after
// stopTimeout, which is an error; so is a process that had exited by
// itself.
func (c *Collector) stop() error {
	p := c.proc
	if p == nil {
		return nil
	}
	c.proc = nil
	select {
	case <-p.exited:
		return fmt.Errorf("the collector had exited by itself: %v", p.err)
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	timer := time.NewTimer(stopTimeout)
	defer timer.Stop()
	select {
	case <-p.exited:
		return nil
	case <-timer.C:
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("the collector did not stop within %v of SIGTERM; killed it", stopTimeout)
	}
}

// freeAddrs returns n loopback addresses that were free a moment ago.
func freeAddrs(n int) ([]string, error) {
	var addrs []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}
