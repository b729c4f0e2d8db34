package telemetry_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/telemetry"
)

func TestParseConsoleFileEndpoint(t *testing.T) {
	const allowed = "console:PATH (console JSON lines)"
	for _, tc := range []struct {
		url, want, err string
	}{
		{"console:/tmp/spans/{pid}.json", "console:/tmp/spans/{pid}.json", ""},
		{"Console: spans/{pid}.json", "console:spans/{pid}.json", ""},
		{"console:file:///tmp/spans/{pid}.json", "console:/tmp/spans/{pid}.json", ""},
		{"/tmp/spans/{pid}.jsonl", "/tmp/spans/{pid}.jsonl", ""}, // OTLP-JSON, as before
		{"console:", "", `file endpoint "console:": empty path`},
		{"console:/tmp/spans/{os.getpid()}.json", "", `placeholder other than {pid}`},
		{"console:/tmp/spans/{PID}.json", "", `placeholder other than {pid}`},
	} {
		ep, err := telemetry.ParseEndpoint(telemetry.SignalTraces, "file", tc.url)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), allowed) {
				t.Errorf("ParseEndpoint(file, %q) = %v, %v; want an error with %q and what is allowed", tc.url, ep, err, tc.err)
			}
			continue
		}
		if err != nil || ep != (telemetry.Endpoint{Exporter: "file", URL: tc.want}) {
			t.Errorf("ParseEndpoint(file, %q) = %v, %v; want file %s", tc.url, ep, err, tc.want)
		}
	}
	path, consoleJSON := telemetry.Endpoint{Exporter: "file", URL: "console:/x/{pid}.json"}.FilePath()
	if path != "/x/{pid}.json" || !consoleJSON {
		t.Errorf("FilePath = %q, %v", path, consoleJSON)
	}
}

// TestRaySpanFiles reproduces the tracing startup hook of Ray's tracing
// guide (doc/source/ray-observability/user-guides/ray-tracing.rst,
// https://docs.ray.io/en/latest/ray-observability/user-guides/ray-tracing.html):
//
//	os.makedirs("/tmp/spans", exist_ok=True)
//	trace.set_tracer_provider(TracerProvider())
//	trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(
//	    ConsoleSpanExporter(out=open(f"/tmp/spans/{os.getpid()}.json", "a"))))
//
// and its "Custom Traces" span "foo" in a task, and checks the file against
// what Ray's own hook and test read: one ConsoleSpanExporter object per line
// (python/ray/util/tracing/setup_local_tmp_tracing.py writes
// to_json(indent=None); python/ray/tests/test_tracing.py counts lines as
// spans), with the members of ReadableSpan.to_json in order.
func TestRaySpanFiles(t *testing.T) {
	spans := filepath.Join(t.TempDir(), "tmp", "spans") // made by the exporter, as by os.makedirs
	c, err := telemetry.Setup(context.Background(), env("SIGHTLINE_TELEMETRY_ENABLE", "on",
		"SIGHTLINE_TELEMETRY_TYPES", "tracing",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "file",
		"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", "console:"+filepath.Join(spans, "{pid}.json"),
		"SIGHTLINE_TELEMETRY_SPAN_PROCESSOR", "simple",
		"SIGHTLINE_TELEMETRY_SERVICE_NAME", "ray-worker"))
	if err != nil {
		t.Fatal(err)
	}
	tr := c.Tracer("ray-docs")
	ctx, task := tr.Start(context.Background(), "my_func ray.remote_worker")
	_, foo := tr.Start(ctx, "foo")
	foo.End()
	task.End()
	path := filepath.Join(spans, fmt.Sprintf("%d.json", os.Getpid()))
	// Simple processor: the spans are in the file as they end, before any
	// flush or shutdown (what a killed Ray worker leaves).
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no span file %s: %v", path, err)
	}
	if err := c.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%s holds %d lines, want one per span (2):\n%s", path, len(lines), data)
	}
	wantKeys := []string{"name", "context", "kind", "parent_id", "start_time", "end_time",
		"status", "attributes", "events", "links", "resource"}
	hexID := regexp.MustCompile(`^0x[0-9a-f]+$`)
	var got []map[string]any
	for i, line := range lines {
		if keys := topKeys(t, line); strings.Join(keys, ",") != strings.Join(wantKeys, ",") {
			t.Errorf("line %d members %v, want ReadableSpan.to_json's %v", i+1, keys, wantKeys)
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("line %d is not one JSON object: %v", i+1, err)
		}
		got = append(got, m)
	}
	fooSpan, taskSpan := got[0], got[1]
	fctx, tctx := fooSpan["context"].(map[string]any), taskSpan["context"].(map[string]any)
	if fooSpan["name"] != "foo" || taskSpan["name"] != "my_func ray.remote_worker" {
		t.Errorf("names %v, %v", fooSpan["name"], taskSpan["name"])
	}
	for _, id := range []any{fctx["trace_id"], fctx["span_id"], tctx["span_id"]} {
		if s, _ := id.(string); !hexID.MatchString(s) {
			t.Errorf("id %v, want 0x and lowercase hex", id)
		}
	}
	if len(fctx["trace_id"].(string)) != 34 || fctx["trace_id"] != tctx["trace_id"] || fctx["trace_state"] != "[]" {
		t.Errorf("contexts %v and %v: want one trace, 0x + 32 digits, trace_state []", fctx, tctx)
	}
	if fooSpan["parent_id"] != tctx["span_id"] || taskSpan["parent_id"] != nil {
		t.Errorf("parent_id %v (want the task's %v) and %v (want null)", fooSpan["parent_id"], tctx["span_id"], taskSpan["parent_id"])
	}
	if fooSpan["kind"] != "SpanKind.INTERNAL" {
		t.Errorf("kind %v", fooSpan["kind"])
	}
	res := taskSpan["resource"].(map[string]any)["attributes"].(map[string]any)
	if res["service.name"] != "ray-worker" || res["process.pid"] != float64(os.Getpid()) {
		t.Errorf("resource attributes %v", res)
	}

	if runtime.GOOS != "windows" {
		for p, want := range map[string]os.FileMode{path: 0o600, spans: 0o700} {
			if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
				t.Errorf("%s: mode %v, %v; want %v", p, fi.Mode().Perm(), err, want)
			}
		}
	}
}

// topKeys returns the members of a JSON object in file order.
func topKeys(t *testing.T, obj []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bufio.NewReader(bytes.NewReader(obj)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", obj)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
