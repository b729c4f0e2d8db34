package serve_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	grpcstatus "google.golang.org/grpc/status"

	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
)

// TestServeBadRequests sends malformed and oversize requests end to end:
// each gets the documented answer (internal/otlp has the full table), is
// counted by reason in /api/stats, and shows in the periodic stats line.
func TestServeBadRequests(t *testing.T) {
	noLeaks(t)
	cfg := servetest.Config(t)
	cfg.MaxRequestBytes = 64 << 10
	cfg.StatsInterval = 20 * time.Millisecond
	ts := servetest.Start(t, cfg)
	base := "http://" + ts.HTTP
	big, err := spansRequest(20, 4096, 3).MarshalProto() // 80 KiB
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, method, path, contentType string
		body                            []byte
		status                          int
		says                            string
	}{
		{"garbage protobuf", "POST", "/v1/traces", "application/x-protobuf", []byte{0xff, 0xff, 0xff}, 400, "decode"},
		{"bad JSON", "POST", "/v1/logs", "application/json", []byte(`{"resourceLogs": [`), 400, "decode"},
		{"wrong media type", "POST", "/v1/traces", "text/plain", []byte("hello"), 415, "Content-Type"},
		{"over --max-request-bytes", "POST", "/v1/traces", "application/x-protobuf", big, 413, "64 KiB"},
		{"GET", "GET", "/v1/traces", "", nil, 405, ""},
		{"metrics", "POST", "/v1/metrics", "application/x-protobuf", nil, 501, "metrics"},
	} {
		req, err := http.NewRequestWithContext(t.Context(), c.method, base+c.path, bytes.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		resp, err := servetest.Client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !bytes.Contains(body, []byte(c.says)) {
			t.Errorf("%s: %d %q, want %d saying %q", c.name, resp.StatusCode, body, c.status, c.says)
		}
	}

	conn, err := grpc.NewClient(ts.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req := spansRequest(20, 4096, 4)
	if _, err := ptraceotlp.NewGRPCClient(conn).Export(t.Context(), req); grpcstatus.Code(err) != codes.ResourceExhausted {
		t.Errorf("gRPC over the limit: %v", err)
	}

	// The gRPC refusal is counted as its handler returns, which may be
	// just after the client has its answer: poll.
	var r otlp.Stats
	poll.Until(t, 10*time.Second, "the refusals counted", func() bool {
		var stats struct{ Receiver otlp.Stats }
		servetest.GetJSON(t, ts.UI, "/api/stats", 200, &stats)
		r = stats.Receiver
		return r.Traces.RefusedRequests.TooLarge == 2
	})
	tr, lg := r.Traces.RefusedRequests, r.Logs.RefusedRequests
	if tr.Malformed != 1 || lg.Malformed != 1 || tr.UnsupportedMedia != 1 || tr.TooLarge != 2 || r.HTTPUnrouted != 1 || r.Metrics.Requests.HTTP != 1 {
		t.Errorf("stats %+v", r)
	}
	poll.Until(t, 10*time.Second, "a stats line with the refusals", func() bool {
		out := strings.Join(servetest.Lines(ts.Out, "sightline serve: last "), "\n")
		return strings.Contains(out, "malformed 1") && strings.Contains(out, "too_large") && strings.Contains(out, "metrics: 1 requests refused")
	})
}
