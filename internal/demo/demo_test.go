package demo_test

import (
	"context"
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
	for _, s := range spans {
		id := s.TraceID().String()
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
		// Every trace runs through the plan engine and the device server.
		for _, svc := range []string{demo.ServiceName, "SimMotor", "SimDetector"} {
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
	if !strings.Contains(out.String(), "det1") {
		t.Errorf("no live table printed:\n%s", out.String())
	}
	if logs := rcv.WaitForLogs(4, 10*time.Second); len(logs) < 4 {
		t.Errorf("%d logs, want one per experiment", len(logs))
	}
}
