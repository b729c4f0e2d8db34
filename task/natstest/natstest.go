// Package natstest starts a real nats-server with JetStream for tests.
//
//	url := natstest.Start(t)
//	c, err := task.DialNATS(ctx, url)
//
// The server listens on a free loopback port, keeps its JetStream store in
// a temporary directory and is stopped (SIGTERM, then waited for) when the
// test ends. When nats-server is not on PATH the test is skipped, unless
// the environment variable CI is set: then it fails, since CI installs it.
package natstest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/sightline-dev/sightline/internal/syncbuf"
)

// Binary is the program Start runs, looked up on PATH.
const Binary = "nats-server"

const (
	startTries   = 5
	readyTimeout = 15 * time.Second
	stopTimeout  = 10 * time.Second
	pollEvery    = 20 * time.Millisecond
)

// Start starts nats-server -a 127.0.0.1 -p PORT -js -sd DIR and returns
// its URL (nats://127.0.0.1:PORT) once it serves JetStream requests. A
// port taken between choosing it and the server binding it is retried
// with another.
func Start(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath(Binary)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("natstest: %s is not on PATH (CI must install it: apt-get install nats-server): %v", Binary, err)
		}
		t.Skipf("natstest: %s is not on PATH; skipping (apt-get install nats-server)", Binary)
	}
	dir := t.TempDir()
	var errs []error
	for try := range startTries {
		port, err := freePort()
		if err != nil {
			t.Fatalf("natstest: choose a port: %v", err)
		}
		s, err := start(bin, port, filepath.Join(dir, "store-"+strconv.Itoa(try)))
		if err == nil {
			t.Cleanup(func() {
				if err := s.stop(); err != nil {
					t.Errorf("natstest: %v", err)
				}
			})
			return s.url
		}
		errs = append(errs, err)
	}
	t.Fatalf("natstest: cannot start %s after %d tries: %v", Binary, startTries, errors.Join(errs...))
	return ""
}

type server struct {
	url    string
	cmd    *exec.Cmd
	out    *syncbuf.Buffer
	exited chan struct{}
	err    error // of cmd.Wait, valid once exited is closed
}

func start(bin string, port int, storeDir string) (*server, error) {
	s := &server{
		url:    "nats://127.0.0.1:" + strconv.Itoa(port),
		out:    &syncbuf.Buffer{},
		exited: make(chan struct{}),
	}
	s.cmd = exec.Command(bin, "-a", "127.0.0.1", "-p", strconv.Itoa(port), "-js", "-sd", storeDir)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.SysProcAttr = procAttr()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { // owned by s: ends when the process does
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(); err != nil {
		_ = s.stop()
		return nil, fmt.Errorf("%s on port %d: %w\n%s", bin, port, err, s.out.String())
	}
	return s, nil
}

// waitReady polls until the server answers a JetStream account request.
func (s *server) waitReady() error {
	deadline := time.Now().Add(readyTimeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("exited before it was ready: %v", s.err)
		default:
		}
		if last = s.ping(); last == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("exited before it was ready: %v", s.err)
		case <-tick.C:
		}
	}
	return fmt.Errorf("not ready within %v: %w", readyTimeout, last)
}

func (s *server) ping() error {
	nc, err := nats.Connect(s.url, nats.Timeout(time.Second), nats.NoReconnect())
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = js.AccountInfo(ctx)
	return err
}

func (s *server) stop() error {
	select {
	case <-s.exited:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(stopTimeout)
	defer t.Stop()
	select {
	case <-s.exited:
		return nil
	case <-t.C:
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("%s did not stop within %v of SIGTERM; killed it\n%s", Binary, stopTimeout, s.out.String())
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
