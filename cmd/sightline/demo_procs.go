package main

import (
	"bufio"
	"errors"
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

// childProcess is a `sightline devices` process the demo started.
type childProcess struct {
	addr    string
	pid     int
	cmd     *exec.Cmd
	drained chan struct{}
	stderr  *strings.Builder
}

// startDevices runs this executable's `devices` command as a separate
// process and waits (at most 30 s) for the address it prints.
func startDevices(otlp string, speedup float64) (*childProcess, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start the device server: find this executable: %w", err)
	}
	cmd := exec.Command(exe, "devices", "--otlp", otlp, "--speedup", strconv.FormatFloat(speedup, 'g', -1, 64))
	cmd.Env = append(os.Environ(), execMainEnv+"=1")
	c := &childProcess{cmd: cmd, drained: make(chan struct{}), stderr: &strings.Builder{}}
	cmd.Stderr = c.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start the device server: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the device server %s: %w", exe, err)
	}
	c.pid = cmd.Process.Pid
	addrs := make(chan string, 1)
	go func() {
		defer close(c.drained)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "devices: "); ok {
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
		return nil, fmt.Errorf("the device server exited before listening (%v): %s", err, strings.TrimSpace(c.stderr.String()))
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-c.drained
		_ = cmd.Wait()
		return nil, errors.New("the device server did not listen within 30s")
	}
}

// stop interrupts the device server and waits for it to flush and exit
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
		return fmt.Errorf("device server (pid %d): %v: %s", c.pid, err, strings.TrimSpace(c.stderr.String()))
	}
	return nil
}
