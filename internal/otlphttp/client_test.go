package otlphttp_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/sightline-dev/sightline/internal/otlphttp"
	"github.com/sightline-dev/sightline/internal/otlphttp/otlphttptest"
)

// clientTraces is n spans under one resource.
func clientTraces(n int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "import")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("console-import")
	for i := range n {
		sp := ss.Spans().AppendEmpty()
		sp.SetName("span")
		sp.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
		sp.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, byte(i)})
		sp.Attributes().PutInt("i", int64(i))
	}
	return td
}

func clientLogs(n int) plog.Logs {
	ld := plog.NewLogs()
	lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	for i := range n {
		lr := lrs.AppendEmpty()
		lr.Body().SetStr("log")
		lr.SetSeverityNumber(plog.SeverityNumber(i%24 + 1))
	}
	return ld
}

// protoReply answers with status and a protobuf body.
func protoReply(status int, body proto.Message, marshal func() ([]byte, error)) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		var b []byte
		if body != nil {
			b, _ = proto.Marshal(body)
		} else if marshal != nil {
			b, _ = marshal()
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}
}

// fastRetries keeps backoff waits at a millisecond or two.
var fastRetries = otlphttp.WithBackoff(time.Millisecond, 2*time.Millisecond)

func newClient(t *testing.T, url string, opts ...otlphttp.Option) *otlphttp.Client {
	t.Helper()
	c, err := otlphttp.NewClient(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestClientSendsProtobuf checks the requests: path, Content-Type and a
// body that decodes to what was sent.
func TestClientSendsProtobuf(t *testing.T) {
	srv := otlphttptest.NewServer(t, protoReply(http.StatusOK, nil, ptraceotlp.NewExportResponse().MarshalProto))
	c := newClient(t, srv.URL+"/")
	rejected, msg, err := c.AppendTraces(context.Background(), clientTraces(3))
	if err != nil || rejected != 0 || msg != "" {
		t.Fatalf("AppendTraces = %d, %q, %v", rejected, msg, err)
	}
	if _, _, err := c.AppendLogs(context.Background(), clientLogs(2)); err != nil {
		t.Fatal(err)
	}
	// Empty batches are not sent.
	if _, _, err := c.AppendTraces(context.Background(), ptrace.NewTraces()); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Received()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for _, r := range reqs {
		if ct := r.Header.Get("Content-Type"); ct != "application/x-protobuf" || r.Method != http.MethodPost {
			t.Errorf("%s with Content-Type %q", r.Method, ct)
		}
	}
	treq := ptraceotlp.NewExportRequest()
	if err := treq.UnmarshalProto(reqs[0].Body); err != nil {
		t.Fatal(err)
	}
	td := treq.Traces()
	if td.SpanCount() != 3 {
		t.Fatalf("%d spans received", td.SpanCount())
	}
	sp := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(2)
	if v, _ := sp.Attributes().Get("i"); v.Int() != 2 || sp.SpanID() != (pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 2}) {
		t.Errorf("span 2: i=%v id %v", v.AsRaw(), sp.SpanID())
	}
	lreq := plogotlp.NewExportRequest()
	if err := lreq.UnmarshalProto(reqs[1].Body); err != nil || lreq.Logs().LogRecordCount() != 2 {
		t.Fatalf("logs request: %v, %d records", err, lreq.Logs().LogRecordCount())
	}
}

// TestClientPaths checks where each signal goes.
func TestClientPaths(t *testing.T) {
	var (
		mu    sync.Mutex
		paths []string
	)
	srv := otlphttptest.NewServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	})
	c := newClient(t, srv.URL+"/otlp")
	_, _, _ = c.AppendTraces(context.Background(), clientTraces(1))
	_, _, _ = c.AppendLogs(context.Background(), clientLogs(1))
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(paths, " ") != "/otlp/v1/traces /otlp/v1/logs" {
		t.Errorf("paths %q", paths)
	}
}

