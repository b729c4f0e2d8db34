package sampling_test

import (
	"fmt"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/sampling"
)

// Keep every trace with an error, and one trace in ten of the rest, the
// same ones on every host.
func Example() {
	cfg, err := sampling.Parse([]byte(`{"decision_wait": "5s", "policies": [
		{"name": "errors", "type": "error"},
		{"name": "rest", "type": "probabilistic", "percentage": 10}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	d, _ := sampling.New(cfg)
	b := sampling.NewBuffer(d, 0)
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for i, failed := range []bool{true, false} {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "engine")
		sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetTraceID(pcommon.TraceID{15: byte(i + 1)}) // low randomness: outside the 10%
		sp.SetSpanID(pcommon.SpanID{1})
		if failed {
			sp.Status().SetCode(ptrace.StatusCodeError)
		}
		b.Add(td, now)
	}
	for _, r := range b.Decide(now.Add(5 * time.Second)) {
		fmt.Printf("trace %v: keep %v (%s)\n", r.ID, r.Keep, r.Policy)
	}
	// Output:
	// trace 00000000000000000000000000000001: keep true (errors)
	// trace 00000000000000000000000000000002: keep false (rest)
}
