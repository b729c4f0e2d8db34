package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// buildBinaries builds the sightline command and the quickstart example
// once per test run.
func buildBinaries(t *testing.T) (sightline, quickstart string) {
	t.Helper()
	dir := t.TempDir()
	for _, b := range []struct{ out, pkg string }{{"sightline", "."}, {"quickstart", "../../examples/quickstart"}} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, b.out), b.pkg)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b.pkg, err, out)
		}
	}
	return filepath.Join(dir, "sightline"), filepath.Join(dir, "quickstart")
}

// cleanEnv is the test process's environment without telemetry settings.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SIGHTLINE_") && !strings.HasPrefix(kv, "OTEL_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// program is a running quickstart -admin process.
type program struct {
	cmd     *exec.Cmd
	addr    string
	mu      sync.Mutex
	samples []string // "on"/"off" per measured sample
	changed chan struct{}
	done    chan struct{}
}

var adminLine = regexp.MustCompile(`^admin API on (\S+) `)
var sampleLine = regexp.MustCompile(`^sample \d+ measured \(telemetry (on|off)\)`)

func startProgram(t *testing.T, bin string, env []string, args ...string) *program {
	t.Helper()
	p := &program{cmd: exec.Command(bin, args...), changed: make(chan struct{}, 1), done: make(chan struct{})}
	p.cmd.Env = env
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout = io.Discard
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if m := adminLine.FindStringSubmatch(line); m != nil {
				addr <- m[1]
			}
			if m := sampleLine.FindStringSubmatch(line); m != nil {
				p.mu.Lock()
				p.samples = append(p.samples, m[1])
				p.mu.Unlock()
				select {
				case p.changed <- struct{}{}:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() { p.stop(t) })
	select {
	case p.addr = <-addr:
	case <-time.After(30 * time.Second):
		t.Fatal("quickstart did not report its admin address")
	}
	return p
}

// waitSamples waits until n more samples were measured with telemetry in
// state ("on" or "off").
func (p *program) waitSamples(t *testing.T, n int, state string) {
	t.Helper()
	p.mu.Lock()
	start := len(p.samples)
	p.mu.Unlock()
	deadline := time.After(30 * time.Second)
	for {
		p.mu.Lock()
		count := 0
		for _, s := range p.samples[start:] {
			if s == state {
				count++
			}
		}
		p.mu.Unlock()
		if count >= n {
			return
		}
		select {
		case <-p.changed:
		case <-deadline:
			t.Fatalf("quickstart did not measure %d samples with telemetry %s", n, state)
		}
	}
}

func (p *program) stop(t *testing.T) {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Error("quickstart did not stop on SIGTERM")
	}
	_ = p.cmd.Wait()
}

// ctl runs the built sightline ctl with env (cleanEnv's, plus the runtime
// directory of the programs it talks to) and returns its output and exit
// code.
func ctl(t *testing.T, bin string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"ctl"}, args...)...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String() + errOut.String(), code
}

