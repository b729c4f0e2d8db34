package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestDemoOnce runs `sightline demo --once` in process: collector, store
// and viewer start, the simulated experiment's telemetry goes over OTLP to
// them, and it exits 0 only when every expected trace is stored.
func TestDemoOnce(t *testing.T) {
	var out, errOut bytes.Buffer
	code := dispatch(context.Background(), []string{"demo", "--once", "--ui", "127.0.0.1:0", "--speedup", "200"}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("demo --once exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	text := out.String()
	links := regexp.MustCompile(`http://127\.0\.0\.1:\d+/trace/[0-9a-f]{32}`).FindAllString(text, -1)
	if len(links) != 4 {
		t.Errorf("printed %d trace links, want 4:\n%s", len(links), text)
	}
	for _, want := range []string{"every expected trace is stored", "fails on purpose", "exit_status: fail", "viewer: http://127.0.0.1:"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
}

func TestDemoUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := dispatch(context.Background(), []string{"demo", "--speedup", "0"}, &out, &errOut); code != exitUsage {
		t.Errorf("bad --speedup: exit %d, want %d", code, exitUsage)
	}
	if code := dispatch(context.Background(), []string{"demo", "extra"}, &out, &errOut); code != exitUsage {
		t.Errorf("extra argument: exit %d, want %d", code, exitUsage)
	}
}
