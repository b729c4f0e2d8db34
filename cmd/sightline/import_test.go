package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/goleak"

	"github.com/sightline-dev/sightline/internal/importer"
	"github.com/sightline-dev/sightline/sightlinetest"
)

// fixture is the path of one of the importer's test files.
func fixture(name string) string {
	return filepath.Join("..", "..", "internal", "importer", "testdata", name)
}

// noLeaks checks, after every later cleanup (the receiver's stop), that
// the test left no goroutines behind.
func noLeaks(t *testing.T) {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

// runImportCmd runs "sightline import args..." through dispatch.
func runImportCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = dispatch(t.Context(), append([]string{"import"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestImportEndToEnd imports console and OTLP files into a real OTLP
// receiver and checks the report lines, the exit code and what arrived.
func TestImportEndToEnd(t *testing.T) {
	noLeaks(t)
	rcv := sightlinetest.NewReceiver(t)
	blue, logs, otlp := fixture("bluesky_run.json"), fixture("console_logs.json"), fixture("otlp_traces.jsonl")
	code, stdout, stderr := runImportCmd(t, "--addr", rcv.HTTPEndpoint(), "--batch", "2", blue, logs, otlp)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	want := blue + ": console, 5 spans read, 5 imported, 0 rejected; 0 logs read, 0 imported, 0 rejected\n" +
		logs + ": console, 0 spans read, 0 imported, 0 rejected; 4 logs read, 4 imported, 0 rejected\n" +
		otlp + ": otlp, 4 spans read, 4 imported, 0 rejected; 0 logs read, 0 imported, 0 rejected\n"
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
	spans := rcv.RequireSpans(9, 5*time.Second)
	if ok, failed := rcv.Requests(); ok != 3+2+2 || failed != 0 {
		t.Errorf("%d requests accepted, %d failed; want 7 (batches of 2) and 0", ok, failed)
	}
	var read sightlinetest.Span
	for _, s := range spans {
		if s.Name() == "read" {
			read = s
		}
	}
	v, _ := read.Attributes().Get("det.value")
	svc, _ := read.Resource.Attributes().Get("service.name")
	if v.Type() != pcommon.ValueTypeDouble || !math.IsNaN(v.Double()) || svc.Str() != "bluesky" ||
		read.Scope.Name() != importer.ScopeName || read.Kind() != ptrace.SpanKindInternal || read.TraceState().AsRaw() != "bluesky=run-42,beamline=8id" {
		t.Errorf("span read: det.value %v, service %q, scope %q, kind %v", v.AsRaw(), svc.Str(), read.Scope.Name(), read.Kind())
	}
	if got := rcv.RequireLogs(4, 5*time.Second); got[0].Body().Str() != "motor moved to 12.5 mm" {
		t.Errorf("first log body %q", got[0].Body().Str())
	}
}

// TestImportRejections exits 1 and lists each rejected record by line.
func TestImportRejections(t *testing.T) {
	noLeaks(t)
	rcv := sightlinetest.NewReceiver(t)
	ray := fixture("ray_spans.jsonl")
	code, stdout, stderr := runImportCmd(t, ray, "--addr", rcv.HTTPEndpoint())
	if code != exitRefused || stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	want := []string{
		ray + ": console, 7 spans read, 5 imported, 2 rejected; 0 logs read, 0 imported, 0 rejected; 2 unreadable records rejected",
		ray + `:3: JSON syntax error at line 3: invalid character '\n' in string literal; skipped to line 4`,
		ray + `:5: span "bad id ray.remote": context.trace_id: "0x12": want 0x and 32 hex digits`,
		ray + `:6: JSON syntax error at line 7: invalid character '{' after object key:value pair; skipped to line 7`,
		ray + `:8: span "bad time ray.remote_worker": start_time: "2024-13-01T00:00:00.000000Z" is not an ISO 8601 time`,
	}
	if got := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, strings.Join(want, "\n"))
	}
	rcv.RequireSpans(5, 5*time.Second)
}

// TestImportJSON prints the reports as JSON, and reads flags from the
// environment and after "--".
func TestImportJSON(t *testing.T) {
	noLeaks(t)
	rcv := sightlinetest.NewReceiver(t)
	t.Setenv("SIGHTLINE_IMPORT_ADDR", strings.TrimPrefix(rcv.HTTPEndpoint(), "http://"))
	code, stdout, stderr := runImportCmd(t, "--json", "--format", "console", "--", fixture("mixed.json"), fixture("ray_spans.jsonl"))
	if code != exitRefused || stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var got []importResult
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v in\n%s", err, stdout)
	}
	if len(got) != 2 || got[0].SpansImported != 2 || got[0].LogsImported != 2 || got[1].RejectedCount != 4 ||
		got[1].Rejected[0].Line != 3 || got[1].Format != "console" || got[1].Error != "" {
		t.Errorf("reports %+v", got)
	}
	rcv.RequireSpans(7, 5*time.Second)
}

// TestImportStdin reads "-".
func TestImportStdin(t *testing.T) {
	noLeaks(t)
	rcv := sightlinetest.NewReceiver(t)
	data, err := os.ReadFile(fixture("otlp_logs.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = w.Write(data); _ = w.Close() }()
	old := os.Stdin
	os.Stdin = r
	t.Cleanup(func() { os.Stdin = old; _ = r.Close() })
	code, stdout, _ := runImportCmd(t, "--addr", rcv.HTTPEndpoint(), "-")
	if code != exitOK || stdout != "-: otlp, 0 spans read, 0 imported, 0 rejected; 3 logs read, 3 imported, 0 rejected\n" {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
	rcv.RequireLogs(3, 5*time.Second)
}

// TestImportUsage exits 2 for command-line mistakes and unreadable files,
// before sending anything.
func TestImportUsage(t *testing.T) {
	blue := fixture("bluesky_run.json")
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no files", nil, exitUsage, "no files to import"},
		{"missing file", []string{blue, "no-such-file.json"}, exitUsage, "open no-such-file.json: no such file or directory"},
		{"directory", []string{os.TempDir()}, exitUsage, os.TempDir() + " is a directory"},
		{"format", []string{"--format", "yaml", blue}, exitUsage, `--format: unknown format "yaml"`},
		{"batch", []string{"--batch", "0", blue}, exitUsage, "--batch 0: want at least 1"},
		{"unknown flag", []string{"--bogus", blue}, exitUsage, "flag provided but not defined: -bogus"},
		{"bad addr", []string{"--addr", "ftp://x", blue}, exitUsage, "--addr: otlphttp: base URL"},
		{"help", []string{"-h"}, exitOK, "usage: sightline import"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runImportCmd(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit %d and %q", code, stdout, stderr, tt.code, tt.inStderr)
			}
		})
	}
}

// TestImportUnreachable exits 1 and says the collector could not be
// reached.
func TestImportUnreachable(t *testing.T) {
	noLeaks(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + l.Addr().String()
	_ = l.Close()
	blue := fixture("bluesky_run.json")
	code, stdout, stderr := runImportCmd(t, "--addr", addr, blue, fixture("mixed.json"))
	if code != exitRefused {
		t.Errorf("exit %d", code)
	}
	if want := "sightline import: " + blue + ": cannot reach the collector at " + addr + " (is it running? set --addr or SIGHTLINE_IMPORT_ADDR)"; !strings.HasPrefix(stderr, want) {
		t.Errorf("stderr %q, want prefix %q", stderr, want)
	}
	// The first file's report says nothing was imported; the second is
	// not tried.
	if !strings.HasPrefix(stdout, blue+": console, 5 spans read, 0 imported, 5 rejected") || strings.Contains(stdout, "mixed.json") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

// TestImportRefused exits 1 when the collector answers with an error.
func TestImportRefused(t *testing.T) {
	noLeaks(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "storage full", http.StatusInsufficientStorage)
	}))
	t.Cleanup(srv.Close)
	code, _, stderr := runImportCmd(t, "--addr", srv.URL, fixture("mixed.json"))
	want := fmt.Sprintf("the collector at %s refused the data: otlphttp: POST %s/v1/traces: 507 Insufficient Storage: storage full; stopped", srv.URL, srv.URL)
	if code != exitRefused || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q, want %q", code, stderr, want)
	}
}

