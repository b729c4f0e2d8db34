package forward_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/internal/spangen"
)

// testConfig forwards to url from a fresh directory, retrying fast.
func testConfig(t testing.TB, url string) forward.Config {
	cfg := forward.DefaultConfig()
	cfg.Dir, cfg.URL = t.TempDir(), url
	cfg.BackoffInitial, cfg.BackoffMax = 20*time.Millisecond, 200*time.Millisecond
	cfg.Timeout = 5 * time.Second
	return cfg
}

// newForwarder returns a Forwarder for cfg, shut down when the test ends.
func newForwarder(t testing.TB, cfg forward.Config) *forward.Forwarder {
	t.Helper()
	f, err := forward.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := f.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return f
}

func start(t testing.TB, f *forward.Forwarder) {
	t.Helper()
	if err := f.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// traceRequest is request n: trace n of spans spans.
func traceRequest(n, spans int) ptrace.Traces {
	return spangen.Traces(rand.New(rand.NewPCG(uint64(n), 1)), uint64(n), 1, spans, time.Now())
}

// logsRequest is request n of logs: records log records of trace n.
func logsRequest(n, records int) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "forward-test")
	lrs := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := range records {
		lr := lrs.AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		lr.SetTraceID(spangen.TraceID(uint64(n)))
		lr.Body().SetStr(fmt.Sprintf("log %d/%d", n, i))
	}
	return ld
}

// upstreamCounts are the spans (distinct: the store keeps a span once)
// and log records an upstream sightline serve holds.
func upstreamCounts(t testing.TB, ui string) (spans, logs int64) {
	t.Helper()
	var st struct {
		Store struct {
			Spans int64 `json:"spans"`
			Logs  int64 `json:"logs"`
		} `json:"store"`
	}
	servetest.GetJSON(t, ui, "/api/stats", 200, &st)
	return st.Store.Spans, st.Store.Logs
}

func waitSpans(t testing.TB, ui string, want int64) {
	t.Helper()
	poll.Until(t, 30*time.Second, fmt.Sprintf("%d spans upstream", want), func() bool {
		spans, _ := upstreamCounts(t, ui)
		return spans >= want
	})
	if spans, _ := upstreamCounts(t, ui); spans != want {
		t.Fatalf("%d spans upstream, want %d", spans, want)
	}
}

// freePorts returns n loopback addresses free now, for an upstream that
// is stopped and started again on the same ports.
func freePorts(t testing.TB, n int) []string {
	t.Helper()
	var addrs []string
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		addrs = append(addrs, l.Addr().String())
	}
	for _, l := range ls {
		_ = l.Close()
	}
	return addrs
}