// TestClientPartialSuccess returns the refused count and message, from a
// protobuf response or a JSON one.
func TestClientPartialSuccess(t *testing.T) {
	tresp := ptraceotlp.NewExportResponse()
	tresp.PartialSuccess().SetRejectedSpans(2)
	tresp.PartialSuccess().SetErrorMessage("spans too old")
	lresp := plogotlp.NewExportResponse()
	lresp.PartialSuccess().SetRejectedLogRecords(1)
	lresp.PartialSuccess().SetErrorMessage("bad body")

	srv := otlphttptest.NewServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch {
		case n == 3:
			otlphttptest.Reply(http.StatusOK, `{"partialSuccess":{"rejectedSpans":"1","errorMessage":"json"}}`)(n, w, r)
		case strings.HasSuffix(r.URL.Path, "/v1/traces"):
			protoReply(http.StatusOK, nil, tresp.MarshalProto)(n, w, r)
		default:
			protoReply(http.StatusOK, nil, lresp.MarshalProto)(n, w, r)
		}
	})
	c := newClient(t, srv.URL)
	if rej, msg, err := c.AppendTraces(context.Background(), clientTraces(5)); err != nil || rej != 2 || msg != "spans too old" {
		t.Errorf("AppendTraces = %d, %q, %v", rej, msg, err)
	}
	if rej, msg, err := c.AppendLogs(context.Background(), clientLogs(5)); err != nil || rej != 1 || msg != "bad body" {
		t.Errorf("AppendLogs = %d, %q, %v", rej, msg, err)
	}
	if rej, msg, err := c.AppendTraces(context.Background(), clientTraces(5)); err != nil || rej != 1 || msg != "json" {
		t.Errorf("AppendTraces (JSON response) = %d, %q, %v", rej, msg, err)
	}
}

// TestClientRetries retries 429 and 503 as the exporters do.
func TestClientRetries(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := otlphttptest.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
				if n <= 2 {
					w.Header().Set("Retry-After", "0")
					w.WriteHeader(status)
					return
				}
				w.WriteHeader(http.StatusOK)
			})
			c := newClient(t, srv.URL, fastRetries)
			if _, _, err := c.AppendTraces(context.Background(), clientTraces(1)); err != nil {
				t.Fatal(err)
			}
			if n := len(srv.Received()); n != 3 {
				t.Errorf("%d requests, want 3", n)
			}
		})
	}
}

// TestClientErrors reports a refusal with the google.rpc.Status message of
// a protobuf response, and does not retry it.
func TestClientErrors(t *testing.T) {
	srv := otlphttptest.NewServer(t, protoReply(http.StatusBadRequest, &statuspb.Status{Code: 3, Message: "decode traces request: bad span"}, nil))
	c := newClient(t, srv.URL, fastRetries)
	rej, _, err := c.AppendTraces(context.Background(), clientTraces(1))
	want := "otlphttp: POST " + srv.URL + "/v1/traces: 400 Bad Request: decode traces request: bad span"
	if err == nil || err.Error() != want || rej != 0 {
		t.Fatalf("err = %v, want %q", err, want)
	}
	_, _, err = c.AppendLogs(context.Background(), clientLogs(1))
	if err == nil || !strings.Contains(err.Error(), "/v1/logs: 400 Bad Request: decode traces request: bad span") {
		t.Fatalf("logs err = %v", err)
	}
	if n := len(srv.Received()); n != 2 {
		t.Errorf("%d requests, want 2 (no retry)", n)
	}

	// A status body that is not a Status is not quoted.
	srv2 := otlphttptest.NewServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte{0xff, 0xff, 0xff})
	})
	c2 := newClient(t, srv2.URL)
	_, _, err = c2.AppendTraces(context.Background(), clientTraces(1))
	if want := "otlphttp: POST " + srv2.URL + "/v1/traces: 500 Internal Server Error"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

// TestClientClosed fails after Close.
func TestClientClosed(t *testing.T) {
	srv := otlphttptest.NewServer(t, nil)
	c := newClient(t, srv.URL)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.AppendTraces(context.Background(), clientTraces(1)); err == nil {
		t.Error("AppendTraces after Close succeeded")
	}
	if _, _, err := c.AppendLogs(context.Background(), clientLogs(1)); err == nil {
		t.Error("AppendLogs after Close succeeded")
	}
}

func TestNewClientURL(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:4318", "ftp://host", "http://", "http://host/?q=1", "http://[::1"} {
		if c, err := otlphttp.NewClient(u); err == nil {
			_ = c.Close()
			t.Errorf("NewClient(%q) accepted", u)
		}
	}
	for _, u := range []string{"http://127.0.0.1:4318", "https://collector.example/otlp/"} {
		c, err := otlphttp.NewClient(u)
		if err != nil {
			t.Errorf("NewClient(%q): %v", u, err)
			continue
		}
		_ = c.Close()
	}
}
