package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// openTest opens a store in a new temporary directory, closed at the end
// of the test.
func openTest(tb testing.TB, opts Options) *Store {
	tb.Helper()
	s, err := Open(context.Background(), tb.TempDir(), opts)
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

// traceID and spanID make distinct ids from numbers (never all zero).
func traceID(n uint64) pcommon.TraceID {
	var id pcommon.TraceID
	binary.BigEndian.PutUint64(id[:8], n+1)
	binary.BigEndian.PutUint64(id[8:], (n+1)*0x9e3779b97f4a7c15)
	return id
}

func spanID(n uint64) pcommon.SpanID {
	var id pcommon.SpanID
	binary.BigEndian.PutUint64(id[:], (n+1)*0xbf58476d1ce4e5b9|1)
	return id
}

// base is the time test data starts at.
var base = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func ts(t time.Time) pcommon.Timestamp { return pcommon.NewTimestampFromTime(t) }

// loadServices are the services of generated load, each with the span
// names it uses.
var loadServices = []struct {
	name  string
	spans []string
}{
	{"frontend", []string{"GET /api/v1/orders/{id}", "render order", "call orders"}},
	{"orders", []string{"GET /orders/{id}", "SELECT orders", "SELECT order_items", "call pricing"}},
	{"pricing", []string{"POST /price", "SELECT prices", "compute discount"}},
}

// loadTraces builds the benchmark's request: traces of spansPer spans
// (a root in frontend, the others spread over the three services, each
// with eight attributes), trace ids from firstTrace on, starting at t0.
func loadTraces(r *rand.Rand, firstTrace uint64, traces, spansPer int, t0 time.Time) ptrace.Traces {
	td := ptrace.NewTraces()
	var scopes []ptrace.SpanSlice
	for _, svc := range loadServices {
		rs := td.ResourceSpans().AppendEmpty()
		a := rs.Resource().Attributes()
		a.PutStr("service.name", svc.name)
		a.PutStr("service.version", "1.4.2")
		a.PutStr("host.name", "node-7.example.internal")
		a.PutStr("telemetry.sdk.language", "go")
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp")
		ss.Scope().SetVersion("0.61.0")
		scopes = append(scopes, ss.Spans())
	}
	for t := range traces {
		n := firstTrace + uint64(t)
		tid := traceID(n)
		start := t0.Add(time.Duration(t) * time.Millisecond)
		var root pcommon.SpanID
		for i := range spansPer {
			svc := 0
			if i > 0 {
				svc = 1 + i%2
				if i%5 == 0 {
					svc = 0
				}
			}
			sp := scopes[svc].AppendEmpty()
			sp.SetTraceID(tid)
			sid := spanID(n*uint64(spansPer) + uint64(i))
			sp.SetSpanID(sid)
			if i == 0 {
				root = sid
			} else {
				sp.SetParentSpanID(root)
			}
			names := loadServices[svc].spans
			sp.SetName(names[i%len(names)])
			sp.SetKind(ptrace.SpanKindServer)
			st := start.Add(time.Duration(i) * 150 * time.Microsecond)
			sp.SetStartTimestamp(ts(st))
			sp.SetEndTimestamp(ts(st.Add(time.Duration(200+r.IntN(5000)) * time.Microsecond)))
			a := sp.Attributes()
			a.PutStr("http.request.method", []string{"GET", "POST"}[r.IntN(2)])
			a.PutStr("http.route", "/api/v1/orders/{id}")
			a.PutInt("http.response.status_code", []int64{200, 200, 200, 404, 500}[r.IntN(5)])
			a.PutStr("server.address", "orders.example.internal")
			a.PutStr("user.id", fmt.Sprintf("user-%06d", r.IntN(1000000)))
			a.PutStr("db.system", "postgresql")
			a.PutInt("thread.id", int64(r.IntN(64)))
			a.PutBool("cache.hit", r.IntN(2) == 0)
			if r.IntN(50) == 0 {
				sp.Status().SetCode(ptrace.StatusCodeError)
			}
		}
	}
	return td
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
