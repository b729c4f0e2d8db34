package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/traceql"
)

// qlTraces are traces 0..9: a root "scan" (resource host.name "node-N%2")
// with two children "move" (span.motor "m1" / "m2", span.pos N) and a
// grandchild "read" under the second; trace 7's read fails.
func qlTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	for n := range uint64(10) {
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "engine")
		rs.Resource().Attributes().PutStr("host.name", fmt.Sprintf("node-%d", n%2))
		ss := rs.ScopeSpans().AppendEmpty()
		t0 := base.Add(time.Duration(n) * time.Minute)
		add := func(i, parent uint64, name string, d time.Duration) ptrace.Span {
			sp := ss.Spans().AppendEmpty()
			sp.SetTraceID(traceID(n))
			sp.SetSpanID(spanID(n*10 + i))
			if i != 0 {
				sp.SetParentSpanID(spanID(n*10 + parent))
			}
			sp.SetName(name)
			sp.SetStartTimestamp(ts(t0.Add(time.Duration(i) * time.Millisecond)))
			sp.SetEndTimestamp(ts(t0.Add(time.Duration(i)*time.Millisecond + d)))
			return sp
		}
		add(0, 0, "scan", time.Second).SetKind(ptrace.SpanKindServer)
		for i, m := range []string{"m1", "m2"} {
			sp := add(uint64(1+i), 0, "move", time.Duration(n+1)*10*time.Millisecond)
			sp.Attributes().PutStr("motor", m)
			sp.Attributes().PutInt("pos", int64(n))
		}
		rd := add(3, 2, "read", time.Millisecond)
		if n == 7 {
			rd.Status().SetCode(ptrace.StatusCodeError)
			rd.Status().SetMessage("timeout")
		}
	}
	return td
}

