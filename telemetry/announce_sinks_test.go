package telemetry

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/poll"
)

// TestAnnounceTarget: which tracing endpoints get announcements in each
// mode, and where they go.
func TestAnnounceTarget(t *testing.T) {
	for _, tc := range []struct {
		mode     InFlightMode
		ep       Endpoint
		want     Endpoint
		ok, fail bool
	}{
		{InFlightAuto, Endpoint{ExporterHTTP, "http://c:4318/v1/traces"}, Endpoint{ExporterHTTP, "http://c:4318/v1/logs"}, true, false},
		{"", Endpoint{ExporterHTTP, "https://c/otlp/v1/traces"}, Endpoint{ExporterHTTP, "https://c/otlp/v1/logs"}, true, false},
		{InFlightAuto, Endpoint{ExporterHTTP, "http://c:4318/ingest"}, Endpoint{}, false, true},
		{InFlightAuto, Endpoint{ExporterGRPC, "grpc://c:4317"}, Endpoint{ExporterGRPC, "grpc://c:4317"}, true, false},
		{InFlightAuto, Endpoint{testMem, "x"}, Endpoint{testMem, "x"}, true, false},
		{InFlightAuto, Endpoint{ExporterConsole, "stdout"}, Endpoint{}, false, false},
		{InFlightAuto, Endpoint{ExporterFile, "/tmp/x.jsonl"}, Endpoint{}, false, false},
		{InFlightOn, Endpoint{ExporterConsole, "stderr"}, Endpoint{ExporterConsole, "stderr"}, true, false},
		{InFlightOn, Endpoint{ExporterFile, "/tmp/x.jsonl"}, Endpoint{ExporterFile, "/tmp/x.jsonl"}, true, false},
		{InFlightOn, Endpoint{ExporterNone, ""}, Endpoint{}, false, false},
		{InFlightOff, Endpoint{ExporterGRPC, "grpc://c:4317"}, Endpoint{}, false, false},
	} {
		got, ok, err := announceTarget(tc.mode, tc.ep)
		if got != tc.want || ok != tc.ok || (err != nil) != tc.fail {
			t.Errorf("announceTarget(%q, %v) = %v, %v, %v; want %v, %v, error %v", tc.mode, tc.ep, got, ok, err, tc.want, tc.ok, tc.fail)
		}
	}
	c := inflightComponent(t, "inflight-target", "SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "http",
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", "http://127.0.0.1:1/ingest")
	defer c.Shutdown(context.Background())
	ps := c.Control().Status().Problems
	if len(ps) != 1 || ps[0].Setting != "inflight" || !strings.Contains(ps[0].Reason, "/v1/traces") {
		t.Errorf("an http endpoint without /v1/traces: problems %+v, want one naming it", ps)
	}
}

// TestInFlightToFile: with mode on, a file endpoint gets the announcement
// lines in its own file, each line whole, among the span lines.
func TestInFlightToFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spans.jsonl")
	c := inflightComponent(t, "unused", "SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "file",
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", path, "SIGHTLINE_TELEMETRY_INFLIGHT", "on",
		"SIGHTLINE_TELEMETRY_INFLIGHT_THRESHOLD", "10ms")
	defer c.Shutdown(context.Background())
	_, s := c.Tracer("t").Start(context.Background(), "long")
	poll.Until(t, 10*time.Second, "a heartbeat", func() bool { return c.Control().Status().InFlight.Heartbeats > 0 })
	s.End()
	if err := c.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var spans, heartbeats, stops int
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		switch line := sc.Text(); {
		case strings.HasPrefix(line, `{"resourceSpans"`):
			spans++
		case strings.HasPrefix(line, `{"resourceLogs"`):
			heartbeats += strings.Count(line, `"stringValue":"heartbeat"`)
			stops += strings.Count(line, `"stringValue":"stop"`)
		default:
			t.Errorf("a line neither spans nor announcements: %.80s", line)
		}
	}
	if spans != 1 || heartbeats == 0 || stops != 1 {
		t.Errorf("%d span lines, %d heartbeats and %d stops; want 1, some, 1", spans, heartbeats, stops)
	}
}
