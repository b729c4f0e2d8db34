package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/sightline-dev/sightline/internal/serve"
)

// fwdSecret is a header value that must never be shown.
const fwdSecret = "Bearer s3cret-9f2e7"

// fwdBin is the sightline binary of the forwarding tests, built once per
// run of the test binary, into TestMain's directory (removed after the
// run).
var fwdBin struct {
	once sync.Once
	path string
	err  error
}

func builtSightline(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	fwdBin.once.Do(func() {
		dir := os.Getenv("SIGHTLINE_RUNTIME_DIR")
		if dir == "" {
			if dir, fwdBin.err = os.MkdirTemp("", "sightline-forward-test"); fwdBin.err != nil {
				return
			}
		}
		fwdBin.path = filepath.Join(dir, "sightline-forward-test")
		if out, err := exec.Command("go", "build", "-o", fwdBin.path, ".").CombinedOutput(); err != nil {
			fwdBin.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if fwdBin.err != nil {
		t.Fatal(fwdBin.err)
	}
	return fwdBin.path
}

// fwdPorts returns n loopback addresses free now, for an upstream that is
// stopped and started again on the same ports.
func fwdPorts(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l.Addr().String())
		defer l.Close()
	}
	return out
}

// upstream is an upstream `sightline serve` on fixed ports and a data
// directory, stopped and started again on them.
type upstream struct {
	args []string
	http string // its OTLP/HTTP address
	c    *child // the running process; nil while stopped
	// storedBefore counts the spans the stopped runs stored (receiver
	// counters start at 0 in each run).
	storedBefore int64
}

func newUpstream(t *testing.T) *upstream {
	p := fwdPorts(t, 3)
	return &upstream{http: p[1], args: []string{"--data", t.TempDir(), "--grpc", p[0], "--http", p[1], "--ui", p[2]}}
}

func (u *upstream) start(t *testing.T, bin string) {
	t.Helper()
	u.c = startChild(t, bin, u.args...)
}

// stop stops the upstream with SIGTERM: it must exit 0.
func (u *upstream) stop(t *testing.T) {
	t.Helper()
	u.storedBefore += stopChild(t, u.c)
	u.c = nil
}

// stopChild stops c with SIGTERM and returns the spans it stored, from
// its stats lines; it must exit 0 within 30 s.
func stopChild(t *testing.T, c *child) int64 {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-c.done:
		c.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, c.stdout.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop in 30 s after SIGTERM:\n%s", c.stdout.String())
	}
	var stored int64
	for line := range strings.Lines(c.stdout.String()) {
		var recv, st int64
		if _, rest, ok := strings.Cut(line, "traces: "); ok && strings.HasPrefix(line, "sightline serve: last ") {
			if _, err := fmt.Sscanf(rest[strings.Index(rest, ", ")+2:], "%d spans received, %d stored", &recv, &st); err == nil {
				stored += st
			}
		}
	}
	return stored
}

// kill kills c with SIGKILL and waits for it.
func kill(t *testing.T, c *child) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	c.done <- <-c.done
}

// fwdRequest is request n of the tests: trace n, of spans spans, each
// with pad bytes of attribute.
func fwdRequest(n, spans, pad int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "forward-e2e")
	ss := rs.ScopeSpans().AppendEmpty().Spans()
	tid := fwdTraceID(n)
	now := time.Now()
	for i := range spans {
		sp := ss.AppendEmpty()
		sp.SetTraceID(tid)
		var sid pcommon.SpanID
		binary.BigEndian.PutUint64(sid[:], uint64(n+1)<<16|uint64(i+1))
		sp.SetSpanID(sid)
		sp.SetName(fmt.Sprintf("op %d", i))
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(time.Millisecond)))
		sp.Attributes().PutInt("n", int64(n))
		if pad > 0 {
			sp.Attributes().PutStr("pad", strings.Repeat("p", pad))
		}
	}
	return td
}

func fwdTraceID(n int) pcommon.TraceID {
	var tid pcommon.TraceID
	copy(tid[:4], "fwd!")
	binary.BigEndian.PutUint64(tid[8:], uint64(n+1))
	return tid
}

var fwdClient = &http.Client{Timeout: 30 * time.Second}

// sendTraces posts td as OTLP/HTTP protobuf to addr and returns the
// answer's status and Retry-After.
func sendTraces(ctx context.Context, addr string, td ptrace.Traces) (status int, retryAfter string, err error) {
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		return 0, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/v1/traces", bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	resp, err := fwdClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), nil
}

