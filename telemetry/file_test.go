package telemetry_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// TestFileEndpoint: the file exporter writes OTLP-JSON lines to a path with
// {pid} replaced, readable by the collector's own decoder.
func TestFileEndpoint(t *testing.T) {
	dir := t.TempDir()
	pattern := filepath.Join(dir, "spans-{pid}.jsonl")
	c, err := telemetry.Setup(context.Background(), env("SIGHTLINE_TELEMETRY_ENABLE", "on",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "file", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", pattern,
		"SIGHTLINE_TELEMETRY_TYPES", "tracing"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, p := c.Tracer("t").Start(context.Background(), "parent")
	_, ch := c.Tracer("t").Start(ctx, "child")
	ch.End()
	p.End()
	if err := c.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	path := strings.ReplaceAll(pattern, "{pid}", fmt.Sprint(os.Getpid()))
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("file endpoint wrote no %s: %v", path, err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(sc.Bytes())
		if err != nil {
			t.Fatalf("line is not OTLP-JSON: %v", err)
		}
		for i := range td.ResourceSpans().Len() {
			ss := td.ResourceSpans().At(i).ScopeSpans()
			for j := range ss.Len() {
				for k := range ss.At(j).Spans().Len() {
					names = append(names, ss.At(j).Spans().At(k).Name())
				}
			}
		}
	}
	if strings.Join(names, ",") != "child,parent" {
		t.Errorf("file holds %v", names)
	}
}

// TestEndpointThatCannotBeBuilt: a file endpoint in a missing directory is a
// reported problem (in Status, the component is usable); the other endpoints
// run. When no endpoint can be built, nothing is recorded, and Enable tries
// again.
func TestEndpointThatCannotBeBuilt(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "missing", "x.jsonl")
	mem := memName(t, "ok")
	c, err := telemetry.Setup(context.Background(), env("SIGHTLINE_TELEMETRY_ENABLE", "on",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "file,memory", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", bad+","+mem,
		"SIGHTLINE_TELEMETRY_TYPES", "tracing"))
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	defer c.Shutdown(context.Background())
	if ps := c.Control().Status().Problems; len(ps) != 1 || !strings.Contains(ps[0].Error(), bad) {
		t.Fatalf("Status().Problems = %v, want a problem naming %s", ps, bad)
	}
	_, s := c.Tracer("t").Start(context.Background(), "x")
	s.End()
	if n := len(sightlinetest.MemoryEndpoint(mem).Spans()); n != 1 {
		t.Errorf("the good endpoint got %d spans, want 1", n)
	}
	strict, err := telemetry.Setup(context.Background(), telemetry.WithStrict(), env("SIGHTLINE_TELEMETRY_ENABLE", "on",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "file,memory", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", bad+","+mem))
	if strict != nil || err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("strict Setup = %v, %v; want no component and an error naming %s", strict, err, bad)
	}

	only, err := telemetry.Setup(context.Background(), env("SIGHTLINE_TELEMETRY_ENABLE", "on",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "file", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", bad,
		"SIGHTLINE_TELEMETRY_TYPES", "tracing"))
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	defer only.Shutdown(context.Background())
	if len(only.Control().Status().Problems) == 0 {
		t.Fatal("no problem reported for an unbuildable endpoint")
	}
	if _, s := only.Tracer("t").Start(context.Background(), "x"); s.IsRecording() {
		t.Error("spans recorded with no endpoint to export them")
	}
	if err := os.MkdirAll(filepath.Dir(bad), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := only.Control().Enable(context.Background()); err != nil {
		t.Fatalf("Enable after the directory exists: %v", err)
	}
	if _, s := only.Tracer("t").Start(context.Background(), "x"); !s.IsRecording() {
		t.Error("Enable did not build the endpoint once it could")
	}
}
