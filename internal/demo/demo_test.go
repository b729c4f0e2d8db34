package demo_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/demo"
	"github.com/sightline-dev/sightline/sightlinetest"
)

// TestRun runs the demo against a real OTLP receiver and checks every
// experiment's trace arrived, the failing one with an error.
func TestRun(t *testing.T) {
	rcv := sightlinetest.NewReceiver(t)
	var out strings.Builder
	exps, err := demo.Run(context.Background(), demo.Config{OTLPEndpoint: rcv.HTTPEndpoint(), Speedup: 200, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if len(exps) != 4 {
		t.Fatalf("%d experiments, want 4", len(exps))
	}
	total := 0
	for _, e := range exps {
		total += e.Spans
	}
	spans := rcv.WaitForSpans(total, 20*time.Second)
	byTrace := map[string]int{}
	errorsIn := map[string]int{}
	services := map[string][]string{}
	names := map[string][]string{}
	roots := map[string][]string{}
	for _, s := range spans {
		id := s.TraceID().String()
		names[id] = append(names[id], s.Name())
		if s.ParentSpanID().IsEmpty() {
			roots[id] = append(roots[id], s.Name())
		}
		byTrace[id]++
		if s.Status().Code() == 2 { // error
			errorsIn[id]++
		}
		v, _ := s.Resource.Attributes().Get("service.name")
		services[id] = append(services[id], v.AsString())
	}
	for _, e := range exps {
		if byTrace[e.TraceID] < e.Spans {
			t.Errorf("%s: %d spans in trace %s, want at least %d", e.Name, byTrace[e.TraceID], e.TraceID, e.Spans)
		}
		// Every trace starts at the operator's POST to the scan API.
		if !slices.Equal(roots[e.TraceID], []string{"POST"}) || !slices.Contains(names[e.TraceID], "POST /scans") {
			t.Errorf("%s: roots %v; want one, the operator's POST, and the API's POST /scans", e.Name, roots[e.TraceID])
		}
		// The 1-D scan's peak fit is a task in the same trace.
		fit := slices.Contains(names[e.TraceID], "fit_peak task.submit") && slices.Contains(names[e.TraceID], "fit_peak task.run")
		if fit != (e.Name == "scan motor1 -3..3") {
			t.Errorf("%s: peak fit task spans present = %v", e.Name, fit)
		}
		// Every trace runs through the plan engine and the device server.
		for _, svc := range []string{demo.OperatorService, demo.ServiceName, "SimMotor", "SimDetector"} {
			if e.Name != "count det1" || svc != "SimMotor" {
				if !slices.Contains(services[e.TraceID], svc) {
					t.Errorf("%s: no span of service %s in its trace", e.Name, svc)
				}
			}
		}
		if e.Failed != (errorsIn[e.TraceID] > 0) {
			t.Errorf("%s: %d error spans, failed=%v", e.Name, errorsIn[e.TraceID], e.Failed)
		}
	}
	if !regexp.MustCompile(`peak of det1 along motor1 \(fit_peak task\): cen 0\.(4[5-9]|5[0-5])`).MatchString(out.String()) {
		t.Errorf("no peak fit printed (the simulated peak is at 0.5):\n%s", out.String())
	}
	if !strings.Contains(out.String(), "det1") {
		t.Errorf("no live table printed:\n%s", out.String())
	}
	if logs := rcv.WaitForLogs(4, 10*time.Second); len(logs) < 4 {
		t.Errorf("%d logs, want one per experiment", len(logs))
	}
}
