package store

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// putEvery puts a value of every type into m.
func putEvery(m pcommon.Map, prefix string) {
	m.PutStr(prefix+"str", "héllo")
	m.PutInt(prefix+"int", math.MinInt64)
	m.PutInt(prefix+"big", 1<<62+3)
	m.PutDouble(prefix+"double", 3.25)
	m.PutDouble(prefix+"nan", math.NaN())
	m.PutDouble(prefix+"inf", math.Inf(-1))
	m.PutBool(prefix+"bool", true)
	m.PutEmptyBytes(prefix + "bytes").FromRaw([]byte{0, 1, 2, 0xff})
	m.PutEmpty(prefix + "empty")
	s := m.PutEmptySlice(prefix + "slice")
	s.AppendEmpty().SetStr("a")
	s.AppendEmpty().SetInt(7)
	s.AppendEmpty().SetEmptySlice().AppendEmpty().SetBool(false)
	kv := m.PutEmptyMap(prefix + "map")
	kv.PutStr("inner", "x")
	kv.PutEmptyMap("deeper").PutDouble("pi", math.Pi)
	m.PutStr(prefix+"a key that is rather long and therefore still interned, up to 1024 bytes", "v")
	// A list larger than directMax, decoded through protobuf, holding one
	// decoded with setters.
	big := m.PutEmptyMap(prefix + "biglist")
	for i := range directMax + 36 {
		big.PutInt(fmt.Sprintf("k%03d", i), int64(i))
	}
	big.PutEmptyMap("small").PutEmptySlice("s").AppendEmpty().SetStr("x")
}

// fullTraces builds two traces using every field pdata has, over two
// resources and three scopes.
func fullTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	rs1 := td.ResourceSpans().AppendEmpty()
	rs1.SetSchemaUrl("https://opentelemetry.io/schemas/1.26.0")
	rs1.Resource().Attributes().PutStr("service.name", "checkout")
	putEvery(rs1.Resource().Attributes(), "res.")
	rs1.Resource().SetDroppedAttributesCount(2)
	ss1 := rs1.ScopeSpans().AppendEmpty()
	ss1.SetSchemaUrl("https://example.com/scope-schema")
	ss1.Scope().SetName("checkout/http")
	ss1.Scope().SetVersion("v1.2.3")
	ss1.Scope().Attributes().PutStr("scope.attr", "s")
	ss1.Scope().SetDroppedAttributesCount(1)
	ss2 := rs1.ScopeSpans().AppendEmpty()
	ss2.Scope().SetName("checkout/db")

	rs2 := td.ResourceSpans().AppendEmpty()
	rs2.Resource().Attributes().PutInt("process.pid", 4242) // no service.name
	ss3 := rs2.ScopeSpans().AppendEmpty()
	ss3.Scope().SetName("worker")
	ss3.Scope().SetVersion("0.1")

	t0 := base
	kinds := []ptrace.SpanKind{ptrace.SpanKindServer, ptrace.SpanKindClient, ptrace.SpanKindInternal,
		ptrace.SpanKindProducer, ptrace.SpanKindConsumer, ptrace.SpanKindUnspecified}
	for tr := range uint64(2) {
		root := ptrace.NewSpan()
		for i, k := range kinds {
			var sp ptrace.Span
			switch i % 3 {
			case 0:
				sp = ss1.Spans().AppendEmpty()
			case 1:
				sp = ss2.Spans().AppendEmpty()
			default:
				sp = ss3.Spans().AppendEmpty()
			}
			sp.SetTraceID(traceID(100 + tr))
			sp.SetSpanID(spanID(tr*100 + uint64(i)))
			if i == 0 {
				root = sp
			} else {
				sp.SetParentSpanID(root.SpanID())
			}
			sp.SetName([]string{"GET /cart", "SELECT cart", "work", "publish", "consume", "mystery"}[i])
			sp.SetKind(k)
			start := t0.Add(time.Duration(tr)*time.Second + time.Duration(i)*time.Millisecond)
			sp.SetStartTimestamp(ts(start))
			sp.SetEndTimestamp(ts(start.Add(time.Duration(10-i) * time.Millisecond)))
			sp.SetFlags(uint32(0x101 * i))
			if i%2 == 0 {
				sp.TraceState().FromRaw("vendor=value,other=1")
			}
			putEvery(sp.Attributes(), "")
			sp.SetDroppedAttributesCount(uint32(i))
			switch i {
			case 0:
				sp.Status().SetCode(ptrace.StatusCodeOk)
			case 1:
				sp.Status().SetCode(ptrace.StatusCodeError)
				sp.Status().SetMessage("connection refused")
			}
			for e := range i % 3 {
				ev := sp.Events().AppendEmpty()
				ev.SetName("event")
				ev.SetTimestamp(ts(start.Add(time.Duration(e) * time.Microsecond)))
				ev.Attributes().PutStr("exception.message", "boom")
				ev.Attributes().PutInt("n", int64(e))
				ev.SetDroppedAttributesCount(uint32(e))
			}
			if i == 2 {
				// An event before the span's start is kept as it is.
				sp.Events().AppendEmpty().SetTimestamp(ts(start.Add(-time.Second)))
			}
			sp.SetDroppedEventsCount(uint32(i * 2))
			if i%2 == 1 {
				l := sp.Links().AppendEmpty()
				l.SetTraceID(traceID(999))
				l.SetSpanID(spanID(999))
				l.TraceState().FromRaw("linked=yes")
				l.Attributes().PutStr("link.kind", "follows")
				l.SetDroppedAttributesCount(3)
				l.SetFlags(1)
				sp.Links().AppendEmpty().SetTraceID(traceID(998))
			}
			sp.SetDroppedLinksCount(uint32(i * 3))
		}
	}
	return td
}