// fwdAPIStats is what the tests read of /api/stats.
type fwdAPIStats struct {
	Receiver struct {
		Traces struct {
			StoredItems     int64            `json:"stored_items"`
			RefusedRequests map[string]int64 `json:"refused_requests"`
		} `json:"traces"`
	} `json:"receiver"`
	Store struct {
		Spans int64 `json:"spans"`
	} `json:"store"`
	Forward *serve.ForwardStats `json:"forward"`
}

// apiStats reads a child's /api/stats, and its body.
func apiStats(ui string) (fwdAPIStats, string, error) {
	var st fwdAPIStats
	resp, err := fwdClient.Get(ui + "/api/stats")
	if err != nil {
		return st, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return st, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return st, "", fmt.Errorf("GET /api/stats: %s: %s", resp.Status, body)
	}
	return st, string(body), json.Unmarshal(body, &st)
}

func mustStats(t *testing.T, ui string) fwdAPIStats {
	t.Helper()
	st, _, err := apiStats(ui)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// upstreamTraces returns the span count of each trace of service
// forward-e2e the upstream holds, by trace id, paging through the search.
func upstreamTraces(t *testing.T, ui string) map[string]int {
	t.Helper()
	out := map[string]int{}
	cursor := ""
	for {
		var page struct {
			Traces []struct {
				TraceID   string `json:"trace_id"`
				SpanCount int    `json:"span_count"`
			} `json:"traces"`
			Cursor string `json:"cursor"`
		}
		resp, err := fwdClient.Get(ui + "/api/v1/traces?service=forward-e2e&limit=1000&cursor=" + cursor)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range page.Traces {
			out[tr.TraceID] = tr.SpanCount
		}
		if page.Cursor == "" {
			return out
		}
		cursor = page.Cursor
	}
}

// checkArrived fails t for every acknowledged request (one trace of spans
// spans each) the upstream does not hold whole, and returns how many
// spans it holds.
func checkArrived(t *testing.T, ui string, acked []int, spans int) (arrived int) {
	t.Helper()
	got := upstreamTraces(t, ui)
	missing := 0
	for _, n := range acked {
		if c := got[fwdTraceID(n).String()]; c != spans {
			if missing++; missing <= 10 {
				t.Errorf("acknowledged request %d: %d of its %d spans upstream", n, c, spans)
			}
		}
	}
	if missing > 10 {
		t.Errorf("... %d acknowledged requests missing or incomplete in all", missing)
	}
	for _, c := range got {
		arrived += c
	}
	return arrived
}

// sender sends request after request to an OTLP/HTTP address at a steady
// rate, and records which were acknowledged (200) and what else came
// back.
type sender struct {
	spans, pad int
	every      time.Duration

	mu      sync.Mutex
	addr    string
	next    int
	acked   []int
	status  map[int]int // answers other than 200, by status
	errs    int         // requests with no answer
	stop    context.CancelFunc
	stopped chan struct{}
}

// startSender sends a request every interval until stopSending.
func startSender(addr string, spans, pad int, every time.Duration) *sender {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sender{spans: spans, pad: pad, every: every, addr: addr, status: map[int]int{}, stop: cancel, stopped: make(chan struct{})}
	go s.run(ctx)
	return s
}

func (s *sender) run(ctx context.Context) {
	defer close(s.stopped)
	tick := time.NewTicker(s.every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		s.mu.Lock()
		n, addr := s.next, s.addr
		s.mu.Unlock()
		code, _, err := sendTraces(ctx, addr, fwdRequest(n, s.spans, s.pad))
		s.mu.Lock()
		switch {
		case err != nil:
			s.errs++
		case code == http.StatusOK:
			s.acked = append(s.acked, n)
			s.next++
		default:
			s.status[code]++ // sent again at the next tick
		}
		s.mu.Unlock()
	}
}

// stopSending stops the sender and returns the requests acknowledged.
func (s *sender) stopSending() []int {
	s.stop()
	<-s.stopped
	return s.ackedNow()
}

func (s *sender) ackedNow() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.acked...)
}

// monitor polls an agent's /api/stats every 100 ms until stopped,
// keeping the largest lag seen.
type monitor struct {
	mu      sync.Mutex
	maxLag  time.Duration
	stop    context.CancelFunc
	stopped chan struct{}
}

func startMonitor(ui string) *monitor {
	ctx, cancel := context.WithCancel(context.Background())
	m := &monitor{stop: cancel, stopped: make(chan struct{})}
	go func() {
		defer close(m.stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if st, _, err := apiStats(ui); err == nil && st.Forward != nil {
				m.mu.Lock()
				m.maxLag = max(m.maxLag, st.Forward.Lag)
				m.mu.Unlock()
			}
		}
	}()
	return m
}

// end stops the monitor and returns the largest lag seen.
func (m *monitor) end() time.Duration {
	m.stop()
	<-m.stopped
	return m.maxLag
}
