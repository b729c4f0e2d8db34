package otlpjson_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/sightline-dev/sightline/internal/otlphttp"
	"github.com/sightline-dev/sightline/internal/otlphttp/otlphttptest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpjson"
)

// httpSignal runs the same tests over the span and the log exporter.
type httpSignal struct {
	name   string
	path   string
	new    func(t *testing.T, url string, opts ...otlphttp.Option) fileExporter
	decode func(body []byte) (int, error) // items in a request body
}

func httpSignals() []httpSignal {
	return []httpSignal{
		{
			name: "spans", path: "/v1/traces",
			new: func(t *testing.T, url string, opts ...otlphttp.Option) fileExporter {
				e := otlpjson.NewHTTPSpanExporter(url, opts...)
				t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
				return fileExporter{
					export:   func(ctx context.Context, n int) error { return e.ExportSpans(ctx, simpleSpans(t, n)) },
					shutdown: e.Shutdown,
				}
			},
			decode: func(body []byte) (int, error) {
				req := ptraceotlp.NewExportRequest()
				err := req.UnmarshalJSON(body)
				return req.Traces().SpanCount(), err
			},
		},
		{
			name: "logs", path: "/v1/logs",
			new: func(t *testing.T, url string, opts ...otlphttp.Option) fileExporter {
				e := otlpjson.NewHTTPLogExporter(url, opts...)
				t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
				return fileExporter{
					export:     func(ctx context.Context, n int) error { return e.Export(ctx, testRecords(t, n)) },
					forceFlush: e.ForceFlush,
					shutdown:   e.Shutdown,
				}
			},
			decode: func(body []byte) (int, error) {
				req := plogotlp.NewExportRequest()
				err := req.UnmarshalJSON(body)
				return req.Logs().LogRecordCount(), err
			},
		},
	}
}

// fastRetries keeps backoff waits at a millisecond or two.
var fastRetries = otlphttp.WithBackoff(time.Millisecond, 2*time.Millisecond)

func TestHTTPExporterSends(t *testing.T) {
	tests := []struct {
		name     string
		opts     []otlphttp.Option
		respBody string
		wantGzip bool
		wantHdr  map[string]string
	}{
		{name: "plain, empty response", respBody: ""},
		{name: "empty JSON response", respBody: "{}"},
		{name: "full success response", respBody: `{"partialSuccess":{}}`},
		{name: "non-JSON 2xx body is ignored", respBody: "OK"},
		{name: "gzip", opts: []otlphttp.Option{otlphttp.WithGzip()}, wantGzip: true},
		{
			name: "headers",
			opts: []otlphttp.Option{
				otlphttp.WithHeaders(map[string]string{"Authorization": "Bearer t0k", "X-Tenant": "a"}),
				otlphttp.WithHeaders(map[string]string{"X-Tenant": "b", "Content-Type": "text/plain"}),
			},
			wantHdr: map[string]string{"Authorization": "Bearer t0k", "X-Tenant": "b"},
		},
		{name: "own client", opts: []otlphttp.Option{otlphttp.WithHTTPClient(&http.Client{Transport: &http.Transport{}})}},
	}
	for _, sig := range httpSignals() {
		for _, tt := range tests {
			t.Run(sig.name+"/"+tt.name, func(t *testing.T) {
				srv := otlphttptest.NewServer(t, otlphttptest.Reply(http.StatusOK, tt.respBody))
				e := sig.new(t, srv.URL+sig.path, tt.opts...)
				if err := e.export(context.Background(), 3); err != nil {
					t.Fatalf("export: %v", err)
				}
				reqs := srv.Received()
				if len(reqs) != 1 {
					t.Fatalf("%d requests, want 1", len(reqs))
				}
				r := reqs[0]
				if r.Method != http.MethodPost {
					t.Errorf("method = %s", r.Method)
				}
				if ct := r.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
				if gz := r.Header.Get("Content-Encoding") == "gzip"; gz != tt.wantGzip {
					t.Errorf("gzip = %v, want %v", gz, tt.wantGzip)
				}
				for k, v := range tt.wantHdr {
					if got := r.Header.Get(k); got != v {
						t.Errorf("header %s = %q, want %q", k, got, v)
					}
				}
				if n, err := sig.decode(r.Body); err != nil || n != 3 {
					t.Errorf("body holds %d items (err %v), want 3: %.300s", n, err, r.Body)
				}
			})
		}
	}
}

