package spangen

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Service is a generated service and the span names it uses.
type Service struct {
	// Name is the resource's service.name.
	Name string
	// Spans are the span names, used in turn.
	Spans []string
}

// Services are the services of every generated trace, the root's first.
var Services = []Service{
	{"frontend", []string{"GET /api/v1/orders/{id}", "render order", "call orders"}},
	{"orders", []string{"GET /orders/{id}", "SELECT orders", "SELECT order_items", "call pricing"}},
	{"pricing", []string{"POST /price", "SELECT prices", "compute discount"}},
}

// AttributesPerSpan is how many attributes each generated span has.
const AttributesPerSpan = 8

// Generator makes requests of traces with fresh ids and times from one
// pdata template, setting again only what changes (ids, times, status and
// the attributes that vary), so a load generator spends little CPU per
// request. It is not safe for concurrent use: give each sender its own.
type Generator struct {
	td       ptrace.Traces
	spans    []ptrace.Span // in trace order: span i is span i%perTrace of trace i/perTrace
	perTrace int
	rng      *rand.Rand
}

// New returns a generator of requests of traces traces of perTrace spans
// each (both at least 1), whose varying values come from r (which the
// generator then owns; nil seeds one from 1, 1).
func New(traces, perTrace int, r *rand.Rand) *Generator {
	traces, perTrace = max(traces, 1), max(perTrace, 1)
	if r == nil {
		r = rand.New(rand.NewPCG(1, 1))
	}
	g := &Generator{td: ptrace.NewTraces(), perTrace: perTrace, rng: r}
	scopes := make([]ptrace.SpanSlice, len(Services))
	for i, svc := range Services {
		rs := g.td.ResourceSpans().AppendEmpty()
		a := rs.Resource().Attributes()
		a.PutStr("service.name", svc.Name)
		a.PutStr("service.version", "1.4.2")
		a.PutStr("host.name", "node-7.example.internal")
		a.PutStr("telemetry.sdk.language", "go")
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp")
		ss.Scope().SetVersion("0.61.0")
		ss.Spans().EnsureCapacity(traces * perTrace)
		scopes[i] = ss.Spans()
	}
	g.spans = make([]ptrace.Span, 0, traces*perTrace)
	for range traces {
		for i := range perTrace {
			svc := serviceOf(i)
			sp := scopes[svc].AppendEmpty()
			sp.SetName(Services[svc].Spans[i%len(Services[svc].Spans)])
			sp.SetKind(ptrace.SpanKindServer)
			a := sp.Attributes()
			a.EnsureCapacity(AttributesPerSpan)
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
	return g
}

// serviceOf is the service of span i of a trace: the root in frontend,
// the others alternating orders and pricing, every fifth in frontend.
func serviceOf(i int) int {
	switch {
	case i == 0 || i%5 == 0:
		return 0
	default:
		return 1 + i%2
	}
}

// Next fills the template as traces firstTrace, firstTrace+1, ... starting
// at start (see the package documentation) and returns it. The request is
// valid until the next call, which reuses it: copy it (CopyTo) to keep it.
func (g *Generator) Next(firstTrace uint64, start time.Time) ptrace.Traces {
	r := g.rng
	var root pcommon.SpanID
	for i, sp := range g.spans {
		t, pos := uint64(i/g.perTrace), i%g.perTrace
		n := firstTrace + t
		sid := SpanID(n*uint64(g.perTrace) + uint64(pos))
		sp.SetTraceID(TraceID(n))
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

// Traces returns a new request of traces traces of perTrace spans, the
// first trace numbered firstTrace, starting at start, its varying values
// drawn from r: New and Next in one call, for a caller that keeps the
// request.
func Traces(r *rand.Rand, firstTrace uint64, traces, perTrace int, start time.Time) ptrace.Traces {
	return New(traces, perTrace, r).Next(firstTrace, start)
}

// TraceID is trace n's id: distinct for every n, never all zero.
func TraceID(n uint64) pcommon.TraceID {
	var id pcommon.TraceID
	binary.BigEndian.PutUint64(id[:8], n+1)
	binary.BigEndian.PutUint64(id[8:], (n+1)*0x9e3779b97f4a7c15)
	return id
}

// SpanID is span n's id: distinct for every n, and never all zero, below
// 2^64-1 (an odd multiplier permutes the numbers).
func SpanID(n uint64) pcommon.SpanID {
	var id pcommon.SpanID
	binary.BigEndian.PutUint64(id[:], (n+1)*0xbf58476d1ce4e5b9)
	return id
}
