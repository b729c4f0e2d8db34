package traceql

import (
	"encoding/binary"
	"slices"
	"testing"
	"time"
)

// id makes a span ID from a small number; 0 is the zero ID (no parent).
func id(n int) [8]byte {
	var b [8]byte
	if n != 0 {
		binary.BigEndian.PutUint64(b[:], uint64(n))
	}
	return b
}

func str(k, v string) Attr       { return Attr{k, Value{Kind: ValueString, Str: v}} }
func i64(k string, v int64) Attr { return Attr{k, Value{Kind: ValueInt, Int: v}} }
func f64(k string, v float64) Attr {
	return Attr{k, Value{Kind: ValueFloat, Float: v}}
}
func boolean(k string, v bool) Attr { return Attr{k, Value{Kind: ValueBool, Bool: v}} }
func other(k string) Attr           { return Attr{k, Value{Kind: ValueOther}} }

// node is a span in a tree: its ID, its parent's ID (0: none) and its name.
func node(self, parent int, name string) Span {
	return Span{SpanID: id(self), ParentSpanID: id(parent), Name: name}
}

// matchCase runs a query over a trace and compares the indexes.
func matchCase(t *testing.T, tr *Trace, query string, want []int) {
	t.Helper()
	e, err := Parse(query)
	if err != nil {
		t.Fatalf("Parse(%q): %v", query, err)
	}
	q, err := Compile(e)
	if err != nil {
		t.Fatalf("Compile(%q): %v", query, err)
	}
	if got := q.Match(tr); !slices.Equal(got, want) {
		t.Errorf("%s: got %v, want %v", query, got, want)
	}
}

// attrTrace has four unrelated spans exercising every type and scope.
var attrTrace = &Trace{Spans: []Span{
	{
		Name: "GET /a", Kind: KindServer, Status: StatusOK,
		StartUnixNano: 0, EndUnixNano: int64(100 * time.Millisecond),
		Attrs:    []Attr{str("s", "abc"), i64("n", 5), f64("f", 2.5), boolean("b", true)},
		Resource: []Attr{str("service.name", "api")},
	},
	{
		Name: "POST /b", Kind: KindClient, Status: StatusError, StatusMessage: "boom",
		StartUnixNano: 1000, EndUnixNano: 1000 + int64(2*time.Second),
		Attrs:    []Attr{str("s", "abd"), i64("n", 7), f64("f", 5), boolean("b", false)},
		Resource: []Attr{str("service.name", "db"), str("r", "res-only")},
	},
	{
		Name:     "internal", // kind and status zero: unspecified, unset
		Resource: []Attr{str("s", "res-s"), i64("n", 5)},
	},
	{
		Name: "bytes", Kind: KindInternal, EndUnixNano: int64(time.Second),
		Attrs:    []Attr{other("s"), str("n", "5"), str("x", "s3")},
		Resource: []Attr{str("x", "r3")},
	},
}}

