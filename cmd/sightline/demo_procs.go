package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// execMainEnv makes a test binary run main's dispatch instead of the tests
// (see TestMain), so the demo can start `sightline devices` from tests too.
const execMainEnv = "SIGHTLINE_TEST_EXEC_MAIN"

// childProcess is a `sightline devices` or `sightline worker` process the
// demo started.
type childProcess struct {
	name    string
	addr    string // what it printed after its ready prefix
	pid     int
	cmd     *exec.Cmd
	drained chan struct{}
	stderr  *strings.Builder
}

// startDevices runs this executable's `devices` command as a separate
// process and waits for the address it prints.
func startDevices(otlp string, speedup float64) (*childProcess, error) {
	return startProcess("device server", "devices: ", nil,
		"devices", "--otlp", otlp, "--speedup", strconv.FormatFloat(speedup, 'g', -1, 64))
}

// startWorker runs this executable's `worker` command as a separate
// process, its telemetry (the sightline startup hook) sent to otlp, and
// waits until it is ready.
func startWorker(natsURL, otlp string) (*childProcess, error) {
	env := []string{
		"SIGHTLINE_TELEMETRY_ENABLE=on",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS=http", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS=" + otlp,
		"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS=http", "SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS=" + otlp,
	}
	return startProcess("worker", "worker: ", env, "worker", "--nats", natsURL, "--hook", hookSightline)
}

// startProcess runs this executable with args as a separate process (env
// added to this process's environment) and waits, at most 30 s, for the
// line it prints starting with ready.
func startProcess(name, ready string, env []string, args ...string) (*childProcess, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start the %s: find this executable: %w", name, err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(append(os.Environ(), env...), execMainEnv+"=1")
	c := &childProcess{name: name, cmd: cmd, drained: make(chan struct{}), stderr: &strings.Builder{}}
	cmd.Stderr = c.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start the %s: %w", name, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the %s %s: %w", name, exe, err)
	}
	c.pid = cmd.Process.Pid
	addrs := make(chan string, 1)
	go func() {
		defer close(c.drained)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), ready); ok {
				select {
				case addrs <- a:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case c.addr = <-addrs:
		return c, nil
	case <-c.drained:
		err := cmd.Wait()
		return nil, fmt.Errorf("the %s exited before it was ready (%v): %s", name, err, strings.TrimSpace(c.stderr.String()))
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-c.drained
		_ = cmd.Wait()
		return nil, fmt.Errorf("the %s was not ready within 30s", name)
	}
}

// stop interrupts the process and waits for it to flush and exit
// (killing it after 15 s).
func (c *childProcess) stop() error {
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.drained:
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.drained
	}
	if err := c.cmd.Wait(); err != nil {
		return fmt.Errorf("%s (pid %d): %v: %s", c.name, c.pid, err, strings.TrimSpace(c.stderr.String()))
	}
	return nil
}