// TestImportInterrupted exits 1 when the context ends (Ctrl-C).
func TestImportInterrupted(t *testing.T) {
	noLeaks(t)
	rcv := sightlinetest.NewReceiver(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var out, errOut bytes.Buffer
	code := dispatch(ctx, []string{"import", "--addr", rcv.HTTPEndpoint(), fixture("mixed.json")}, &out, &errOut)
	if code != exitRefused || !strings.Contains(errOut.String(), "mixed.json: interrupted") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
}

// TestProgressBar draws at most ten times a second and erases itself.
func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	spans := 0
	now := time.Unix(0, 0)
	p := &progressBar{w: &buf, name: "run.json", size: 4 << 20, spans: &spans, now: func() time.Time { return now }}
	for i := range 100 { // 100 updates over a second
		spans = i * 10
		p.update(int64(i) << 15)
		now = now.Add(10 * time.Millisecond)
	}
	draws := strings.Count(buf.String(), "\r\x1b[K")
	if draws < 9 || draws > 11 {
		t.Errorf("%d redraws in a second", draws)
	}
	spans = 300
	// Sizes in binary units, as internal/bytesize writes them (the bar
	// used to call KiB "kB").
	want := "run.json [=======>                      ]  23%  960 KiB / 4 MiB  300 spans"
	if got := p.line(30 << 15); got != want {
		t.Errorf("line %q\nwant %q", got, want)
	}
	p.size = 0
	if got := p.line(5 << 30); got != "run.json  5 GiB  300 spans" {
		t.Errorf("line without size %q", got)
	}
	buf.Reset()
	p.finish()
	if buf.String() != "\r\x1b[K" {
		t.Errorf("finish wrote %q", buf.String())
	}
	// Not a terminal: no bar.
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if newProgressBar(f, "x", 1, &spans) != nil || newProgressBar(&buf, "x", 1, &spans) != nil {
		t.Error("a progress bar for a file or a buffer")
	}
	var nilBar *progressBar
	nilBar.update(1)
	nilBar.finish()
}