func TestMatchComparisons(t *testing.T) {
	all := []int{0, 1, 2, 3}
	tests := []struct {
		q    string
		want []int
	}{
		// scopes; an unscoped attribute matches when the span's or the
		// resource's value satisfies the comparison
		{`{ span.s = "abc" }`, []int{0}},
		{`{ .s = "abc" }`, []int{0}},
		{`{ .s = "res-s" }`, []int{2}},
		{`{ span.s = "res-s" }`, nil},
		{`{ resource.s = "res-s" }`, []int{2}},
		{`{ .x = "r3" }`, []int{3}},
		{`{ .x = "s3" }`, []int{3}},
		{`{ span.x = "r3" }`, nil},
		{`{ .x != "s3" }`, []int{3}},
		{`{ span.x != "s3" }`, nil},
		{`{ resource.service.name = "db" }`, []int{1}},
		// missing attributes: false for every comparison but = nil
		{`{ span.s != "abc" }`, []int{1}},
		{`{ span.s = nil }`, []int{2}},
		{`{ .s = nil }`, nil},
		{`{ span.s != nil }`, []int{0, 1, 3}},
		{`{ .nope = nil }`, all},
		{`{ .nope != "x" }`, nil},
		{`{ .nope < 1 }`, nil},
		{`{ .nope !~ "x" }`, nil},
		{`{ !(.nope = "x") }`, all},
		{`{ !(span.s = "abc") }`, []int{1, 2, 3}},
		{`{ !(.nope != nil) }`, all},
		// strings: lexicographic; a non-string value never matches
		{`{ span.s > "abc" }`, []int{1}},
		{`{ span.s >= "abc" }`, []int{0, 1}},
		{`{ span.s < "abd" }`, []int{0}},
		{`{ span.s <= "abd" }`, []int{0, 1}},
		{`{ span.n = "5" }`, []int{3}},
		{`{ span.s = 5 }`, nil},
		// regular expressions are anchored at both ends
		{`{ span.s =~ "ab" }`, nil},
		{`{ span.s =~ "ab." }`, []int{0, 1}},
		{`{ span.s =~ "a|abd" }`, []int{1}},
		{`{ span.s !~ "abc" }`, []int{1}},
		{`{ span.n =~ ".*" }`, []int{3}},
		{`{ name =~ "GET" }`, nil},
		{`{ name =~ "GET.*" }`, []int{0}},
		{`{ name =~ "(?i)get.*|bytes" }`, []int{0, 3}},
		{`{ name !~ "GET.*" }`, []int{1, 2, 3}},
		// numbers: ints and floats compare numerically
		{`{ span.n = 5 }`, []int{0}},
		{`{ .n = 5 }`, []int{0, 2}},
		{`{ span.n = 5.0 }`, []int{0}},
		{`{ span.f = 5 }`, []int{1}},
		{`{ span.f > 2 }`, []int{0, 1}},
		{`{ span.f < 2.5 }`, nil},
		{`{ span.f <= 2.5 }`, []int{0}},
		{`{ span.n != 5 }`, []int{1}},
		{`{ span.n >= 6 }`, []int{1}},
		{`{ span.n > -1 }`, []int{0, 1}},
		{`{ span.n < 5.5 }`, []int{0}},
		// a duration literal is an int of nanoseconds, as in Tempo
		{`{ span.n < 1s }`, []int{0, 1}},
		{`{ span.f = 5ns }`, []int{1}},
		// booleans
		{`{ span.b = true }`, []int{0}},
		{`{ span.b != true }`, []int{1}},
		{`{ span.b = false }`, []int{1}},
		{`{ span.s = true }`, nil},
		{`{ span.b = 1 }`, nil},
		// intrinsics
		{`{ name = "GET /a" }`, []int{0}},
		{`{ span:name = "GET /a" }`, []int{0}},
		{`{ name != "GET /a" }`, []int{1, 2, 3}},
		{`{ name > "P" }`, []int{1, 2, 3}},
		{`{ name = nil }`, nil},
		{`{ name != nil }`, all},
		{`{ status = error }`, []int{1}},
		{`{ status = unset }`, []int{2, 3}},
		{`{ status = ok }`, []int{0}},
		{`{ status != ok }`, []int{1, 2, 3}},
		{`{ status != nil }`, all},
		{`{ kind = unspecified }`, []int{2}},
		{`{ kind = server }`, []int{0}},
		{`{ kind = internal }`, []int{3}},
		{`{ kind != client }`, []int{0, 2, 3}},
		{`{ statusMessage = "boom" }`, []int{1}},
		{`{ statusMessage = "" }`, []int{0, 2, 3}},
		{`{ statusMessage =~ "bo.*" }`, []int{1}},
		{`{ duration > 1s }`, []int{1}},
		{`{ duration >= 1s }`, []int{1, 3}},
		{`{ duration = 0s }`, []int{2}},
		{`{ duration < 100ms }`, []int{2}},
		{`{ span:duration <= 100ms }`, []int{0, 2}},
		// constants and logic
		{`{}`, all},
		{`{ true }`, all},
		{`{ false }`, nil},
		{`{ span.n = 5 || span.n = 7 }`, []int{0, 1}},
		{`{ span.n = 5 && name = "GET /a" }`, []int{0}},
		{`{ span.n = 5 && name = "x" }`, nil},
		{`{ .n = 7 || .n = 5 && kind = server }`, []int{0}},
		{`{ .n = 7 || (.n = 5 && kind = server) }`, []int{0, 1}},
		{`{ !(span.n = 5 || status = error) }`, []int{2, 3}},
		{`{ !(!(status = error)) }`, []int{1}},
	}
	for _, tt := range tests {
		matchCase(t, attrTrace, tt.q, tt.want)
	}
}

