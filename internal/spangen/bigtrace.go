package spangen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// BigTrace hands yield, chunk spans at a time (chunk at least 1), a trace
// of n spans with id tid starting at start: a tree of fan-out 10 under one
// root, in service "bigtrace", span i numbered [SpanID](i), each with 4
// attributes (step, motor, position, ok) and starting 10 µs after the one
// before. It stops at yield's first error and returns it.
func BigTrace(tid pcommon.TraceID, n, chunk int, start time.Time, yield func(ptrace.Traces) error) error {
	chunk = max(chunk, 1)
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for first := 0; first < n; first += chunk {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "bigtrace")
		spans := rs.ScopeSpans().AppendEmpty().Spans()
		for i := first; i < min(first+chunk, n); i++ {
			sp := spans.AppendEmpty()
			sp.SetTraceID(tid)
			sp.SetSpanID(SpanID(uint64(i)))
			if i > 0 {
				sp.SetParentSpanID(SpanID(uint64((i - 1) / 10)))
			}
			sp.SetName(fmt.Sprintf("step %d", i%100))
			st := start.Add(time.Duration(i) * 10 * time.Microsecond)
			sp.SetStartTimestamp(pcommon.NewTimestampFromTime(st))
			sp.SetEndTimestamp(pcommon.NewTimestampFromTime(st.Add(time.Duration(10+r.IntN(1000)) * time.Microsecond)))
			a := sp.Attributes()
			a.PutInt("step", int64(i))
			a.PutStr("motor", fmt.Sprintf("m%d", i%8))
			a.PutDouble("position", float64(i)/7)
			a.PutBool("ok", r.IntN(10) != 0)
		}
		if err := yield(td); err != nil {
			return err
		}
	}
	return nil
}
