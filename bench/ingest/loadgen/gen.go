package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// services are the generated services, each with the span names it uses
// (the shape of bench/store's load).
var services = []struct {
	name  string
	spans []string
}{
	{"frontend", []string{"GET /api/v1/orders/{id}", "render order", "call orders"}},
	{"orders", []string{"GET /orders/{id}", "SELECT orders", "SELECT order_items", "call pricing"}},
	{"pricing", []string{"POST /price", "SELECT prices", "compute discount"}},
}

// generator makes requests of traces of perTrace spans with fresh ids,
// reusing one pdata request: only ids, times, status and the attributes
// that vary are set again, so a sender spends little CPU per request.
type generator struct {
	td       ptrace.Traces
	spans    []ptrace.Span // in trace order: span i is position i%perTrace of trace i/perTrace
	perTrace int
	rng      *rand.Rand
	sender   uint64
}

// newGenerator builds the request template: traces×perTrace spans, a root
// in frontend and the others spread over the three services, each with 8
// attributes of mixed types (strings, ints, a bool, a double).
func newGenerator(sender uint64, traces, perTrace int) *generator {
	g := &generator{td: ptrace.NewTraces(), perTrace: perTrace, rng: rand.New(rand.NewPCG(sender, 42)), sender: sender}
	var scopes []ptrace.SpanSlice
	for _, svc := range services {
		rs := g.td.ResourceSpans().AppendEmpty()
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
	for range traces {
		for i := range perTrace {
			svc := 0
			if i > 0 {
				svc = 1 + i%2
				if i%5 == 0 {
					svc = 0
				}
			}
			sp := scopes[svc].AppendEmpty()
			sp.SetName(services[svc].spans[i%len(services[svc].spans)])
			sp.SetKind(ptrace.SpanKindServer)
			a := sp.Attributes()
			a.PutStr("http.request.method", "GET")
			a.PutStr("http.route", "/api/v1/orders/{id}")
			a.PutInt("http.response.status_code", 200)
			a.PutStr("server.address", "orders.example.internal")
			a.PutStr("user.id", "user-000000")
			a.PutInt("db.rows", 0)
			a.PutBool("cache.hit", false)
			a.PutDouble("order.total", 0)
			g.spans = append(g.spans, sp)
		}
	}
	// g.spans is in resource order; put it in trace order.
	ordered := make([]ptrace.Span, 0, len(g.spans))
	counts := make([]int, len(services))
	for range traces {
		for i := range perTrace {
			svc := 0
			if i > 0 {
				svc = 1 + i%2
				if i%5 == 0 {
					svc = 0
				}
			}
			ordered = append(ordered, scopes[svc].At(counts[svc]))
			counts[svc]++
		}
	}
	g.spans = ordered
	return g
}

// next fills the template as request seq of this sender, its traces
// starting at start, and returns it (valid until the next call).
func (g *generator) next(seq uint64, start time.Time) ptrace.Traces {
	r := g.rng
	var root pcommon.SpanID
	for i, sp := range g.spans {
		t, pos := i/g.perTrace, i%g.perTrace
		tid := traceID(g.sender, seq, uint64(t))
		sid := spanID(g.sender, seq, uint64(i))
		sp.SetTraceID(tid)
		sp.SetSpanID(sid)
		if pos == 0 {
			root = sid
			sp.SetParentSpanID(pcommon.SpanID{})
		} else {
			sp.SetParentSpanID(root)
		}
		st := start.Add(time.Duration(t)*time.Millisecond + time.Duration(pos)*150*time.Microsecond)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(st))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(st.Add(time.Duration(200+r.IntN(5000)) * time.Microsecond)))
		if r.IntN(50) == 0 {
			sp.Status().SetCode(ptrace.StatusCodeError)
		} else {
			sp.Status().SetCode(ptrace.StatusCodeUnset)
		}
		a := sp.Attributes()
		a.PutStr("http.request.method", []string{"GET", "POST"}[r.IntN(2)])
		a.PutInt("http.response.status_code", []int64{200, 200, 200, 404, 500}[r.IntN(5)])
		a.PutStr("user.id", fmt.Sprintf("user-%06d", r.IntN(1000000)))
		a.PutInt("db.rows", int64(r.IntN(500)))
		a.PutBool("cache.hit", r.IntN(2) == 0)
		a.PutDouble("order.total", float64(r.IntN(100000))/100)
	}
	return g.td
}

// bigTrace returns, chunk by chunk, a trace of n spans (a tree of fan-out
// 10 under one root in frontend) with trace id tid, starting at start.
func bigTrace(tid pcommon.TraceID, n, chunk int, start time.Time, yield func(ptrace.Traces) error) error {
	sid := func(i int) pcommon.SpanID {
		var id pcommon.SpanID
		binary.BigEndian.PutUint64(id[:], uint64(i+1)*0x9e3779b97f4a7c15)
		return id
	}
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for first := 0; first < n; first += chunk {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "bigtrace")
		spans := rs.ScopeSpans().AppendEmpty().Spans()
		for i := first; i < min(first+chunk, n); i++ {
			sp := spans.AppendEmpty()
			sp.SetTraceID(tid)
			sp.SetSpanID(sid(i))
			if i > 0 {
				sp.SetParentSpanID(sid((i - 1) / 10))
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

// traceID and spanID are distinct for every (sender, request, index).
func traceID(sender, seq, t uint64) pcommon.TraceID {
	var id pcommon.TraceID
	binary.BigEndian.PutUint64(id[:8], (sender+1)<<56|seq)
	binary.BigEndian.PutUint64(id[8:], (t+1)*0xbf58476d1ce4e5b9)
	return id
}

func spanID(sender, seq, i uint64) pcommon.SpanID {
	var id pcommon.SpanID
	binary.BigEndian.PutUint64(id[:], ((sender+1)<<56|seq<<16|i)*0x9e3779b97f4a7c15)
	return id
}