func TestMatchTraceIntrinsics(t *testing.T) {
	rooted := &Trace{Spans: []Span{
		{SpanID: id(2), ParentSpanID: id(1), Name: "child", StartUnixNano: 150, EndUnixNano: 900},
		{SpanID: id(1), Name: "root", StartUnixNano: 100, EndUnixNano: 500,
			Resource: []Attr{str("service.name", "front")}},
		{SpanID: id(3), ParentSpanID: id(2), Name: "grandchild", StartUnixNano: 200, EndUnixNano: 300},
		{SpanID: id(4), ParentSpanID: id(99), Name: "orphan", StartUnixNano: 50, EndUnixNano: 60},
		{SpanID: id(5), Name: "second-root", StartUnixNano: 120, EndUnixNano: 130},
	}}
	all := []int{0, 1, 2, 3, 4}
	for _, tt := range []struct {
		q    string
		want []int
	}{
		{`{ rootName = "root" }`, all}, // the earliest of two roots; an earlier orphan is no root
		{`{ trace:rootName = "second-root" }`, nil},
		{`{ rootServiceName = "front" }`, all},
		{`{ trace:rootService != "front" }`, nil},
		{`{ traceDuration = 850ns }`, all}, // max end 900 - min start 50
		{`{ trace:duration > 1s }`, nil},
		{`{ rootName = "root" && name = "child" }`, []int{0}},
		{`{ rootName =~ "ro.*" && duration < 20ns }`, []int{3, 4}},
	} {
		matchCase(t, rooted, tt.q, tt.want)
	}

	// The root has not arrived: the earliest span whose parent is missing
	// stands in for it.
	rootless := &Trace{Spans: []Span{
		{SpanID: id(1), ParentSpanID: id(7), Name: "late-orphan", StartUnixNano: 30},
		{SpanID: id(2), ParentSpanID: id(8), Name: "early-orphan", StartUnixNano: 10},
		{SpanID: id(3), ParentSpanID: id(1), Name: "child", StartUnixNano: 5},
	}}
	matchCase(t, rootless, `{ rootName = "early-orphan" }`, []int{0, 1, 2})
	matchCase(t, rootless, `{ rootServiceName = nil }`, []int{0, 1, 2})
	matchCase(t, rootless, `{ rootServiceName != nil }`, nil)

	// Every parent is in the trace (a cycle): no root at all.
	cycle := &Trace{Spans: []Span{node(1, 2, "a"), node(2, 1, "b")}}
	matchCase(t, cycle, `{ rootName = nil }`, []int{0, 1})
	matchCase(t, cycle, `{ rootName != nil }`, nil)
	matchCase(t, cycle, `{ rootName = "a" }`, nil)
}

// treeTrace: a -> b -> c -> b; a -> c; an orphan c (parent missing) -> d;
// a span that names itself as its parent.
var treeTrace = &Trace{Spans: []Span{
	node(1, 0, "a"),  // 0
	node(2, 1, "b"),  // 1
	node(3, 2, "c"),  // 2
	node(4, 3, "b"),  // 3
	node(5, 99, "c"), // 4: parent not in the trace
	node(6, 5, "d"),  // 5
	node(7, 1, "c"),  // 6
	node(8, 8, "c"),  // 7: its own parent
}}

