package traceql

import (
	"slices"
	"testing"
)

// fuzzTrace mixes the tree, the attribute spans and a cycle of parents.
var fuzzTrace = func() *Trace {
	spans := slices.Clone(treeTrace.Spans)
	for i, s := range attrTrace.Spans {
		s.SpanID, s.ParentSpanID = id(20+i), id(1+i)
		spans = append(spans, s)
	}
	spans = append(spans, node(30, 31, "a"), node(31, 30, "c"), node(32, 31, "d"))
	return &Trace{Spans: spans}
}()

// FuzzMatch: every query that parses compiles, and matching it against a
// fixed trace ends without a panic, returns ascending indexes into the
// trace, and never contradicts Necessary.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"{}", `{ .s = "abc" } && { name = "b" } || { .n >= 5 }`, `{ .x != "s3" || !(.s =~ "ab.") }`,
		`{ name = "a" } >> { name = "c" } > { status = error }`, `({ kind = server } || {}) >> { .f < 5.5 }`,
		`{ rootName = "a" && traceDuration > 1ns && rootServiceName != nil }`, `{ span.b = true && resource.n = 5 }`,
		`{ duration >= 100ms || statusMessage = "boom" }`, `{ false } >> {}`, `{ .nope = nil } > { .s != nil }`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			return
		}
		q, err := Compile(e)
		if err != nil {
			t.Fatalf("Parse(%q) succeeded, Compile failed: %v", src, err)
		}
		got := q.Match(fuzzTrace)
		if !slices.IsSorted(got) || len(got) > 0 && (got[0] < 0 || got[len(got)-1] >= len(fuzzTrace.Spans)) {
			t.Fatalf("%s: indexes %v", src, got)
		}
		checkNecessary(t, q, fuzzTrace)
		for _, fl := range q.Fields() {
			if fl.Intrinsic != NoIntrinsic {
				t.Fatalf("%s: Fields has intrinsic %s", src, fl)
			}
		}
	})
}
