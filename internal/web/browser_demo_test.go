package web

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/demo"
	"github.com/sightline-dev/sightline/sightlinetest"
)

// TestBrowserDemoTrace runs the demo itself (its device server and task
// worker in this process), stores what it sent, and opens the 1-D scan's
// trace in the viewer: it starts at the operator's POST, runs through the
// scan API, the plan engine, the device server's spans and the peak-fit
// task, and the page shows it without a script error. UPDATE_SCREENSHOT=1
// also writes docs/screenshot-demo.png.
func TestBrowserDemoTrace(t *testing.T) {
	btNeedChromium(t)
	recv := sightlinetest.NewReceiver(t)
	exps, err := demo.Run(context.Background(), demo.Config{OTLPEndpoint: recv.HTTPEndpoint(), Speedup: 200})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(exps, func(e demo.Experiment) bool { return strings.HasPrefix(e.Name, "scan motor1") })
	scanID := exps[i].TraceID
	td := ptrace.NewTraces()
	names := map[string]bool{}
	for _, s := range recv.Spans() {
		rs := td.ResourceSpans().AppendEmpty()
		s.Resource.CopyTo(rs.Resource())
		ss := rs.ScopeSpans().AppendEmpty()
		s.Scope.CopyTo(ss.Scope())
		s.CopyTo(ss.Spans().AppendEmpty())
		if s.TraceID().String() == scanID {
			names[s.Name()] = true
		}
	}
	for _, want := range []string{"POST", "POST /scans", "scan motor1 -3..3", "run scan", "bl12/motor/1.Set",
		"SimMotor.Set", "bl12/det/1.Trigger", "fit_peak task.submit", "fit_peak task.run"} {
		if !names[want] {
			t.Errorf("the scan's trace has no span %q", want)
		}
	}
	srv := btStartServer(t, &btTrace{td: td, ld: plog.NewLogs()})
	b := btStartBrowser(t, 2*time.Minute)
	b.navigate(srv.url + "/trace/" + scanID)
	b.wait("the first waterfall row", btFirstRow, 30*time.Second)
	b.wait("all spans", btAllLoaded, 30*time.Second)
	rows := b.rows()
	if len(rows) < 3 || rows[0].Name != "POST" || rows[1].Name != "POST /scans" || rows[2].Name != "scan motor1 -3..3" {
		t.Fatalf("first rows %+v; want POST > POST /scans > scan motor1 -3..3", rows[:min(3, len(rows))])
	}
	if rows[0].Svc != demo.OperatorService || rows[1].Svc != demo.ServiceName {
		t.Errorf("services of the first rows: %q, %q", rows[0].Svc, rows[1].Svc)
	}
	b.checkClean()
	if os.Getenv("UPDATE_SCREENSHOT") == "1" {
		png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		doc := filepath.Join("..", "..", "docs", "screenshot-demo.png")
		if err := os.WriteFile(doc, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", doc)
	}
}
