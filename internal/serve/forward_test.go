package serve_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	grpcstatus "google.golang.org/grpc/status"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/serve"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/internal/store"
	"github.com/sightline-dev/sightline/internal/store/announcetest"
)

// fwdSecret is a header value that must never be shown.
const fwdSecret = "Bearer s3cret-3c1f"

// freeAddrs returns n loopback addresses free now, for a server that is
// stopped and started again on the same ports.
func freeAddrs(t *testing.T, n int) []string {
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

// fwdTraces is request n: one trace of spans spans, with pad bytes of
// attribute on each.
func fwdTraces(n, spans, pad int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "forward-test")
	ss := rs.ScopeSpans().AppendEmpty().Spans()
	var tid pcommon.TraceID
	binary.BigEndian.PutUint64(tid[8:], uint64(n+1))
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
		if pad > 0 {
			sp.Attributes().PutStr("pad", strings.Repeat("p", pad))
		}
	}
	return td
}

// postTraces sends td to an OTLP/HTTP receiver as protobuf.
func postTraces(t *testing.T, httpAddr string, td ptrace.Traces) (*http.Response, []byte) {
	t.Helper()
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := servetest.Client.Post("http://"+httpAddr+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

func mustPost(t *testing.T, httpAddr string, td ptrace.Traces) {
	t.Helper()
	if resp, body := postTraces(t, httpAddr, td); resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /v1/traces: %s %q", resp.Status, body)
	}
}

// fwdStats is what the tests read of /api/stats.
type fwdStats struct {
	Receiver struct {
		Traces struct {
			RefusedRequests map[string]int64 `json:"refused_requests"`
		} `json:"traces"`
	} `json:"receiver"`
	Store   store.Stats         `json:"store"`
	Forward *serve.ForwardStats `json:"forward"`
}

func getStats(t *testing.T, ui string) (fwdStats, string) {
	t.Helper()
	resp, body := servetest.Get(t, ui+"/api/stats", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/stats: %s %s", resp.Status, body)
	}
	var st fwdStats
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatalf("/api/stats: %v: %s", err, body)
	}
	return st, string(body)
}

// TestForwardToUpstream: serve --forward grpc:// queues every request,
// traces and logs, in-flight announcements included, and forwards it to an
// upstream serve, which shows the announced span open; while the
// upstream is away it keeps acknowledging, retries, and delivers
// everything once an upstream is back on the same ports. Header values
// appear nowhere: not in the lines, not in /api/stats.
func TestForwardToUpstream(t *testing.T) {
	noLeaks(t)
	ucfg := servetest.Config(t)
	ports := freeAddrs(t, 3)
	ucfg.GRPCAddr, ucfg.HTTPAddr, ucfg.UIAddr = ports[0], ports[1], ports[2]
	up := servetest.Start(t, ucfg)

	acfg := servetest.Config(t)
	acfg.ForwardURL = "grpc://" + up.GRPC
	acfg.ForwardHeaders = map[string]string{"authorization": fwdSecret, "x-tenant": "bl12"}
	agent := servetest.Start(t, acfg)
	wantLine := fmt.Sprintf("sightline serve: forward grpc://%s (queue 2GiB at %s, when full: block)", up.GRPC, filepath.Join(acfg.DataDir, "forward"))
	if lines := servetest.Lines(agent.Out, "sightline serve: forward "); len(lines) != 1 || lines[0] != wantLine {
		t.Errorf("start lines %q, want %q", lines, wantLine)
	}

	for n := range 10 {
		mustPost(t, agent.HTTP, fwdTraces(n, 3, 0))
	}
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := range 2 {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		lr.Body().SetStr(fmt.Sprintf("log %d", i))
	}
	exportGRPC(t, agent, ld)
	var tid pcommon.TraceID
	tid[0] = 0xab
	open := announcetest.Span("forward-test", tid, pcommon.SpanID{1}, pcommon.SpanID{}, "long scan", time.Now(), time.Time{})
	exportGRPC(t, agent, announcetest.Heartbeat(open, 10*time.Second, time.Now()))

	poll.Until(t, 20*time.Second, "30 spans, 2 log records and 1 open span upstream", func() bool {
		st, _ := getStats(t, up.UI)
		return st.Store.Spans == 30 && st.Store.Logs == 2 && st.Store.OpenSpans == 1
	})
	var page store.TracePage
	servetest.GetJSON(t, up.UI, "/api/v1/traces/"+tid.String(), 200, &page)
	if len(page.Spans) != 1 || page.Spans[0].State != "open" || page.Spans[0].Name != "long scan" {
		t.Errorf("the announced span upstream: %+v", page.Spans)
	}
	poll.Until(t, 10*time.Second, "an empty queue", func() bool {
		st, _ := getStats(t, agent.UI)
		return st.Forward.QueueRecords == 0
	})
	st, body := getStats(t, agent.UI)
	f := st.Forward
	if f.ForwardedRecords != 12 || f.Lag != 0 || f.Retries != 0 || !f.Connected || f.Settings.URL != "grpc://"+up.GRPC ||
		strings.Join(f.Settings.HeaderNames, ",") != "authorization,x-tenant" || f.Settings.WhenFull != "block" || f.MaxBytes != 2<<30 {
		t.Errorf("agent's forward stats: %+v", f)
	}
	if strings.Contains(body, "s3cret") || strings.Contains(agent.Out.String(), "s3cret") {
		t.Errorf("a header value is shown:\n%s\n%s", body, agent.Out.String())
	}
	if st, _ := getStats(t, up.UI); st.Forward != nil {
		t.Errorf("an upstream that does not forward has a forward object: %+v", st.Forward)
	}

	// The upstream goes away: requests are still acknowledged, queued.
	if err := up.Stop(); err != nil {
		t.Fatal(err)
	}
	for n := 10; n < 20; n++ {
		mustPost(t, agent.HTTP, fwdTraces(n, 3, 0))
	}
	poll.Until(t, 10*time.Second, "retries", func() bool {
		st, _ := getStats(t, agent.UI)
		return st.Forward.Retries > 0 && !st.Forward.Connected && st.Forward.QueueRecords == 10 && st.Forward.Lag > 0
	})
	up2 := servetest.Start(t, ucfg) // same ports, same data directory
	poll.Until(t, 40*time.Second, "60 spans upstream", func() bool {
		st, _ := getStats(t, up2.UI)
		return st.Store.Spans == 60
	})
	poll.Until(t, 10*time.Second, "an empty queue", func() bool {
		st, _ := getStats(t, agent.UI)
		return st.Forward.QueueRecords == 0 && st.Forward.Lag == 0
	})
	if err := agent.Stop(); err != nil {
		t.Fatal(err)
	}
	last := servetest.Lines(agent.Out, "sightline serve: last ")
	if len(last) == 0 || !strings.Contains(last[len(last)-1], "forward: 22 requests forwarded, ") {
		t.Errorf("no forward counters in the last stats line: %q", last)
	}
}

