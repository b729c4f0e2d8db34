package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/admin"
)

// TestRun runs the example configured by the environment, as a user would,
// with memory exporters instead of the console, and checks what it recorded.
func TestRun(t *testing.T) {
	rec := sightlinetest.NewRecorder(t)
	t.Setenv("SIGHTLINE_TELEMETRY_ENABLE", "on")
	t.Setenv("SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "memory")
	t.Setenv("SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", rec.Endpoint().URL)
	t.Setenv("SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS", "memory")
	t.Setenv("SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS", rec.Endpoint().URL)

	var stderr bytes.Buffer
	if err := run(context.Background(), &stderr, flags{}); err != nil {
		t.Fatal(err)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr: %s", stderr.String())
	}

	// The span tree.
	rec.RequireSpanNames("measure sample", "move stage", "expose detector", "read detector")
	for _, child := range []string{"move stage", "expose detector", "read detector"} {
		rec.RequireParent(child, "measure sample")
	}
	rec.RequireAttribute("measure sample", "sample.id", "S-042")
	rec.RequireAttribute("expose detector", "frames", 10)
	rec.RequireStatus("measure sample", codes.Unset)
	rec.RequireStatus("read detector", codes.Error)

	// The event, and the error recorded as an "exception" event.
	expose, _ := rec.Span("expose detector")
	if len(expose.Events) != 1 || expose.Events[0].Name != "shutter opened" {
		t.Errorf("expose detector events = %v, want shutter opened", expose.Events)
	}
	read, _ := rec.Span("read detector")
	if len(read.Events) != 1 || read.Events[0].Name != "exception" {
		t.Errorf("read detector events = %v, want exception", read.Events)
	}

	// Every log record carries the trace id, and the span id of the span it
	// was logged in.
	sample, _ := rec.Span("measure sample")
	wantSpan := map[string]string{
		"measuring sample":    "measure sample",
		"frames taken":        "expose detector",
		"sample not measured": "measure sample",
	}
	logs := rec.Logs()
	if len(logs) != len(wantSpan) {
		t.Errorf("%d log records, want %d", len(logs), len(wantSpan))
	}
	for _, l := range logs {
		msg := l.Body().AsString()
		span, ok := rec.Span(wantSpan[msg])
		if !ok {
			t.Errorf("unexpected log record %q", msg)
			continue
		}
		if l.TraceID() != sample.SpanContext.TraceID() || l.SpanID() != span.SpanContext.SpanID() {
			t.Errorf("log %q: trace %s span %s, want trace %s span %s (%s)",
				msg, l.TraceID(), l.SpanID(), sample.SpanContext.TraceID(), span.SpanContext.SpanID(), wantSpan[msg])
		}
	}
}

// TestRunOff: without SIGHTLINE_TELEMETRY_ENABLE the example runs, records
// nothing and says how to turn telemetry on.
func TestRunOff(t *testing.T) {
	t.Setenv("SIGHTLINE_TELEMETRY_ENABLE", "")
	t.Setenv("OTEL_SDK_DISABLED", "")
	var stderr bytes.Buffer
	if err := run(context.Background(), &stderr, flags{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(stderr.Bytes(), []byte("SIGHTLINE_TELEMETRY_ENABLE=on")) {
		t.Errorf("stderr = %q, want the hint to turn telemetry on", stderr.String())
	}
}

// TestRunBadSetting: a bad setting is reported on stderr and the example
// still runs with the default in its place.
func TestRunBadSetting(t *testing.T) {
	rec := sightlinetest.NewRecorder(t)
	t.Setenv("SIGHTLINE_TELEMETRY_ENABLE", "on")
	t.Setenv("SIGHTLINE_TELEMETRY_TOPICS", "user,driver")
	t.Setenv("SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "memory")
	t.Setenv("SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", rec.Endpoint().URL)
	t.Setenv("SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS", "none")
	var stderr, diag bytes.Buffer
	telemetry.SetDiagnostics(slog.New(slog.NewTextHandler(&diag, nil)))
	defer telemetry.SetDiagnostics(nil)
	if err := run(context.Background(), &stderr, flags{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(diag.Bytes(), []byte(`SIGHTLINE_TELEMETRY_TOPICS`)) || !bytes.Contains(diag.Bytes(), []byte(`unknown topic`)) {
		t.Errorf("diagnostics = %q, want the bad topics reported once", diag.String())
	}
	if len(rec.Spans()) != 4 {
		t.Errorf("%d spans, want 4", len(rec.Spans()))
	}
}

// TestAdminAddressRefused: an address the admin API refuses (all
// interfaces, without a configured token) or cannot bind is reported
// alone; the quickstart never says "admin API on" an address it does not
// serve.
func TestAdminAddressRefused(t *testing.T) {
	t.Setenv("SIGHTLINE_TELEMETRY_ENABLE", "off")
	t.Setenv("SIGHTLINE_ADMIN_TOKEN", "")
	t.Setenv("SIGHTLINE_RUNTIME_DIR", t.TempDir())
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	tests := []struct{ addr, want string }{
		{"[::]:0", "without a configured token"},
		{"0.0.0.0:0", "without a configured token"},
		{":0", "without a configured token"},
		{taken.Addr().String(), "address already in use"},
		{"no-port", "missing port"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), &stderr, flags{admin: tt.addr, interval: time.Hour})
			if strings.Contains(stderr.String(), "admin API on") {
				t.Errorf("stderr claims the admin API serves:\n%s", stderr.String())
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run -admin %s = %v, want an error about %q", tt.addr, err, tt.want)
			}
		})
	}
}

// TestAdminServes: on a loopback address the quickstart says where the
// admin API is once it answers, and its token file lets a client change
// the telemetry.
func TestAdminServes(t *testing.T) {
	t.Setenv("SIGHTLINE_TELEMETRY_ENABLE", "off")
	t.Setenv("SIGHTLINE_ADMIN_TOKEN", "")
	t.Setenv("SIGHTLINE_RUNTIME_DIR", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &lineWriter{lines: make(chan string, 16)}
	done := make(chan error, 1)
	go func() { done <- run(ctx, out, flags{admin: "127.0.0.1:0", interval: time.Hour}) }()
	var addr string
	for addr == "" {
		select {
		case line := <-out.lines:
			if a, ok := strings.CutPrefix(line, "admin API on "); ok {
				addr, _, _ = strings.Cut(a, " ")
			}
		case err := <-done:
			t.Fatalf("run: %v", err)
		}
	}
	c, err := admin.NewClient(addr, admin.WithRuntimeToken(""))
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	if err := c.SetTopics(ctx, "quickstart", []string{"kernel"}); err != nil {
		t.Fatalf("change through the admin API with the token file: %v", err)
	}
	noToken, err := admin.NewClient(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer noToken.CloseIdleConnections()
	var e *admin.Error
	if err := noToken.SetTopics(ctx, "quickstart", []string{"user"}); !errors.As(err, &e) || e.StatusCode != 401 {
		t.Errorf("change without the token = %v, want 401", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

// lineWriter sends each line written to it on lines.
type lineWriter struct {
	mu    sync.Mutex
	buf   []byte
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		select {
		case w.lines <- string(w.buf[:i]):
		default: // nobody reads any more
		}
		w.buf = w.buf[i+1:]
	}
}
