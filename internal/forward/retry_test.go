package forward_test

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/otlphttp/otlphttptest"
	"github.com/sightline-dev/sightline/internal/poll"
)

// stamps records when each request came.
type stamps struct {
	mu sync.Mutex
	at []time.Time
}

func (s *stamps) add() {
	s.mu.Lock()
	s.at = append(s.at, time.Now())
	s.mu.Unlock()
}

func (s *stamps) get() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.at...)
}

func waitForwarded(t *testing.T, f *forward.Forwarder) forward.Stats {
	t.Helper()
	poll.Until(t, 10*time.Second, "an empty queue", func() bool { return f.Stats().QueueRecords == 0 })
	return f.Stats()
}

// TestHTTPRetryAfter waits what a 429's Retry-After asks (1 s: far more
// than the backoff's 20 ms) before trying again, and counts the retry.
func TestHTTPRetryAfter(t *testing.T) {
	var at stamps
	srv := otlphttptest.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		at.add()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	f := newForwarder(t, testConfig(t, srv.URL))
	if err := f.AppendTraces(traceRequest(1, 2)); err != nil {
		t.Fatal(err)
	}
	start(t, f)
	st := waitForwarded(t, f)
	times := at.get()
	if len(times) != 2 || st.Retries != 1 || st.ForwardedRecords != 1 {
		t.Fatalf("%d requests, stats %+v", len(times), st)
	}
	if waited := times[1].Sub(times[0]); waited < time.Second-10*time.Millisecond {
		t.Errorf("retried after %v, Retry-After asked for 1s", waited)
	}
	if !strings.Contains(st.LastError, "429 Too Many Requests") {
		t.Errorf("last error %q", st.LastError)
	}
}

// TestHTTPRejected drops a batch the upstream refuses for good (400),
// counts it, and goes on with the next one without retrying.
func TestHTTPRejected(t *testing.T) {
	srv := otlphttptest.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			http.Error(w, "bad data", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	f := newForwarder(t, testConfig(t, srv.URL))
	if err := f.AppendTraces(traceRequest(1, 2)); err != nil {
		t.Fatal(err)
	}
	if err := f.AppendLogs(logsRequest(2, 3)); err != nil {
		t.Fatal(err)
	}
	start(t, f)
	st := waitForwarded(t, f)
	if n := len(srv.Received()); n != 2 {
		t.Errorf("%d requests, want 2 (no retry of the refused one)", n)
	}
	if st.Dropped.Rejected.Records != 1 || st.Dropped.Rejected.Bytes == 0 || st.ForwardedRecords != 1 || st.Retries != 0 {
		t.Errorf("stats %+v", st)
	}
	if !strings.Contains(st.LastError, "400 Bad Request: bad data") || !strings.Contains(st.LastError, "dropped 1 traces") {
		t.Errorf("last error %q", st.LastError)
	}
}

// TestHTTPPartialSuccess counts what the upstream refused in a partial
// success, and does not send it again.
func TestHTTPPartialSuccess(t *testing.T) {
	srv := otlphttptest.NewServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		var b []byte
		if strings.HasSuffix(r.URL.Path, "/v1/logs") {
			resp := plogotlp.NewExportResponse()
			resp.PartialSuccess().SetRejectedLogRecords(2)
			resp.PartialSuccess().SetErrorMessage("logs too old")
			b, _ = resp.MarshalProto()
		} else {
			resp := ptraceotlp.NewExportResponse()
			resp.PartialSuccess().SetRejectedSpans(3)
			resp.PartialSuccess().SetErrorMessage("spans too old")
			b, _ = resp.MarshalProto()
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(b)
	})
	f := newForwarder(t, testConfig(t, srv.URL))
	_ = f.AppendTraces(traceRequest(1, 5))
	_ = f.AppendLogs(logsRequest(1, 5))
	start(t, f)
	st := waitForwarded(t, f)
	if st.UpstreamRejectedSpans != 3 || st.UpstreamRejectedLogs != 2 || st.ForwardedRecords != 2 || len(srv.Received()) != 2 {
		t.Errorf("stats %+v, %d requests", st, len(srv.Received()))
	}
	if !strings.Contains(st.LastError, "logs too old") {
		t.Errorf("last error %q", st.LastError)
	}
}