// TestForwardQueueFull: with the queue full under block (the upstream
// cannot be reached), a request is refused 429 with Retry-After over
// HTTP and RESOURCE_EXHAUSTED with RetryInfo over gRPC, counted as
// forward_queue_full, and not stored: queued first, then stored, so what
// was acknowledged is exactly what is queued.
func TestForwardQueueFull(t *testing.T) {
	noLeaks(t)
	cfg := servetest.Config(t)
	cfg.ForwardURL = "http://" + freeAddrs(t, 1)[0] // nothing listens there
	cfg.ForwardQueueBytes, cfg.MaxRequestBytes = 16<<20, 8<<20
	agent := servetest.Start(t, cfg)

	acked := 0
	var resp *http.Response
	var body []byte
	for n := 0; ; n++ {
		if n > 40 {
			t.Fatalf("no refusal after %d requests of 1 MiB in a 16 MiB queue", n)
		}
		if resp, body = postTraces(t, agent.HTTP, fwdTraces(n, 1, 1<<20)); resp.StatusCode != http.StatusOK {
			break
		}
		acked++
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" ||
		!strings.Contains(string(body), "forward queue full: ") || !strings.Contains(string(body), "--forward-queue-size 16MiB, --forward-when-full block") {
		t.Errorf("refusal: %s Retry-After %q %q", resp.Status, resp.Header.Get("Retry-After"), body)
	}
	conn, err := grpc.NewClient(agent.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = ptraceotlp.NewGRPCClient(conn).Export(context.Background(), ptraceotlp.NewExportRequestFromTraces(fwdTraces(99, 1, 1<<20)))
	gst := grpcstatus.Convert(err)
	var delay time.Duration
	for _, d := range gst.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			delay = ri.GetRetryDelay().AsDuration()
		}
	}
	if gst.Code() != codes.ResourceExhausted || delay != time.Second || !strings.Contains(gst.Message(), "forward queue full") {
		t.Errorf("gRPC refusal: %v %q RetryInfo %v", gst.Code(), gst.Message(), delay)
	}
	// A small logs request still fits? No: the queue is full for every signal.
	_, err = plogotlp.NewGRPCClient(conn).Export(context.Background(), plogotlp.NewExportRequestFromLogs(func() plog.Logs {
		ld := plog.NewLogs()
		ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr(strings.Repeat("l", 1<<20))
		return ld
	}()))
	if c := grpcstatus.Code(err); c != codes.ResourceExhausted {
		t.Errorf("a logs request into the full queue: %v", err)
	}

	st, _ := getStats(t, agent.UI)
	if got := st.Receiver.Traces.RefusedRequests["forward_queue_full"]; got != 2 {
		t.Errorf("refused_requests.forward_queue_full = %d, want 2", got)
	}
	if st.Store.Spans != int64(acked) || st.Forward.QueueRecords != int64(acked) || st.Forward.Dropped.Full.Records != 0 {
		t.Errorf("%d acknowledged; the store holds %d spans, the queue %d requests (dropped %d)",
			acked, st.Store.Spans, st.Forward.QueueRecords, st.Forward.Dropped.Full.Records)
	}
	if err := agent.Stop(); err != nil {
		t.Fatal(err)
	}
	last := servetest.Lines(agent.Out, "sightline serve: last ")
	if len(last) != 1 || !strings.Contains(last[0], "2 requests refused (2 spans): forward_queue_full 2") ||
		!strings.Contains(last[0], "forward: 0 requests forwarded, ") || !strings.Contains(last[0], "last error: ") {
		t.Errorf("the last stats line: %q", last)
	}
}
