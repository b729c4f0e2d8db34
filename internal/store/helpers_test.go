package store

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/spangen"
)

// openTest opens a store in a new temporary directory, closed at the end
// of the test.
func openTest(tb testing.TB, opts Options) *Store {
	tb.Helper()
	return openSeams(tb, opts, seams{})
}

// openSeams is openTest with the test's clock and hooks.
func openSeams(tb testing.TB, opts Options, sm seams) *Store {
	tb.Helper()
	s, err := open(context.Background(), tb.TempDir(), opts, sm)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(context.Background()); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// traceID and spanID make distinct ids from numbers (never all zero), as
// the generated load (loadTraces) numbers its traces and spans.
var traceID, spanID = spangen.TraceID, spangen.SpanID

// base is the time test data starts at.
var base = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func ts(t time.Time) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t) }

// loadTraces builds the benchmark's request (internal/spangen's shape):
// traces of spansPer spans, a root in frontend and the others spread over
// three services, 8 attributes each, trace ids from firstTrace on,
// starting at t0.
func loadTraces(r *rand.Rand, firstTrace uint64, traces, spansPer int, t0 time.Time) ptrace.Traces {
	return spangen.Traces(r, firstTrace, traces, spansPer, t0)
}

// relabel gives every span of td fresh trace and span ids (trace n of td
// gets id firstTrace+n), keeping parents, and moves its times by shift,
// so a request can be sent again as new data.
func relabel(td ptrace.Traces, firstTrace uint64, shift time.Duration) {
	traces := map[pcommon.TraceID]uint64{}
	spans := map[pcommon.SpanID]pcommon.SpanID{}
	forEachSpan(td, func(sp ptrace.Span) {
		n, ok := traces[sp.TraceID()]
		if !ok {
			n = firstTrace + uint64(len(traces))
			traces[sp.TraceID()] = n
		}
		sp.SetTraceID(traceID(n))
		sp.SetStartTimestamp(sp.StartTimestamp() + pcommon.Timestamp(shift))
		sp.SetEndTimestamp(sp.EndTimestamp() + pcommon.Timestamp(shift))
		id := spanID(firstTrace<<16 + uint64(len(spans)))
		spans[sp.SpanID()] = id
		sp.SetSpanID(id)
	})
	forEachSpan(td, func(sp ptrace.Span) {
		if p, ok := spans[sp.ParentSpanID()]; ok {
			sp.SetParentSpanID(p)
		}
	})
}

func forEachSpan(td ptrace.Traces, f func(ptrace.Span)) {
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j).Spans()
			for k := 0; k < ss.Len(); k++ {
				f(ss.At(k))
			}
		}
	}
}

func mustAppend(tb testing.TB, s *Store, td ptrace.Traces) AppendResult {
	tb.Helper()
	res, err := s.AppendTraces(context.Background(), td)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}
