package traceql

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// cnfString prints groups as "(t1 | t2) & (t3)"; an empty group is "()".
func cnfString(groups [][]Term) string {
	parts := make([]string, len(groups))
	for i, g := range groups {
		terms := make([]string, len(g))
		for j, t := range g {
			terms[j] = t.String()
		}
		parts[i] = "(" + strings.Join(terms, " | ") + ")"
	}
	return strings.Join(parts, " & ")
}

func mustCompile(t testing.TB, query string) *Query {
	t.Helper()
	e, err := Parse(query)
	if err != nil {
		t.Fatalf("Parse(%q): %v", query, err)
	}
	q, err := Compile(e)
	if err != nil {
		t.Fatalf("Compile(%q): %v", query, err)
	}
	return q
}

func TestNecessary(t *testing.T) {
	for _, tt := range []struct{ q, want string }{
		{`{}`, ``},
		{`{ true }`, ``},
		{`{ false }`, `()`},
		{`{ .x = "a" }`, `(.x = "a")`},
		{`{ span.x = 5 }`, `(span.x = 5)`},
		{`{ resource.x = 2.5 }`, `(resource.x = 2.5)`},
		{`{ .b = true }`, `(.b = true)`},
		{`{ span."a b" = false }`, `(span."a b" = false)`},
		// comparisons false on a missing attribute require it to exist
		{`{ .x != "a" }`, `(.x != nil)`},
		{`{ .x > 1 }`, `(.x != nil)`},
		{`{ span.x <= "m" }`, `(span.x != nil)`},
		{`{ .x =~ "a.*" }`, `(.x != nil)`},
		{`{ .x !~ "a.*" }`, `(.x != nil)`},
		{`{ resource.x != nil }`, `(resource.x != nil)`},
		{`{ .x = 1s }`, `(.x != nil)`},
		{`{ .x = nil }`, ``},
		// intrinsics: only = on name, status and kind
		{`{ name = "GET" }`, `(name = "GET")`},
		{`{ span:name = "GET" }`, `(name = "GET")`},
		{`{ status = error }`, `(status = error)`},
		{`{ kind = server }`, `(kind = server)`},
		{`{ name != "GET" }`, ``},
		{`{ name =~ "GET" }`, ``},
		{`{ status != error }`, ``},
		{`{ kind != server }`, ``},
		{`{ name = nil }`, ``},
		{`{ statusMessage = "x" }`, ``},
		{`{ duration > 1s }`, ``},
		{`{ rootName = "x" }`, ``},
		{`{ rootServiceName = "x" }`, ``},
		{`{ traceDuration > 1s }`, ``},
		{`{ !(.x = "a") }`, ``},
		{`{ !(.x = nil) }`, ``},
		// logic inside a filter
		{`{ .a = 1 && .b = 2 }`, `(.a = 1) & (.b = 2)`},
		{`{ .a = 1 || .b = 2 }`, `(.a = 1 | .b = 2)`},
		{`{ (.a = 1 && .b = 2) || .c = 3 }`, `(.a = 1 | .c = 3) & (.b = 2 | .c = 3)`},
		{`{ .a = 1 || !(.b = 2) }`, ``},
		{`{ .a = 1 || .b = nil }`, ``},
		{`{ .a = 1 || false }`, `(.a = 1)`},
		{`{ false || .a = 1 }`, `(.a = 1)`},
		{`{ .a = 1 && false }`, `()`},
		{`{ .a = 1 || true }`, ``},
		{`{ .a = 1 && .a = 1 }`, `(.a = 1)`},
		{`{ .a = 1 || .a = 1 }`, `(.a = 1)`},
		{`{ .a = 1 && .b = 1 || .b = 1 && .a = 1 }`, `(.a = 1 | .b = 1) & (.b = 1) & (.a = 1)`},
		// spanset operators
		{`{ .a = 1 } && { .b = 2 }`, `(.a = 1) & (.b = 2)`},
		{`{ .a = 1 } > { .b = 2 }`, `(.a = 1) & (.b = 2)`},
		{`{ .a = 1 } >> { status = error }`, `(.a = 1) & (status = error)`},
		{`{ .a = 1 } || { .b = 2 }`, `(.a = 1 | .b = 2)`},
		{`{ .a = 1 } || {}`, ``},
		{`{ false } || { .a = 1 }`, `(.a = 1)`},
		{`{ false } && { .a = 1 }`, `()`},
		{`{} >> { false }`, `()`},
	} {
		if got := cnfString(mustCompile(t, tt.q).Necessary()); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.q, got, tt.want)
		}
	}
}