func mustCtl(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	out, code := ctl(t, bin, env, args...)
	if code != 0 {
		t.Fatalf("sightline ctl %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

func status(t *testing.T, bin string, env []string, addr string) telemetry.Status {
	t.Helper()
	var st telemetry.Status
	out := mustCtl(t, bin, env, "--addr", addr, "--json", "quickstart", "status")
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	return st
}

func setting(st telemetry.Status, key string) telemetry.Setting {
	for _, s := range st.Settings {
		if s.Key == key {
			return s
		}
	}
	return telemetry.Setting{}
}

// TestCtlEndToEnd drives a real process through the built sightline ctl:
// stop (no new spans, every started one arrives), retarget to a second
// receiver, start, --persist across a restart, and properties stored with
// ctl props applied at the next start.
func TestCtlEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	sightline, quickstart := buildBinaries(t)
	rcvA, rcvB := sightlinetest.NewReceiver(t), sightlinetest.NewReceiver(t)
	db := filepath.Join(t.TempDir(), "props.db")
	// The quickstart publishes its admin token in this runtime directory,
	// where ctl (given no token) reads it.
	ctlEnv := cleanEnv("SIGHTLINE_RUNTIME_DIR=" + t.TempDir())
	env := append(slices.Clone(ctlEnv), "SIGHTLINE_TELEMETRY_ENABLE=on", "SIGHTLINE_TELEMETRY_TYPES=tracing",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS=http", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS="+rcvA.HTTPEndpoint())
	args := []string{"-admin", "127.0.0.1:0", "-props", db, "-interval", "20ms"}

	p := startProgram(t, quickstart, env, args...)
	p.waitSamples(t, 2, "on")
	rcvA.RequireSpans(4, 10*time.Second)

	// Stop: spans already started still arrive; no new ones start.
	mustCtl(t, sightline, ctlEnv, "--addr", p.addr, "quickstart", "stop")
	p.waitSamples(t, 3, "off")
	st := status(t, sightline, ctlEnv, p.addr)
	if st.Enabled {
		t.Fatal("status says enabled after stop")
	}
	started := int(st.Spans.Started)
	got := rcvA.WaitForSpans(started, 10*time.Second)
	if len(got) != started {
		t.Fatalf("receiver A has %d spans, want all %d started before stop", len(got), started)
	}
	p.waitSamples(t, 2, "off")
	if st2 := status(t, sightline, ctlEnv, p.addr); int(st2.Spans.Started) != started {
		t.Errorf("spans started while stopped: %d -> %d", started, st2.Spans.Started)
	}

	// Retarget to B and start: new spans arrive at B only.
	mustCtl(t, sightline, ctlEnv, "--addr", p.addr, "quickstart", "tracing", "endpoints", "set", "http", rcvB.HTTPEndpoint())
	mustCtl(t, sightline, ctlEnv, "--addr", p.addr, "quickstart", "start")
	p.waitSamples(t, 2, "on")
	rcvB.RequireSpans(4, 10*time.Second)
	if n := len(rcvA.Spans()); n != started {
		t.Errorf("receiver A got %d spans after the retarget, want still %d", n, started)
	}
	out := mustCtl(t, sightline, ctlEnv, "--addr", p.addr, "quickstart", "status")
	for _, want := range []string{"tracing_endpoints", "runtime", rcvB.HTTPEndpoint(), "EXPORTED"} {
		if !strings.Contains(out, want) {
			t.Errorf("status table lacks %q:\n%s", want, out)
		}
	}

	// Persist the topics; the endpoint change was not persisted.
	mustCtl(t, sightline, ctlEnv, "--addr", p.addr, "--persist", "quickstart", "topics", "set", "user,kernel")
	p.stop(t)
	rcvA.Reset()
	p = startProgram(t, quickstart, env, args...)
	st = status(t, sightline, ctlEnv, p.addr)
	if s := setting(st, telemetry.KeyTopics); s.Value != "user,kernel" || s.Origin.Source != telemetry.SourceProperty {
		t.Errorf("after restart topics = %+v, want user,kernel from the property", s)
	}
	if s := setting(st, telemetry.KeyTracingEndpoints); !strings.Contains(s.Value, rcvA.HTTPEndpoint()) || s.Origin.Source != telemetry.SourceEnv {
		t.Errorf("after restart tracing endpoints = %+v, want the environment's (runtime changes are not persisted)", s)
	}
	rcvA.RequireSpans(4, 10*time.Second)

	// A property stored with ctl props applies at the next start.
	mustCtl(t, sightline, ctlEnv, "props", "set", "--db", db, "quickstart", "telemetry_tracing_endpoints", rcvB.HTTPEndpoint())
	props := mustCtl(t, sightline, ctlEnv, "props", "get", "--db", db, "quickstart")
	if !strings.Contains(props, "telemetry_topics = user,kernel") || !strings.Contains(props, rcvB.HTTPEndpoint()) {
		t.Errorf("props get:\n%s", props)
	}
	p.stop(t)
	rcvB.Reset()
	p = startProgram(t, quickstart, env, args...)
	p.waitSamples(t, 2, "on")
	rcvB.RequireSpans(4, 10*time.Second)
	if s := setting(status(t, sightline, ctlEnv, p.addr), telemetry.KeyTracingEndpoints); s.Origin.Source != telemetry.SourceProperty {
		t.Errorf("tracing endpoints origin %+v, want the property", s.Origin)
	}

	// Refusals and usage errors have their exit codes.
	for _, tc := range []struct {
		args []string
		code int
		text string
	}{
		{[]string{"--addr", p.addr, "nosuch", "status"}, 1, "nosuch"},
		{[]string{"--addr", p.addr, "quickstart", "topics", "set", "user,gpu"}, 1, "gpu"},
		{[]string{"--addr", p.addr, "quickstart", "tracing", "endpoints", "add", "http", "ftp://x:1"}, 1, "ftp"},
		{[]string{"--addr", p.addr, "quickstart", "dance"}, 2, "unknown action"},
		{[]string{"--addr", p.addr, "quickstart", "sampler", "1.5"}, 2, "outside [0,1]"},
		{[]string{"--addr", "http//bad", "quickstart", "status"}, 2, "--addr"},
		{[]string{"props", "set", "--db", db, "quickstart", "telemetry_topics", "gpu"}, 1, `unknown topic "gpu"`},
		{[]string{"props", "get", "quickstart"}, 2, "--db FILE is required"},
	} {
		out, code := ctl(t, sightline, ctlEnv, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.text) {
			t.Errorf("ctl %s: exit %d, output %q; want exit %d mentioning %q", strings.Join(tc.args, " "), code, out, tc.code, tc.text)
		}
	}
}
