package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/internal/store"
)

// TestImportIntoDataDir imports files straight into a data directory,
// then serves it; an import into a directory that a serve holds is
// refused, saying so.
func TestImportIntoDataDir(t *testing.T) {
	noLeaks(t)
	dir := t.TempDir()
	blue, otlpFile := fixture("bluesky_run.json"), fixture("otlp_traces.jsonl")
	code, stdout, stderr := runImportCmd(t, "--data", dir, blue, otlpFile)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	want := blue + ": console, 5 spans read, 5 imported, 0 rejected; 0 logs read, 0 imported, 0 rejected\n" +
		otlpFile + ": otlp, 4 spans read, 4 imported, 0 rejected; 0 logs read, 0 imported, 0 rejected\n"
	if stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", stdout, want)
	}

	cfg := servetest.Config(t)
	cfg.DataDir = dir
	cfg.RetentionAge = 0 // the fixtures are from 2024
	ts := servetest.Start(t, cfg)
	var stats struct{ Store store.Stats }
	servetest.GetJSON(t, ts.UI, "/api/stats", 200, &stats)
	if stats.Store.Spans != 9 {
		t.Errorf("store holds %d spans, want 9", stats.Store.Spans)
	}
	var svcs struct{ Services []string }
	servetest.GetJSON(t, ts.UI, "/api/v1/services", 200, &svcs)
	if !slices.Contains(svcs.Services, "bluesky") || !slices.Contains(svcs.Services, "frontend") {
		t.Errorf("services %q", svcs.Services)
	}
	var found store.TraceSearch
	servetest.GetJSON(t, ts.UI, "/api/v1/traces?service=bluesky", 200, &found)
	if len(found.Traces) != 1 || found.Traces[0].SpanCount != 5 || found.Traces[0].RootName != "run" {
		t.Errorf("bluesky traces %+v", found)
	}

	code, _, stderr = runImportCmd(t, "--data", dir, blue)
	if code != exitRefused || !strings.Contains(stderr, "a running sightline serve (or another import) holds it") ||
		!strings.Contains(stderr, "--addr") {
		t.Errorf("import into a served directory: exit %d, stderr:\n%s", code, stderr)
	}
	// Through the serve instead: the spans are already stored (kept once).
	code, _, stderr = runImportCmd(t, "--addr", "http://"+ts.HTTP, blue)
	if code != exitOK || stderr != "" {
		t.Errorf("import through serve: exit %d, stderr:\n%s", code, stderr)
	}
	servetest.GetJSON(t, ts.UI, "/api/stats", 200, &stats)
	if stats.Store.Spans != 9 {
		t.Errorf("after re-import, %d spans", stats.Store.Spans)
	}

	code, _, stderr = runImportCmd(t, "--data", dir, "--addr", "http://127.0.0.1:1", blue)
	if code != exitUsage || !strings.Contains(stderr, "--addr and --data") {
		t.Errorf("--addr and --data: exit %d, stderr:\n%s", code, stderr)
	}
}
