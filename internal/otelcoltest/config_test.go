package otelcoltest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The ports and directory docs/scaling.md shows in place of a test's.
const (
	docGRPCAddr = "127.0.0.1:4317"
	docHTTPAddr = "127.0.0.1:4318"
	docDir      = "/tmp/otelcol-sightline-test"
)

// testedBlock returns the one fenced block of doc opened with
// ```yaml title="tested".
func testedBlock(t *testing.T, doc string) string {
	t.Helper()
	const open = "```yaml title=\"tested\"\n"
	if n := strings.Count(doc, open); n != 1 {
		t.Fatalf("docs/scaling.md has %d blocks opened with %q, want 1", n, strings.TrimSpace(open))
	}
	_, rest, _ := strings.Cut(doc, open)
	block, _, ok := strings.Cut(rest, "```\n")
	if !ok {
		t.Fatal("docs/scaling.md: the tested block is not closed")
	}
	return block
}

// TestScalingDocShowsTheConfig starts the collector, reads the
// configuration Start wrote for it, puts the documentation's ports and
// directory in place of the test's, and compares it with the tested
// configuration docs/scaling.md shows: the two must be the same.
func TestScalingDocShowsTheConfig(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "scaling.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := testedBlock(t, string(doc))

	c := Start(t)
	written, err := os.ReadFile(c.config)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.NewReplacer(
		c.files.grpcAddr, docGRPCAddr,
		c.files.httpAddr, docHTTPAddr,
		filepath.Dir(c.files.tracesPath), docDir,
	).Replace(string(written))
	if got != want {
		t.Errorf("docs/scaling.md's tested configuration differs from what otelcoltest starts the collector with.\n"+
			"docs/scaling.md:\n%s\notelcoltest (with the doc's ports and directory):\n%s", want, got)
	}
	// WithFailFirst adds its lines, and nothing else changes.
	withFail := configYAML(files{grpcAddr: docGRPCAddr, httpAddr: docHTTPAddr,
		tracesPath: docDir + "/traces.jsonl", logsPath: docDir + "/logs.jsonl", failFirst: 3})
	if strings.ReplaceAll(withFail, "    fail_first: 3\n", "") != want || strings.Count(withFail, "fail_first: 3") != 2 {
		t.Errorf("with WithFailFirst(3):\n%s", withFail)
	}
}
