package store

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// searchTrace describes a trace of searchData: a root span and a child.
type searchTrace struct {
	root, child       string // "service/name"
	start             time.Time
	dur               time.Duration
	err               bool
	spanAttr, resAttr string // "key=value" on the child span, on the child's resource
	intStatus         int64  // http.status_code on the root, if not 0
	n                 uint64 // trace number
}

func (st searchTrace) add(td ptrace.Traces) {
	for i, what := range []string{st.root, st.child} {
		svc, name, _ := strings.Cut(what, "/")
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", svc)
		sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		sp.SetTraceID(traceID(st.n))
		sp.SetSpanID(spanID(st.n*2 + uint64(i)))
		sp.SetName(name)
		sp.SetStartTimestamp(ts(st.start.Add(time.Duration(i) * time.Millisecond)))
		sp.SetEndTimestamp(ts(st.start.Add(st.dur)))
		if i == 1 {
			sp.SetParentSpanID(spanID(st.n * 2))
			if k, v, ok := strings.Cut(st.spanAttr, "="); ok {
				sp.Attributes().PutStr(k, v)
			}
			if k, v, ok := strings.Cut(st.resAttr, "="); ok {
				rs.Resource().Attributes().PutStr(k, v)
			}
			if st.err {
				sp.Status().SetCode(ptrace.StatusCodeError)
			}
		} else if st.intStatus != 0 {
			sp.Attributes().PutInt("http.status_code", st.intStatus)
		}
	}
}

// searchData appends 30 traces, trace i starting i minutes after base
// (so newest first is descending i), and returns them.
func searchData(t *testing.T, s *Store) []searchTrace {
	var all []searchTrace
	td := ptrace.NewTraces()
	for i := range uint64(30) {
		st := searchTrace{
			n:     i,
			root:  []string{"web/GET /", "web/POST /buy", "api/GET /items"}[i%3],
			child: []string{"db/SELECT", "cache/GET", "db/INSERT", "queue/publish", "api/GET /items"}[i%5],
			start: base.Add(time.Duration(i) * time.Minute),
			dur:   time.Duration(i+1) * time.Millisecond,
			err:   i%7 == 3,
		}
		st.spanAttr = fmt.Sprintf("user.id=u%d", i%4)
		if i%6 == 0 {
			st.resAttr = "deployment=canary"
		}
		if i%10 == 5 {
			st.intStatus = 500
		}
		st.add(td)
		all = append(all, st)
	}
	// In two batches, to have both new and known traces' paths used.
	half := ptrace.NewTraces()
	td.CopyTo(half)
	half.ResourceSpans().RemoveIf(func(rs ptrace.ResourceSpans) bool {
		return rs.ScopeSpans().At(0).Spans().At(0).TraceID()[8]%2 == 0
	})
	mustAppend(t, s, half)
	mustAppend(t, s, td)
	return all
}

// ids returns the trace numbers (see traceID) of a search result.
func ids(t *testing.T, res TraceSearch) []uint64 {
	t.Helper()
	var out []uint64
	for _, tr := range res.Traces {
		b, err := hex.DecodeString(tr.TraceID)
		if err != nil || len(b) != 16 {
			t.Fatalf("trace id %q", tr.TraceID)
		}
		n := binary.BigEndian.Uint64(b) - 1
		if hexID(traceID(n)) != tr.TraceID {
			t.Fatalf("unknown trace %s", tr.TraceID)
		}
		out = append(out, n)
	}
	return out
}

// expect returns the numbers of all's traces for which keep is true,
// newest first.
func expect(all []searchTrace, keep func(searchTrace) bool) []uint64 {
	var out []uint64
	for i := len(all) - 1; i >= 0; i-- {
		if keep(all[i]) {
			out = append(out, all[i].n)
		}
	}
	return out
}

func has(st searchTrace, svc string) bool {
	return strings.HasPrefix(st.root, svc+"/") || strings.HasPrefix(st.child, svc+"/")
}

