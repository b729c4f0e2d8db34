package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/sightline-dev/sightline/internal/serve"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/internal/store"
	"github.com/sightline-dev/sightline/internal/syncbuf"
)

// buildSightline builds the binary into a temporary directory.
func buildSightline(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sightline")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// child is a `sightline serve` process.
type child struct {
	cmd    *exec.Cmd
	addrs  serve.Addrs
	stdout *syncbuf.Buffer
	done   chan error // the process's exit
}

var serveLineRE = regexp.MustCompile(`^sightline serve: (otlp grpc|otlp http|ui|data) (\S+)$`)

// startChild starts `sightline serve args...` and parses its addresses.
func startChild(t *testing.T, bin string, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(bin, append([]string{"serve"}, args...)...), stdout: &syncbuf.Buffer{}, done: make(chan error, 1)}
	c.cmd.Env = cleanEnv()
	c.cmd.Stderr = c.stdout
	pipe, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.cmd.Process.Kill(); <-c.done })
	ready := make(chan serve.Addrs, 1)
	go func() {
		var a serve.Addrs
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			fmt.Fprintln(c.stdout, sc.Text())
			m := serveLineRE.FindStringSubmatch(sc.Text())
			switch {
			case m == nil:
			case m[1] == "otlp grpc":
				a.GRPC = m[2]
			case m[1] == "otlp http":
				a.HTTP = m[2]
			case m[1] == "ui":
				a.UI = m[2]
			case m[1] == "data":
				a.DataFile = m[2]
				ready <- a
			}
		}
		_, _ = io.Copy(io.Discard, pipe)
		c.done <- c.cmd.Wait()
	}()
	select {
	case c.addrs = <-ready:
	case err := <-c.done:
		c.done <- err
		t.Fatalf("serve exited before listening: %v\n%s", err, c.stdout.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not print its addresses in 30s:\n%s", c.stdout.String())
	}
	return c
}

// batch is one request of the crash test: one trace of spans spans.
func batch(sender, n, spans int) (pcommon.TraceID, ptrace.Traces) {
	var tid pcommon.TraceID
	binary.BigEndian.PutUint32(tid[:4], uint32(sender+1))
	binary.BigEndian.PutUint64(tid[8:], uint64(n+1))
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", fmt.Sprintf("crash-%d", sender))
	ss := rs.ScopeSpans().AppendEmpty().Spans()
	t0 := time.Now()
	for i := range spans {
		sp := ss.AppendEmpty()
		sp.SetTraceID(tid)
		sp.SetSpanID(crashSpanID(sender, n, i))
		sp.SetName(fmt.Sprintf("op %d", i))
		start := t0.Add(time.Duration(i) * time.Microsecond)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(time.Millisecond)))
		sp.Attributes().PutInt("i", int64(i))
	}
	return tid, td
}

func crashSpanID(sender, n, i int) pcommon.SpanID {
	var id pcommon.SpanID
	binary.BigEndian.PutUint64(id[:], uint64(sender+1)<<48|uint64(n+1)<<16|uint64(i+1))
	return id
}

// TestServeCrashSafety: every batch that serve acknowledged with 200 is
// in the store after serve is killed with SIGKILL while two senders are
// still sending, and serve restarted on the same directory.
func TestServeCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, dir := buildSightline(t), t.TempDir()
	args := []string{"--data", dir, "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--ui", "127.0.0.1:0"}
	c := startChild(t, bin, args...)

	const spansPer, killAfter = 20, 60
	var (
		mu    sync.Mutex
		acked []int // sender<<20 | n
		count atomic.Int64
		kill  = make(chan struct{})
		wg    sync.WaitGroup
	)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for sender := range 2 {
		wg.Go(func() {
			for n := 0; ; n++ {
				_, td := batch(sender, n, spansPer)
				body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
				if err != nil {
					t.Error(err)
					return
				}
				resp, err := client.Post("http://"+c.addrs.HTTP+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
				if err != nil {
					return // killed
				}
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("batch %d/%d: %s", sender, n, resp.Status)
					return
				}
				mu.Lock()
				acked = append(acked, sender<<20|n)
				mu.Unlock()
				if count.Add(1) == killAfter {
					close(kill)
				}
			}
		})
	}
	select {
	case <-kill:
	case <-time.After(2 * time.Minute):
		t.Fatalf("only %d batches acknowledged in 2 minutes", count.Load())
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	<-c.done
	c.done <- nil

	c2 := startChild(t, bin, args...)
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d batches of %d spans acknowledged before the kill", len(acked), spansPer)
	for _, a := range acked {
		sender, n := a>>20, a&(1<<20-1)
		tid, _ := batch(sender, n, 0)
		var page store.TracePage
		servetest.GetJSON(t, c2.addrs.UI, "/api/v1/traces/"+tid.String()+"?limit=100", 200, &page)
		var got []string
		for _, sp := range page.Spans {
			got = append(got, sp.SpanID)
		}
		for i := range spansPer {
			if id := crashSpanID(sender, n, i).String(); !slices.Contains(got, id) {
				t.Errorf("batch %d/%d: acknowledged span %s missing after the crash", sender, n, id)
			}
		}
	}

	// A graceful stop by SIGTERM: exit status 0, "stopped".
	if err := c2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-c2.done; err != nil {
		t.Errorf("after SIGTERM: %v\n%s", err, c2.stdout.String())
	}
	c2.done <- nil
	if lines := servetest.Lines(c2.stdout, "sightline serve: stopped"); len(lines) != 1 {
		t.Errorf("no stopped line:\n%s", c2.stdout.String())
	}
}