func TestMatchSpansets(t *testing.T) {
	for _, tt := range []struct {
		q    string
		want []int
	}{
		{`{ name = "a" } > { name = "b" }`, []int{1}},
		{`{ name = "a" } > { name = "c" }`, []int{6}},
		{`{ name = "a" } >> { name = "c" }`, []int{2, 6}},
		{`{ name = "b" } >> { name = "b" }`, []int{3}},
		{`{ name = "b" } > { name = "c" }`, []int{2}},
		{`{ name = "c" } > { name = "d" }`, []int{5}},
		{`{ name = "c" } >> {}`, []int{3, 5}},
		{`{} > {}`, []int{1, 2, 3, 5, 6}},
		{`{} >> {}`, []int{1, 2, 3, 5, 6}},
		{`{} > { name = "c" }`, []int{2, 6}},
		{`{ name = "zzz" } >> {}`, nil},
		{`{} >> { name = "zzz" }`, nil},
		{`{ name = "d" } >> {}`, nil},
		{`{ name = "a" } >> { name = "b" } > { name = "c" }`, []int{2}},
		{`{ name = "a" } > ({ name = "b" } >> { name = "b" })`, nil},
		{`({ name = "a" } || { name = "c" }) > { name = "d" }`, []int{5}},
		{`{ name = "d" } && {} >> { name = "c" }`, []int{2, 5, 6}},
		// && and || return the spans of both sides; && only when both match
		{`{ name = "a" } && { name = "d" }`, []int{0, 5}},
		{`{ name = "a" } && { name = "zzz" }`, nil},
		{`{ name = "zzz" } && { name = "a" }`, nil},
		{`{ name = "zzz" } || { name = "d" }`, []int{5}},
		{`{ name = "a" } || { name = "d" }`, []int{0, 5}},
		{`{ name = "a" } || { name = "a" }`, []int{0}},
		{`{ name = "zzz" } || { name = "zzz" }`, nil},
		{`({ name = "a" } && { name = "b" }) || { name = "zzz" }`, []int{0, 1, 3}},
		{`{ name = "a" } && { name = "b" } && { name = "d" }`, []int{0, 1, 3, 5}},
	} {
		matchCase(t, treeTrace, tt.q, tt.want)
	}
}

func TestMatchCyclesEnd(t *testing.T) {
	// A cycle of parents has no root and no meaning; the walks must end,
	// and a direct parent still counts.
	cyc := &Trace{Spans: []Span{node(9, 10, "a"), node(10, 9, "c"), node(11, 9, "d")}}
	matchCase(t, cyc, `{ name = "a" } > { name = "c" }`, []int{1})
	matchCase(t, cyc, `{ name = "a" } >> { name = "d" }`, []int{2})
	matchCase(t, cyc, `{ name = "c" } >> { name = "d" }`, []int{2})
	q, _ := Parse(`{} >> {}`)
	c, _ := Compile(q)
	c.Match(cyc) // ends
}

func TestMatchDuplicateIDs(t *testing.T) {
	// Two spans share an ID: the first is the parent of their children.
	dup := &Trace{Spans: []Span{node(1, 0, "a"), node(1, 0, "b"), node(2, 1, "c")}}
	matchCase(t, dup, `{ name = "a" } > { name = "c" }`, []int{2})
	matchCase(t, dup, `{ name = "b" } > { name = "c" }`, nil)
}

func TestMatchEmpty(t *testing.T) {
	e, _ := Parse(`{}`)
	q, _ := Compile(e)
	if got := q.Match(&Trace{}); got != nil {
		t.Errorf("empty trace: %v", got)
	}
	if got := q.Match(nil); got != nil {
		t.Errorf("nil trace: %v", got)
	}
}

// chain builds a trace of n spans, each the child of the one before, in
// reverse order so that no walk can rely on the order.
func chain(n int) *Trace {
	spans := make([]Span, n)
	for i := range n {
		s := node(i+1, i, "mid")
		switch i {
		case 0:
			s.Name = "root"
		case n - 1:
			s.Name = "leaf"
		}
		spans[n-1-i] = s
	}
	return &Trace{Spans: spans}
}

