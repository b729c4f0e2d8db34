package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/admin"
)

// TestCtlInFlight drives `sightline ctl COMPONENT inflight ...` against an
// admin API in the test process: it shows the settings and counters,
// changes the mode, threshold and interval given (persisting nothing
// without --persist), refuses bad words and durations as usage errors
// (exit 2) before sending anything, and status shows the announcer's line.
func TestCtlInFlight(t *testing.T) {
	ctx := context.Background()
	comp, err := telemetry.Setup(ctx, telemetry.WithComponent("motor"), telemetry.WithEnv(func(k string) (string, bool) {
		v, ok := map[string]string{"SIGHTLINE_TELEMETRY_ENABLE": "on", "SIGHTLINE_TELEMETRY_TYPES": "tracing",
			"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": "console", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": "stderr"}[k]
		return v, ok
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer comp.Shutdown(ctx)
	const token = "ctl-inflight-test-token-0123456789"
	h, err := admin.NewHandler(admin.WithComponents(comp), admin.WithToken(token),
		admin.WithEnv(func(string) (string, bool) { return "", false }))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := runCtl(ctx, append([]string{"--addr", srv.URL, "--token", token}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}

	code, out, _ := run("motor", "inflight")
	if code != exitOK || !strings.Contains(out, "motor: in-flight auto, threshold 1s, interval 10s") ||
		!strings.Contains(out, "announcing to no endpoint") {
		t.Errorf("inflight: exit %d\n%s", code, out)
	}
	code, out, _ = run("--json", "motor", "inflight", "on", "threshold", "250ms", "interval", "2s")
	var v inflightView
	if err := json.Unmarshal([]byte(out), &v); code != exitOK || err != nil {
		t.Fatalf("inflight on ...: exit %d, %v\n%s", code, err, out)
	}
	want := telemetry.InFlightSettings{Mode: telemetry.InFlightOn, Threshold: 250 * time.Millisecond, Interval: 2 * time.Second}
	if v.InFlight.Settings != want || comp.Control().InFlight() != want {
		t.Errorf("after the change: printed %+v, component %+v; want %+v", v.InFlight.Settings, comp.Control().InFlight(), want)
	}
	if len(v.InFlight.Endpoints) != 1 || v.InFlight.Endpoints[0].Endpoint.Exporter != telemetry.ExporterConsole {
		t.Errorf("with in-flight on, console is announced to: %+v", v.InFlight.Endpoints)
	}

	for _, bad := range [][]string{{"sometimes"}, {"on", "off"}, {"threshold"}, {"interval", "2h"}, {"threshold", "1ms"}} {
		code, _, errOut := run(append([]string{"motor", "inflight"}, bad...)...)
		if code != exitUsage || !strings.Contains(errOut, "inflight") {
			t.Errorf("inflight %v: exit %d, want %d with a message\n%s", bad, code, exitUsage, errOut)
		}
	}
	if comp.Control().InFlight() != want {
		t.Errorf("a refused command changed the settings to %+v", comp.Control().InFlight())
	}
	code, out, _ = run("motor", "status")
	if code != exitOK || !strings.Contains(out, "in-flight spans: watched 0, open 0") || !strings.Contains(out, "inflight_threshold") ||
		!strings.Contains(out, "logs (in-flight)") {
		t.Errorf("status lacks the in-flight line, settings or endpoint: exit %d\n%s", code, out)
	}
}