// TestHTTPBatches sends consecutive requests of a signal as one request
// holding all their spans, up to BatchBytes, with the configured headers,
// gzipped, under the URL's path prefix.
func TestHTTPBatches(t *testing.T) {
	var (
		mu    sync.Mutex
		paths []string
	)
	srv := otlphttptest.NewServer(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
	})
	cfg := testConfig(t, strings.Replace(srv.URL, "http://", "http://me:pw@", 1)+"/otlp/")
	cfg.Headers = map[string]string{"X-Scope-OrgID": "bl12"}
	cfg.Compression = "gzip"
	f := newForwarder(t, cfg)
	for i := range 10 {
		_ = f.AppendTraces(traceRequest(i, 2))
	}
	_ = f.AppendLogs(logsRequest(10, 4))
	_ = f.AppendLogs(logsRequest(11, 4))
	_ = f.AppendTraces(traceRequest(12, 2))
	if st := f.Stats(); strings.Contains(st.Upstream, "pw") || !strings.HasSuffix(st.Upstream, "/otlp") {
		t.Errorf("upstream shown as %q", st.Upstream)
	}
	start(t, f)
	st := waitForwarded(t, f)
	reqs := srv.Received()
	mu.Lock()
	got := strings.Join(paths, " ")
	mu.Unlock()
	if got != "/otlp/v1/traces /otlp/v1/logs /otlp/v1/traces" || st.ForwardedRequests != 3 || st.ForwardedRecords != 13 {
		t.Fatalf("requests to %s, stats %+v", got, st)
	}
	tr := ptraceotlp.NewExportRequest()
	if err := tr.UnmarshalProto(reqs[0].Body); err != nil || tr.Traces().SpanCount() != 20 {
		t.Errorf("first request: %v, %d spans", err, tr.Traces().SpanCount())
	}
	lr := plogotlp.NewExportRequest()
	if err := lr.UnmarshalProto(reqs[1].Body); err != nil || lr.Logs().LogRecordCount() != 8 {
		t.Errorf("second request: %v, %d log records", err, lr.Logs().LogRecordCount())
	}
	h := reqs[0].Header
	if h.Get("X-Scope-Orgid") != "bl12" || h.Get("Authorization") != "Basic bWU6cHc=" || h.Get("Content-Encoding") != "gzip" {
		t.Errorf("headers %v", h)
	}
}

// TestHTTPBatchBytes keeps batches under BatchBytes, filling them in
// order; a larger request goes alone.
func TestHTTPBatchBytes(t *testing.T) {
	srv := otlphttptest.NewServer(t, nil)
	cfg := testConfig(t, srv.URL)
	cfg.BatchBytes, cfg.Compression = 4<<10, "none"
	f := newForwarder(t, cfg)
	var want []int // the sizes of the requests upstream
	batch := 0
	for i := range 30 {
		b, err := ptraceotlp.NewExportRequestFromTraces(traceRequest(i, 1+i%7*4)).MarshalProto()
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Append(forward.Traces, b); err != nil {
			t.Fatal(err)
		}
		if batch > 0 && batch+len(b) > 4<<10 {
			want = append(want, batch)
			batch = 0
		}
		batch += len(b)
	}
	want = append(want, batch)
	start(t, f)
	waitForwarded(t, f)
	var got []int
	for _, r := range srv.Received() {
		if r.Header.Get("Content-Encoding") != "" {
			t.Errorf("Content-Encoding %q with compression none", r.Header.Get("Content-Encoding"))
		}
		got = append(got, len(r.Body))
	}
	if !slices.Equal(got, want) || slices.Max(want) <= 4<<10 {
		t.Errorf("request sizes %v, want %v (one of them over 4 KiB)", got, want)
	}
}