func TestTraceQLSearch(t *testing.T) {
	s := openTest(t, Options{})
	mustAppend(t, s, qlTraces())
	ids := func(ns ...uint64) []string {
		var out []string
		for _, n := range ns {
			out = append(out, hexID(traceID(n)))
		}
		slices.Sort(out)
		return out
	}
	all := ids(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
	for _, c := range []struct {
		q    string
		want []string
	}{
		{`{}`, all},
		{`{ span.motor = "m2" }`, all},
		{`{ .pos = 3 }`, ids(3)},
		{`{ span.pos = 3.0 }`, ids(3)},
		{`{ span.pos > 7 }`, ids(8, 9)},
		{`{ resource.host.name = "node-1" && span.pos < 4 }`, ids(1, 3)},
		{`{ .host.name = "node-1" && .pos < 4 }`, ids(1, 3)},
		{`{ status = error }`, ids(7)},
		{`{ statusMessage =~ "time.*" }`, ids(7)},
		{`{ name = "read" && status = error }`, ids(7)},
		{`{ name = "move" && duration > 85ms }`, ids(8, 9)},
		{`{ kind = server }`, all},
		{`{ span.motor = "m2" } > { name = "read" }`, all},
		{`{ span.motor = "m1" } > { name = "read" }`, nil},
		{`{ name = "scan" } >> { name = "read" && status = error }`, ids(7)},
		{`{ span.pos = 2 } || { span.pos = 5 }`, ids(2, 5)},
		{`{ span.pos = 2 } && { span.pos = 5 }`, nil},
		{`{ span.motor =~ "m[0-9]" && span.pos >= 9 }`, ids(9)},
		{`{ span.nothing = "x" }`, nil},
		{`{ span.nothing != nil }`, nil},
		{`{ false }`, nil},
		{`{ rootName = "scan" && span.pos = 4 }`, ids(4)},
	} {
		e, err := traceql.Parse(c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		ql, err := traceql.Compile(e)
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		if got := searchIDs(t, s, TraceQuery{TraceQL: ql}); !slices.Equal(got, c.want) {
			t.Errorf("%s: found %v, want %v", c.q, got, c.want)
		}
	}
}

func TestTraceQLMatchedSpans(t *testing.T) {
	s := openTest(t, Options{})
	mustAppend(t, s, qlTraces())
	ql := mustCompile(t, `{ .motor != nil && .host.name = "node-0" }`)
	res, err := s.SearchTraces(context.Background(), TraceQuery{TraceQL: ql, SpansPerSet: 1, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Traces) != 1 || res.Traces[0].TraceID != hexID(traceID(8)) {
		t.Fatalf("traces %+v, want trace 8 only (the newest of node-0)", res.Traces)
	}
	tr := res.Traces[0]
	if tr.MatchedCount != 2 || len(tr.Matched) != 1 {
		t.Fatalf("matched %d spans, %d returned; want 2 and 1", tr.MatchedCount, len(tr.Matched))
	}
	m := tr.Matched[0]
	want := MatchedSpan{SpanID: hexID8(spanID(81)), Name: "move", Service: "engine",
		StartUnixNano: base.Add(8*time.Minute + time.Millisecond).UnixNano(), DurationNano: (90 * time.Millisecond).Nanoseconds()}
	if m.SpanID != want.SpanID || m.Name != want.Name || m.Service != want.Service || m.StartUnixNano != want.StartUnixNano || m.DurationNano != want.DurationNano {
		t.Errorf("matched span %+v, want %+v", m, want)
	}
	if m.Attributes["motor"] != "m1" || m.Attributes["host.name"] != "node-0" || len(m.Attributes) != 2 {
		t.Errorf("matched span attributes %v, want motor and host.name", m.Attributes)
	}
	if res.Cursor == "" {
		t.Error("no cursor: node-0 has 5 traces")
	}
}

func mustCompile(t *testing.T, q string) *traceql.Query {
	t.Helper()
	e, err := traceql.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	ql, err := traceql.Compile(e)
	if err != nil {
		t.Fatal(err)
	}
	return ql
}

func hexID8(id pcommon.SpanID) string { return fmt.Sprintf("%x", id[:]) }

// TestTraceQLInFlight finds a span still open (announced by heartbeats
// only) by its attribute through the index, with a duration up to when it
// was last heard; a finished span replaces it.
func TestTraceQLInFlight(t *testing.T) {
	f := newFlight(t, Options{})
	f.finish(1)
	f.heartbeat(2, 10*time.Second, 0, "motor", "m7")
	search := func(q string) []TraceSummary {
		t.Helper()
		res, err := f.s.SearchTraces(context.Background(), TraceQuery{TraceQL: mustCompile(t, q)})
		if err != nil {
			t.Fatal(err)
		}
		return res.Traces
	}
	got := search(`{ span.motor = "m7" && duration > 30m }`)
	if len(got) != 1 || len(got[0].Matched) != 1 || got[0].Matched[0].Name != "span-2" {
		t.Fatalf("open span not found: %+v", got)
	}
	// The clock is an hour after the span's start: it has run that long.
	if d := got[0].Matched[0].DurationNano; d < (59 * time.Minute).Nanoseconds() {
		t.Errorf("open span's duration %v, want about an hour (until last heard)", time.Duration(d))
	}
	if !got[0].InProgress {
		t.Error("the trace is not in progress")
	}
	mustAppend(t, f.s, spanTD(2, true, "motor", "m7")) // finished: it lasts a second
	if got := search(`{ span.motor = "m7" && duration > 30m }`); len(got) != 0 {
		t.Errorf("the finished span still matches as open: %+v", got)
	}
	if got := search(`{ name = "span-2" && duration = 1s }`); len(got) != 1 {
		t.Errorf("the finished span does not match: %+v", got)
	}
}

// TestQLAttrsKeep decodes only the attributes a query names, skipping the
// others (nested ones included) without losing its place in the map.
func TestQLAttrsKeep(t *testing.T) {
	m := pcommon.NewMap()
	m.PutEmptyMap("nested").PutEmptySlice("deep").AppendEmpty().SetStr("x")
	m.PutEmptyBytes("raw").FromRaw([]byte{1, 2, 3})
	m.PutStr("motor", "m1")
	m.PutEmptySlice("list").AppendEmpty().SetInt(4)
	m.PutInt("pos", 7)
	d := newDict()
	e := newEncoder(d, Options{}.withDefaults().limits())
	raw := e.appendMap(nil, m, attrValueDepth, true)
	v := d.view()
	all, err := qlAttrs(raw, &v, nil, nil)
	if err != nil || len(all) != 5 {
		t.Fatalf("all attributes: %v, %v", all, err)
	}
	kept, err := qlAttrs(raw, &v, nil, map[string]bool{"motor": true, "pos": true})
	if err != nil {
		t.Fatal(err)
	}
	want := []traceql.Attr{{Key: "motor", Value: traceql.Value{Kind: traceql.ValueString, Str: "m1"}},
		{Key: "pos", Value: traceql.Value{Kind: traceql.ValueInt, Int: 7}}}
	if !slices.Equal(kept, want) {
		t.Errorf("kept %v, want %v", kept, want)
	}
}