// onlyTrace returns the part of td in trace id.
func onlyTrace(td ptrace.Traces, id pcommon.TraceID) ptrace.Traces {
	out := ptrace.NewTraces()
	td.CopyTo(out)
	out.ResourceSpans().RemoveIf(func(rs ptrace.ResourceSpans) bool {
		rs.ScopeSpans().RemoveIf(func(ss ptrace.ScopeSpans) bool {
			ss.Spans().RemoveIf(func(sp ptrace.Span) bool { return sp.TraceID() != id })
			return ss.Spans().Len() == 0
		})
		return rs.ScopeSpans().Len() == 0
	})
	return out
}

// normalize sorts td's resources, scopes and spans, so two Traces holding
// the same data marshal to the same bytes.
func normalize(t *testing.T, td ptrace.Traces) []byte {
	t.Helper()
	marshal := func(f func(ptrace.Traces)) string {
		x := ptrace.NewTraces()
		f(x)
		b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(x)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			sss.At(j).Spans().Sort(func(a, b ptrace.Span) bool {
				if a.StartTimestamp() != b.StartTimestamp() {
					return a.StartTimestamp() < b.StartTimestamp()
				}
				return a.SpanID().String() < b.SpanID().String()
			})
		}
		sss.Sort(func(a, b ptrace.ScopeSpans) bool {
			key := func(ss ptrace.ScopeSpans) string {
				return marshal(func(x ptrace.Traces) {
					s := x.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
					ss.Scope().CopyTo(s.Scope())
					s.SetSchemaUrl(ss.SchemaUrl())
				})
			}
			return key(a) < key(b)
		})
	}
	rss.Sort(func(a, b ptrace.ResourceSpans) bool {
		key := func(rs ptrace.ResourceSpans) string {
			return marshal(func(x ptrace.Traces) {
				r := x.ResourceSpans().AppendEmpty()
				rs.Resource().CopyTo(r.Resource())
				r.SetSchemaUrl(rs.SchemaUrl())
			})
		}
		return key(a) < key(b)
	})
	b, err := (&ptrace.ProtoMarshaler{}).MarshalTraces(td)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTripOTLP(t *testing.T) {
	s := openTest(t, Options{})
	in := fullTraces()
	res := mustAppend(t, s, in)
	if res.Accepted != 12 || res.Rejected != 0 {
		t.Fatalf("append: %+v", res)
	}
	for tr := range uint64(2) {
		id := traceID(100 + tr)
		for i, got := range otlpBoth(t, s, hex.EncodeToString(id[:])) {
			want := normalize(t, onlyTrace(in, id))
			if g := normalize(t, got); !bytes.Equal(g, want) {
				gj, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(got)
				wj, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(onlyTrace(in, id))
				t.Errorf("trace %d (%s) differs:\n got %s\nwant %s", tr, otlpWays[i], gj, wj)
			}
		}
	}
	// A restart reads the dictionary back from the file.
	dir := s.Dir()
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close(context.Background())
	id := traceID(100)
	got, err := s2.TraceOTLP(context.Background(), hex.EncodeToString(id[:]))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(normalize(t, got), normalize(t, onlyTrace(in, id))) {
		t.Error("trace differs after reopening")
	}
}