func TestNecessaryBounds(t *testing.T) {
	// 5 x 4 groups distribute to 20: the 16 shortest are kept.
	q := mustCompile(t, `{ (.a=1 && .b=1 && .c=1 && .d=1 && .e=1) || (.f=1 && .g=1 && .h=1 && .i=1) }`)
	if got := len(q.Necessary()); got != maxGroups {
		t.Errorf("distributed 20 groups: kept %d, want %d", got, maxGroups)
	}
	// An || of more values than a group holds requires nothing.
	vals := make([]string, maxGroupTerms+1)
	for i := range vals {
		vals[i] = fmt.Sprintf(".a = %d", i)
	}
	long := "{ " + strings.Join(vals, " || ") + " }"
	if got := mustCompile(t, long).Necessary(); got != nil {
		t.Errorf("%d-way ||: got %d groups, want none", maxGroupTerms+1, len(got))
	}
	// The caller owns the result.
	q = mustCompile(t, `{ .a = 1 }`)
	q.Necessary()[0][0].Key = "changed"
	if got := cnfString(q.Necessary()); got != `(.a = 1)` {
		t.Errorf("Necessary shares its result: %s", got)
	}
}

// termHolds is the store's side of the contract, written independently of
// the evaluator: whether term t holds for span s.
func termHolds(t Term, s *Span) bool {
	switch t.Intrinsic {
	case Name:
		return s.Name == t.Value.Str
	case Status:
		return s.status() == t.Value.Status
	case Kind:
		return s.kind() == t.Value.Kind
	}
	in := func(attrs []Attr) bool {
		for _, a := range attrs {
			if a.Key == t.Key && valueIs(a.Value, t.Value) {
				return true
			}
		}
		return false
	}
	return (t.Scope != ScopeResource && in(s.Attrs)) || (t.Scope != ScopeSpan && in(s.Resource))
}

func valueIs(v Value, lit Literal) bool {
	num := func(v Value) (float64, bool) {
		switch v.Kind {
		case ValueInt:
			return float64(v.Int), true
		case ValueFloat:
			return v.Float, true
		}
		return 0, false
	}
	switch lit.Type {
	case LitNil:
		return true
	case LitString:
		return v.Kind == ValueString && v.Str == lit.Str
	case LitBool:
		return v.Kind == ValueBool && v.Bool == lit.Bool
	case LitInt:
		if v.Kind == ValueInt {
			return v.Int == lit.Int
		}
		f, ok := num(v)
		return ok && f == float64(lit.Int)
	case LitFloat:
		f, ok := num(v)
		return ok && f == lit.Float
	}
	return false
}

// checkNecessary fails when trace tr matches q but a group of Necessary has
// no term true on any of its spans.
func checkNecessary(t testing.TB, q *Query, tr *Trace) {
	t.Helper()
	if len(q.Match(tr)) == 0 {
		return
	}
	for _, g := range q.Necessary() {
		held := false
		for _, term := range g {
			for i := range tr.Spans {
				held = held || termHolds(term, &tr.Spans[i])
			}
		}
		if !held {
			t.Fatalf("%s matches a trace no term of group (%s) holds for; trace %+v", q, cnfString([][]Term{g}), tr.Spans)
		}
	}
}

// TestNecessaryTable checks the property on hand-picked queries against
// random traces.
func TestNecessaryTable(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(3, 4))}
	queries := []string{
		`{ .a = "x" }`, `{ span.a = 1 }`, `{ resource.b = 0.5 }`, `{ .c = true }`, `{ .a = 1.0 }`,
		`{ .a != "x" }`, `{ .a > 0 }`, `{ .b =~ "x|y" }`, `{ .b !~ "x" }`, `{ .c != nil }`, `{ .c = nil }`,
		`{ name = "n1" }`, `{ status = error }`, `{ kind = server }`, `{ kind = unspecified }`, `{ status = unset }`,
		`{ .a = "x" || name = "n2" }`, `{ (.a = 1 || .b = 0) && status = ok }`, `{ !(.a = "x") }`,
		`{ .a = "x" } && { .b = "y" }`, `{ .a = 1 } || { name = "n3" && .c = false }`,
		`{ name = "n1" } > { .a != nil }`, `{ .b = "z" } >> { status = error || kind = client }`,
		`({ .a = 0 } || { .b = 0.0 }) >> { .c = "y" }`, `{ rootName = "n1" && .a = "x" }`,
	}
	for _, src := range queries {
		q := mustCompile(t, src)
		for range 2_000 {
			checkNecessary(t, q, g.trace())
		}
	}
}