func TestSearchTraces(t *testing.T) {
	s := openTest(t, Options{})
	all := searchData(t, s)
	tests := []struct {
		name string
		q    TraceQuery
		want func(searchTrace) bool
	}{
		{"all", TraceQuery{Limit: 100}, func(searchTrace) bool { return true }},
		{"default limit", TraceQuery{}, func(st searchTrace) bool { return st.n >= 10 }},
		{"service", TraceQuery{Service: "db"}, func(st searchTrace) bool { return has(st, "db") }},
		{"service in root and child", TraceQuery{Service: "api"}, func(st searchTrace) bool { return has(st, "api") }},
		{"span name", TraceQuery{SpanName: "SELECT"}, func(st searchTrace) bool { return st.child == "db/SELECT" }},
		{"span name of two services", TraceQuery{SpanName: "GET /items"}, func(st searchTrace) bool {
			return st.root == "api/GET /items" || st.child == "api/GET /items"
		}},
		{"span name and service", TraceQuery{Service: "cache", SpanName: "GET"}, func(st searchTrace) bool { return st.child == "cache/GET" }},
		{"span name of another service", TraceQuery{Service: "web", SpanName: "SELECT"}, func(searchTrace) bool { return false }},
		{"span attribute", TraceQuery{Attributes: map[string]string{"user.id": "u1"}}, func(st searchTrace) bool { return st.n%4 == 1 }},
		{"resource attribute", TraceQuery{Attributes: map[string]string{"deployment": "canary"}}, func(st searchTrace) bool { return st.n%6 == 0 }},
		{"span and resource attributes", TraceQuery{Attributes: map[string]string{"deployment": "canary", "user.id": "u2"}},
			func(st searchTrace) bool { return st.n%6 == 0 && st.n%4 == 2 }},
		{"service.name as a resource attribute", TraceQuery{Attributes: map[string]string{"service.name": "queue"}},
			func(st searchTrace) bool { return has(st, "queue") }},
		{"int attribute by its string form", TraceQuery{Attributes: map[string]string{"http.status_code": "500"}},
			func(st searchTrace) bool { return st.intStatus == 500 }},
		{"attribute and service", TraceQuery{Service: "db", Attributes: map[string]string{"user.id": "u0"}},
			func(st searchTrace) bool { return has(st, "db") && st.n%4 == 0 }},
		{"min duration", TraceQuery{MinDuration: 20 * time.Millisecond}, func(st searchTrace) bool { return st.dur >= 20*time.Millisecond }},
		{"duration range", TraceQuery{MinDuration: 5 * time.Millisecond, MaxDuration: 8 * time.Millisecond},
			func(st searchTrace) bool { return st.dur >= 5*time.Millisecond && st.dur <= 8*time.Millisecond }},
		{"errors only", TraceQuery{ErrorsOnly: true}, func(st searchTrace) bool { return st.err }},
		{"errors of a service", TraceQuery{ErrorsOnly: true, Service: "web"}, func(st searchTrace) bool { return st.err && has(st, "web") }},
		{"time range", TraceQuery{Start: base.Add(5 * time.Minute), End: base.Add(9 * time.Minute)},
			func(st searchTrace) bool { return st.n >= 5 && st.n < 9 }},
		{"time range and service", TraceQuery{Service: "web", Start: base.Add(5 * time.Minute), End: base.Add(9 * time.Minute)},
			func(st searchTrace) bool { return st.n >= 5 && st.n < 9 && has(st, "web") }},
		{"start only", TraceQuery{Start: base.Add(25 * time.Minute)}, func(st searchTrace) bool { return st.n >= 25 }},
		{"unknown service", TraceQuery{Service: "nope"}, func(searchTrace) bool { return false }},
		{"unknown span name", TraceQuery{SpanName: "nope"}, func(searchTrace) bool { return false }},
		{"unknown attribute", TraceQuery{Attributes: map[string]string{"nope": "x"}}, func(searchTrace) bool { return false }},
		{"empty time range", TraceQuery{Start: base.Add(-time.Hour), End: base}, func(searchTrace) bool { return false }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.SearchTraces(context.Background(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			want := expect(all, tc.want)
			limit := cmpOr(tc.q.Limit, 20)
			if len(want) > limit {
				want = want[:limit]
			}
			if got := ids(t, res); !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if res.Traces == nil {
				t.Error("nil traces: JSON would be null")
			}
		})
	}
	res, err := s.SearchTraces(context.Background(), TraceQuery{Service: "cache", SpanName: "GET", Limit: 1})
	if err != nil || len(res.Traces) != 1 {
		t.Fatal(res, err)
	}
	want := all[26] // the newest with a cache/GET child (n%5 == 1), its root is api/GET /items
	got := res.Traces[0]
	if got.RootName != "GET /items" || got.RootService != "api" || !slices.Equal(got.Services, []string{"api", "cache"}) ||
		got.SpanCount != 2 || got.StartUnixNano != want.start.UnixNano() || got.DurationNano != int64(want.dur) || got.ErrorCount != 0 {
		t.Errorf("summary %+v", got)
	}
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func TestSearchPaging(t *testing.T) {
	s := openTest(t, Options{})
	all := searchData(t, s)
	for _, q := range []TraceQuery{
		{Limit: 7},
		{Limit: 1, Service: "db"},
		{Limit: 4, SpanName: "GET /items"},
		{Limit: 3, Attributes: map[string]string{"user.id": "u3"}},
		{Limit: 30},
	} {
		t.Run(fmt.Sprintf("%+v", q), func(t *testing.T) {
			var got []uint64
			for page := 0; ; page++ {
				res, err := s.SearchTraces(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Traces) > q.Limit {
					t.Fatalf("page of %d, limit %d", len(res.Traces), q.Limit)
				}
				got = append(got, ids(t, res)...)
				if res.Cursor == "" {
					break
				}
				if len(res.Traces) != q.Limit {
					t.Errorf("short page %d with a cursor", page)
				}
				q.Cursor = res.Cursor
			}
			q.Limit, q.Cursor = 0, ""
			want := expect(all, func(st searchTrace) bool {
				switch {
				case q.Service != "":
					return has(st, q.Service)
				case q.SpanName != "":
					return strings.HasSuffix(st.root, "/"+q.SpanName) || strings.HasSuffix(st.child, "/"+q.SpanName)
				case q.Attributes != nil:
					return st.n%4 == 3
				}
				return true
			})
			if !slices.Equal(got, want) {
				t.Errorf("pages gave %v, want %v", got, want)
			}
		})
	}
}

func TestServicesAndSpanNames(t *testing.T) {
	s := openTest(t, Options{})
	if svcs, err := s.Services(context.Background()); err != nil || svcs == nil || len(svcs) != 0 {
		t.Errorf("empty store: %v, %v", svcs, err)
	}
	searchData(t, s)
	svcs, err := s.Services(context.Background())
	if err != nil || !slices.Equal(svcs, []string{"api", "cache", "db", "queue", "web"}) {
		t.Errorf("services %v, %v", svcs, err)
	}
	for svc, want := range map[string][]string{
		"web": {"GET /", "POST /buy"}, "db": {"INSERT", "SELECT"}, "nope": {},
	} {
		if got, err := s.SpanNames(context.Background(), svc); err != nil || !slices.Equal(got, want) {
			t.Errorf("span names of %s: %v, %v", svc, got, err)
		}
	}
}

func TestTracePaging(t *testing.T) {
	s := openTest(t, Options{})
	const n = 25000
	r := rand.New(rand.NewPCG(5, 5))
	id := traceID(1)
	// Spans over three resources, many starting at the same time, sent
	// in five batches in random order.
	var batches [5]ptrace.Traces
	var scopes [5][3]ptrace.SpanSlice
	for b := range batches {
		batches[b] = ptrace.NewTraces()
		for res := range 3 {
			rs := batches[b].ResourceSpans().AppendEmpty()
			rs.Resource().Attributes().PutStr("service.name", fmt.Sprintf("svc%d", res))
			scopes[b][res] = rs.ScopeSpans().AppendEmpty().Spans()
		}
	}
	type key struct {
		start int64
		span  string
	}
	var want []key
	for i := range uint64(n) {
		sp := scopes[r.IntN(5)][r.IntN(3)].AppendEmpty()
		sp.SetTraceID(id)
		sp.SetSpanID(spanID(i))
		if i > 0 {
			sp.SetParentSpanID(spanID(0))
		}
		sp.SetName(fmt.Sprintf("op%d", i%50))
		start := base.Add(time.Duration(r.IntN(n/4)) * time.Microsecond)
		sp.SetStartTimestamp(ts(start))
		sp.SetEndTimestamp(ts(start.Add(time.Millisecond)))
		want = append(want, key{start.UnixNano(), sp.SpanID().String()})
	}
	for _, b := range batches {
		mustAppend(t, s, b)
	}
	slices.SortFunc(want, func(a, b key) int {
		if a.start != b.start {
			return int(a.start - b.start)
		}
		return strings.Compare(a.span, b.span)
	})
	var got []key
	page := Page{Limit: 1000}
	for pages := 0; ; pages++ {
		p, err := s.Trace(context.Background(), hexID(id), page)
		if err != nil {
			t.Fatal(err)
		}
		if p.Summary.SpanCount != n {
			t.Fatalf("summary span count %d", p.Summary.SpanCount)
		}
		used := map[int]bool{}
		for _, sp := range p.Spans {
			got = append(got, key{sp.StartUnixNano, sp.SpanID})
			used[sp.Resource] = true
		}
		if len(used) != len(p.Resources) {
			t.Errorf("page %d: %d resources for %d used", pages, len(p.Resources), len(used))
		}
		seen := map[string]bool{}
		for _, r := range p.Resources {
			name := fmt.Sprint(r.Attributes["service.name"])
			if seen[name] {
				t.Errorf("page %d: resource %s twice", pages, name)
			}
			seen[name] = true
		}
		if p.Cursor == "" {
			if pages != n/1000-1 {
				t.Errorf("%d pages", pages+1)
			}
			break
		}
		page.Cursor = p.Cursor
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages gave %d spans, want %d in start, span id order", len(got), len(want))
	}
	if _, err := s.Trace(context.Background(), hexID(traceID(2)), Page{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown trace: %v", err)
	}
	if _, err := s.TraceOTLP(context.Background(), hexID(traceID(2))); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown trace: %v", err)
	}
	// A cursor of one trace is refused for another.
	p, _ := s.Trace(context.Background(), hexID(id), Page{Limit: 1})
	mustAppend(t, s, loadTraces(r, 9, 1, 2, base))
	if _, err := s.Trace(context.Background(), hexID(traceID(9)), Page{Cursor: p.Cursor}); !errors.Is(err, ErrBadCursor) {
		t.Errorf("another trace's cursor: %v", err)
	}
}

// TestSearchNameOfTwoServices pages through traces matching a span name
// that two services use, each trace having both: one trace_names row per
// service, never a trace twice nor a page cut short.
func TestSearchNameOfTwoServices(t *testing.T) {
	s := openTest(t, Options{})
	td := ptrace.NewTraces()
	for i := range uint64(9) {
		st := searchTrace{n: i, root: "a/shared", child: "b/shared", start: base.Add(time.Duration(i) * time.Second), dur: time.Millisecond}
		st.add(td)
	}
	mustAppend(t, s, td)
	for _, limit := range []int{1, 2, 4, 9, 20} {
		q := TraceQuery{SpanName: "shared", Limit: limit}
		var got []uint64
		for {
			res, err := s.SearchTraces(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ids(t, res)...)
			if res.Cursor == "" {
				break
			}
			q.Cursor = res.Cursor
		}
		if want := []uint64{8, 7, 6, 5, 4, 3, 2, 1, 0}; !slices.Equal(got, want) {
			t.Errorf("limit %d: %v", limit, got)
		}
	}
}