func TestTraceJSON(t *testing.T) {
	s := openTest(t, Options{})
	mustAppend(t, s, fullTraces())
	id := traceID(100)
	page, err := s.Trace(context.Background(), hex.EncodeToString(id[:]), Page{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceID   string           `json:"trace_id"`
		Resources []map[string]any `json:"resources"`
		Spans     []map[string]any `json:"spans"`
		Summary   map[string]any   `json:"summary"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.TraceID != hex.EncodeToString(id[:]) || len(doc.Spans) != 6 || len(doc.Resources) != 2 {
		t.Fatalf("page: trace %s, %d spans, %d resources", doc.TraceID, len(doc.Spans), len(doc.Resources))
	}
	root := doc.Spans[0]
	want := map[string]any{
		"span_id": hex.EncodeToString(func() []byte { x := spanID(0); return x[:] }()), "parent_span_id": "",
		"name": "GET /cart", "kind": "server", "status_code": "ok", "status_message": "",
		"trace_state": "vendor=value,other=1", "flags": 0.0, "dropped_attributes": 0.0, "dropped_events": 0.0,
		"dropped_links": 0.0, "resource": 0.0, "scope": map[string]any{"name": "checkout/http", "version": "v1.2.3"},
		"events": []any{}, "links": []any{},
	}
	for k, v := range want {
		if g, _ := json.Marshal(root[k]); string(g) != string(must(json.Marshal(v))) {
			t.Errorf("root span %s = %s, want %s", k, g, must(json.Marshal(v)))
		}
	}
	attrs := root["attributes"].(map[string]any)
	wantAttrs := map[string]string{
		"str": `"héllo"`, "double": `3.25`,
		"nan": `"NaN"`, "inf": `"-Infinity"`, "bool": `true`, "bytes": `"AAEC/w=="`, "empty": `null`,
		"slice": `["a",7,[false]]`, "map": `{"deeper":{"pi":3.141592653589793},"inner":"x"}`,
	}
	for k, v := range wantAttrs {
		if g := string(must(json.Marshal(attrs[k]))); g != v {
			t.Errorf("attribute %s = %s, want %s", k, g, v)
		}
	}
	// int64 beyond 2^53 must be written exactly (doc decoded them into
	// float64).
	for _, x := range []string{`"big":4611686018427387907`, `"int":-9223372036854775808`} {
		if !bytes.Contains(raw, []byte(x)) {
			t.Errorf("JSON lacks %s: int64 not written as an exact number", x)
		}
	}
	client := doc.Spans[1]
	if client["kind"] != "client" || client["status_code"] != "error" || client["status_message"] != "connection refused" ||
		client["parent_span_id"] != root["span_id"] {
		t.Errorf("client span: %v", client)
	}
	links := client["links"].([]any)
	l0 := links[0].(map[string]any)
	if len(links) != 2 || l0["trace_state"] != "linked=yes" || l0["dropped_attributes"] != 3.0 || l0["flags"] != 1.0 {
		t.Errorf("links: %v", links)
	}
	kinds := map[string]bool{}
	for _, sp := range doc.Spans {
		kinds[sp["kind"].(string)] = true
		if r := int(sp["resource"].(float64)); r < 0 || r >= len(doc.Resources) {
			t.Errorf("span resource index %d", r)
		}
	}
	if len(kinds) != 6 {
		t.Errorf("kinds: %v", kinds)
	}
	sum := doc.Summary
	if sum["root_name"] != "GET /cart" || sum["root_service"] != "checkout" || sum["span_count"] != 6.0 ||
		sum["error_count"] != 1.0 || sum["duration_nano"] != float64(10*time.Millisecond) {
		t.Errorf("summary: %v", sum)
	}
	if svcs := sum["services"].([]any); len(svcs) != 2 || svcs[0] != "checkout" || svcs[1] != unknownService {
		t.Errorf("services: %v", svcs)
	}
	if r0 := doc.Resources[0]; r0["schema_url"] != "https://opentelemetry.io/schemas/1.26.0" {
		t.Errorf("resource 0: %v", r0)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// otlpWays names otlpBoth's results.
var otlpWays = []string{"TraceOTLP", "TraceOTLPProto"}

// otlpBoth reads a trace both ways: TraceOTLP, and TraceOTLPProto decoded
// by pdata.
func otlpBoth(t *testing.T, s *Store, id string) []ptrace.Traces {
	t.Helper()
	td, err := s.TraceOTLP(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.TraceOTLPProto(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	tp, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(b)
	if err != nil {
		t.Fatalf("TraceOTLPProto: %v", err)
	}
	return []ptrace.Traces{td, tp}
}