func TestMatchDeepChain(t *testing.T) {
	tr := chain(20_000)
	matchCase(t, tr, `{ name = "root" } >> { name = "leaf" }`, []int{0})
	matchCase(t, tr, `{ name = "leaf" } >> { name = "root" }`, nil)
	matchCase(t, tr, `{ name = "root" } >> { name = "mid" } >> { name = "leaf" }`, []int{0})
	matchCase(t, tr, `{ name = "root" } > { name = "leaf" }`, nil)
}

// TestDescendantIsLinear compares the cost per span of >> on a short and a
// 16x longer chain; a quadratic walk would be ~16x slower per span.
func TestDescendantIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	e, _ := Parse(`{} >> { name = "leaf" || name = "mid" }`)
	q, _ := Compile(e)
	perSpan := func(n int) float64 {
		tr := chain(n)
		best := time.Duration(1 << 62)
		for range 5 {
			start := time.Now()
			q.Match(tr)
			best = min(best, time.Since(start))
		}
		return float64(best.Nanoseconds()) / float64(n)
	}
	small, big := perSpan(2_000), perSpan(32_000)
	t.Logf(">> on a chain: %.1f ns/span at 2,000 spans, %.1f ns/span at 32,000", small, big)
	if big > 6*small {
		t.Errorf(">> is super-linear: %.1f ns/span at 32,000 spans, %.1f at 2,000", big, small)
	}
}

func TestCompileRefuses(t *testing.T) {
	for name, e := range map[string]SpansetExpr{
		"nil":             nil,
		"nil filter":      (*SpansetFilter)(nil),
		"nil op side":     &SpansetOp{Op: SpansetAnd, LHS: &SpansetFilter{}},
		"bad op":          &SpansetOp{Op: 99, LHS: &SpansetFilter{}, RHS: &SpansetFilter{}},
		"bad logical":     &SpansetFilter{Cond: &Logical{Op: 9, LHS: &BoolLit{}, RHS: &BoolLit{}}},
		"nil not":         &SpansetFilter{Cond: &Not{}},
		"bad regex":       &SpansetFilter{Cond: &Comparison{Field: Field{Intrinsic: Name}, Op: Regex, Value: Literal{Type: LitString, Str: "("}}},
		"regex on int":    &SpansetFilter{Cond: &Comparison{Field: Field{Name: "x"}, Op: Regex, Value: Literal{Type: LitInt}}},
		"status < ok":     &SpansetFilter{Cond: &Comparison{Field: Field{Intrinsic: Status}, Op: Lt, Value: Literal{Type: LitStatus, Status: StatusOK}}},
		"bad comparison":  &SpansetFilter{Cond: &Comparison{Field: Field{Name: "x"}, Op: 0, Value: Literal{Type: LitInt}}},
		"bad literal":     &SpansetFilter{Cond: &Comparison{Field: Field{Name: "x"}, Op: Eq}},
		"bad intrinsic":   &SpansetFilter{Cond: &Comparison{Field: Field{Intrinsic: 42}, Op: Eq, Value: Literal{Type: LitInt}}},
		"kind on an attr": &SpansetFilter{Cond: &Comparison{Field: Field{Name: "x"}, Op: Eq, Value: Literal{Type: LitKind, Kind: KindServer}}},
	} {
		if q, err := Compile(e); err == nil {
			t.Errorf("%s: Compile accepted it: %v", name, q)
		}
	}
}

func TestFieldsAndString(t *testing.T) {
	src := `{ .a = 1 && name = "x" && resource.b != nil } >> { !(.a > 2) || span.a = 3 || resource.b =~ "y" || span."c d" = nil }`
	e, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Compile(e)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range q.Fields() {
		got = append(got, f.String())
	}
	want := []string{".a", "resource.b", "span.a", `span."c d"`}
	if !slices.Equal(got, want) {
		t.Errorf("Fields: got %q, want %q", got, want)
	}
	if q.String() != e.String() {
		t.Errorf("String: got %q, want %q", q.String(), e.String())
	}
}
