package main

import (
	"context"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/sightlinetest"
)

// TestScan runs the example as a user would, with the environment pointing
// telemetry at memory, and checks the table and the trace.
func TestScan(t *testing.T) {
	rec := sightlinetest.NewRecorder(t)
	t.Setenv("SIGHTLINE_TELEMETRY_ENABLE", "on")
	t.Setenv("SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "memory")
	t.Setenv("SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", rec.Endpoint().URL)
	t.Setenv("SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS", "none")
	var out strings.Builder
	if err := run(context.Background(), &out, flags{start: -1, stop: 1, points: 5, speedup: 1000}); err != nil {
		t.Fatal(err)
	}
	table := out.String()
	for _, want := range []string{"motor1", "det1"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks column %s:\n%s", want, table)
		}
	}
	if rows := strings.Count(table, "\n"); rows < 5 {
		t.Errorf("table has %d lines, want a row per point:\n%s", rows, table)
	}
	rec.RequireParent("run scan", "scan motor1")
	rec.RequireParent("set", "run scan")
	rec.RequireParent("MoveStatus motor1", "set")
	rec.RequireParent("DeviceStatus det1", "trigger")
	rec.RequireStatus("run scan", 0)
	rec.RequireAttribute("run scan", "exit_status", "success")
	if n := len(spansNamed(rec, "MoveStatus motor1")); n != 5 {
		t.Errorf("%d MoveStatus spans, want one per point (5)", n)
	}
}

func spansNamed(rec *sightlinetest.Recorder, name string) []string {
	var out []string
	for _, n := range rec.SpanNames() {
		if n == name {
			out = append(out, n)
		}
	}
	return out
}