func TestHTTPExporterSpanBody(t *testing.T) {
	srv := otlphttptest.NewServer(t, otlphttptest.Reply(http.StatusOK, ""))
	e := otlpjson.NewHTTPSpanExporter(srv.URL + "/v1/traces")
	t.Cleanup(func() { _ = e.Shutdown(context.Background()) })
	if err := e.ExportSpans(context.Background(), simpleSpans(t, 2)); err != nil {
		t.Fatal(err)
	}
	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalJSON(srv.Received()[0].Body); err != nil {
		t.Fatal(err)
	}
	if got := describe(req.Traces()); got != "svc:test[span-0 span-1]" {
		t.Errorf("request holds %q", got)
	}
}

func TestHTTPExporterErrorStatus(t *testing.T) {
	long := strings.Repeat("x", 1000)
	tests := []struct {
		status   int
		body     string
		wantText string
	}{
		{400, `{"code":3,"message":"bad payload"}`, `400 Bad Request: {"code":3,"message":"bad payload"}`},
		{401, "", "401 Unauthorized"},
		{404, "no such path\n", "404 Not Found: no such path"},
		{413, long, "413 Request Entity Too Large: " + long[:256]},
	}
	for _, sig := range httpSignals() {
		for _, tt := range tests {
			t.Run(sig.name+"/"+http.StatusText(tt.status), func(t *testing.T) {
				srv := otlphttptest.NewServer(t, otlphttptest.Reply(tt.status, tt.body))
				url := srv.URL + sig.path
				e := sig.new(t, url, fastRetries)
				err := e.export(context.Background(), 1)
				if err == nil {
					t.Fatal("no error")
				}
				want := "otlphttp: POST " + url + ": " + tt.wantText
				if err.Error() != want {
					t.Errorf("error = %q\nwant    %q", err, want)
				}
				if n := len(srv.Received()); n != 1 {
					t.Errorf("%d requests, want 1 (no retry)", n)
				}
			})
		}
	}
}

func TestHTTPExporterPartialSuccess(t *testing.T) {
	tests := []struct {
		name, path, body, wantErr string
	}{
		{"spans rejected", "/v1/traces", `{"partialSuccess":{"rejectedSpans":"2","errorMessage":"too old"}}`, "rejected 2 spans: too old"},
		{"spans warning only", "/v1/traces", `{"partialSuccess":{"errorMessage":"slow down"}}`, ""},
		{"logs rejected", "/v1/logs", `{"partial_success":{"rejected_log_records":5,"error_message":"bad body"}}`, "rejected 5 log records: bad body"},
		{"logs warning only", "/v1/logs", `{"partialSuccess":{"rejectedLogRecords":"0","errorMessage":"w"}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := otlphttptest.NewServer(t, otlphttptest.Reply(http.StatusOK, tt.body))
			var sig httpSignal
			for _, s := range httpSignals() {
				if s.path == tt.path {
					sig = s
				}
			}
			url := srv.URL + tt.path
			err := sig.new(t, url).export(context.Background(), 3)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("export: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), url)):
				t.Errorf("export error = %v, want one naming %s and containing %q", err, url, tt.wantErr)
			}
		})
	}
}

func TestHTTPExporterShutdown(t *testing.T) {
	for _, sig := range httpSignals() {
		t.Run(sig.name, func(t *testing.T) {
			srv := otlphttptest.NewServer(t, otlphttptest.Reply(http.StatusOK, ""))
			e := sig.new(t, srv.URL+sig.path)
			if err := e.export(context.Background(), 1); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := e.shutdown(context.Background()); err != nil {
					t.Fatalf("Shutdown: %v", err)
				}
			}
			err := e.export(context.Background(), 1)
			if err == nil || err.Error() != "otlpjson: exporter is shut down" || !errors.Is(err, sdklog.ErrExporterShutdown) {
				t.Errorf("export after Shutdown = %v", err)
			}
			if n := len(srv.Received()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

func TestHTTPExporterUnreachable(t *testing.T) {
	for _, sig := range httpSignals() {
		t.Run(sig.name, func(t *testing.T) {
			srv := httptest.NewServer(http.NotFoundHandler())
			url := srv.URL + sig.path
			srv.Close() // nothing listens there any more
			err := sig.new(t, url, otlphttp.WithTimeout(2*time.Second)).export(context.Background(), 1)
			if err == nil || !strings.Contains(err.Error(), url) {
				t.Errorf("export error = %v, want one naming %s", err, url)
			}
		})
		t.Run(sig.name+"/bad URL", func(t *testing.T) {
			err := sig.new(t, "://no-scheme").export(context.Background(), 1)
			if err == nil || !strings.Contains(err.Error(), "://no-scheme") {
				t.Errorf("export error = %v, want one naming the URL", err)
			}
		})
	}
}
