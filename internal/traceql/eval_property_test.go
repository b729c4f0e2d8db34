package traceql

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// gen draws small random traces and queries over a small vocabulary, so
// that they often meet.
type gen struct{ r *rand.Rand }

var (
	genKeys  = []string{"a", "b", "c"}
	genStrs  = []string{"x", "y", "z"}
	genNames = []string{"n1", "n2", "n3"}
)

func (g gen) value() Value {
	switch g.r.IntN(5) {
	case 0:
		return Value{Kind: ValueString, Str: genStrs[g.r.IntN(len(genStrs))]}
	case 1:
		return Value{Kind: ValueInt, Int: int64(g.r.IntN(3))}
	case 2:
		return Value{Kind: ValueFloat, Float: float64(g.r.IntN(3)) / 2}
	case 3:
		return Value{Kind: ValueBool, Bool: g.r.IntN(2) == 0}
	}
	return Value{Kind: ValueOther}
}

func (g gen) attrs(n int) []Attr {
	out := make([]Attr, g.r.IntN(n+1))
	for i := range out {
		out[i] = Attr{genKeys[g.r.IntN(len(genKeys))], g.value()}
	}
	return out
}

// trace draws 1-7 spans; a parent is an earlier span, a missing span, the
// span itself or none, so cycles are possible only through self-parents.
func (g gen) trace() *Trace {
	spans := make([]Span, 1+g.r.IntN(7))
	for i := range spans {
		s := &spans[i]
		s.SpanID = id(i + 1)
		switch p := g.r.IntN(10); {
		case p < 6 && i > 0:
			s.ParentSpanID = id(1 + g.r.IntN(i))
		case p == 7:
			s.ParentSpanID = id(100)
		case p == 8:
			s.ParentSpanID = s.SpanID
		}
		s.Name = genNames[g.r.IntN(len(genNames))]
		s.Kind = SpanKind(g.r.IntN(int(KindConsumer) + 1))
		s.Status = StatusCode(g.r.IntN(int(StatusUnset) + 1))
		s.StartUnixNano = int64(g.r.IntN(100))
		s.EndUnixNano = s.StartUnixNano + int64(g.r.IntN(100))
		s.Attrs, s.Resource = g.attrs(3), g.attrs(2)
	}
	g.r.Shuffle(len(spans), func(i, j int) { spans[i], spans[j] = spans[j], spans[i] })
	return &Trace{Spans: spans}
}

func (g gen) literal() Literal {
	switch g.r.IntN(9) {
	case 0, 1:
		return Literal{Type: LitString, Str: []string{"x", "y", "n1", "x|y", ".*", "n."}[g.r.IntN(6)]}
	case 2:
		return Literal{Type: LitInt, Int: int64(g.r.IntN(3))}
	case 3:
		return Literal{Type: LitFloat, Float: float64(g.r.IntN(3)) / 2}
	case 4:
		return Literal{Type: LitBool, Bool: g.r.IntN(2) == 0}
	case 5:
		return Literal{Type: LitNil}
	case 6:
		return Literal{Type: LitStatus, Status: StatusCode(1 + g.r.IntN(3))}
	case 7:
		return Literal{Type: LitKind, Kind: SpanKind(1 + g.r.IntN(6))}
	}
	return Literal{Type: LitDuration, Duration: 50 * 1 << g.r.IntN(2)}
}

func (g gen) comparison() *Comparison {
	for {
		c := &Comparison{Op: CompareOperator(1 + g.r.IntN(int(NotRegex))), Value: g.literal()}
		if g.r.IntN(3) == 0 {
			c.Field = Field{Intrinsic: Intrinsic(1 + g.r.IntN(int(TraceDuration)))}
		} else {
			c.Field = Field{Scope: Scope(g.r.IntN(3)), Name: genKeys[g.r.IntN(len(genKeys))]}
		}
		if check(c) == "" {
			return c
		}
	}
}

func (g gen) cond(depth int) Cond {
	switch n := g.r.IntN(8); {
	case depth > 0 && n < 2:
		return &Logical{Op: LogicalOperator(1 + n), LHS: g.cond(depth - 1), RHS: g.cond(depth - 1)}
	case depth > 0 && n == 2:
		return &Not{Cond: g.cond(depth - 1)}
	case n == 3 && g.r.IntN(4) == 0:
		return &BoolLit{Value: g.r.IntN(2) == 0}
	}
	return g.comparison()
}

func (g gen) spanset(depth int) SpansetExpr {
	if depth > 0 && g.r.IntN(2) == 0 {
		return &SpansetOp{Op: SpansetOperator(1 + g.r.IntN(4)), LHS: g.spanset(depth - 1), RHS: g.spanset(depth - 1)}
	}
	if g.r.IntN(8) == 0 {
		return &SpansetFilter{}
	}
	return &SpansetFilter{Cond: g.cond(2)}
}

// naiveSet evaluates spanset operators the slow, obvious way (filters by
// Match on a one-filter query; ancestors by a walk bounded by the span
// count), to check the evaluator's one-pass walks.
func naiveSet(t *testing.T, e SpansetExpr, tr *Trace) []bool {
	n := len(tr.Spans)
	if f, ok := e.(*SpansetFilter); ok {
		q, err := Compile(f)
		if err != nil {
			t.Fatal(err)
		}
		set := make([]bool, n)
		for _, i := range q.Match(tr) {
			set[i] = true
		}
		return set
	}
	op := e.(*SpansetOp)
	l, r := naiveSet(t, op.LHS, tr), naiveSet(t, op.RHS, tr)
	parent := func(i int) int {
		s := tr.Spans[i]
		for j := range tr.Spans {
			if s.ParentSpanID != ([8]byte{}) && j != i && tr.Spans[j].SpanID == s.ParentSpanID && s.ParentSpanID != s.SpanID {
				return j
			}
		}
		return -1
	}
	out := make([]bool, n)
	switch op.Op {
	case SpansetAnd, SpansetUnion:
		if op.Op == SpansetAnd && (!slices.Contains(l, true) || !slices.Contains(r, true)) {
			return out
		}
		for i := range out {
			out[i] = l[i] || r[i]
		}
	case SpansetChild:
		for i := range out {
			p := parent(i)
			out[i] = r[i] && p >= 0 && l[p]
		}
	case SpansetDescendant:
		for i := range out {
			for p, steps := parent(i), 0; r[i] && p >= 0 && steps < n; p, steps = parent(p), steps+1 {
				if l[p] {
					out[i] = true
					break
				}
			}
		}
	}
	return out
}

// TestMatchProperties draws random traces and queries and checks that
// Necessary never excludes a match, that printing and parsing a query
// does not change its matches, and that spanset operators agree with the
// naive evaluation (on traces without cycles, where "ancestor" is clear).
func TestMatchProperties(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(1, 2))}
	matched := 0
	for range 20_000 {
		e := g.spanset(2)
		q, err := Compile(e)
		if err != nil {
			t.Fatalf("Compile(%s): %v", e, err)
		}
		tr := g.trace()
		got := q.Match(tr)
		if len(got) > 0 {
			matched++
		}
		if !slices.IsSorted(got) {
			t.Fatalf("%s: indexes not ascending: %v", e, got)
		}
		checkNecessary(t, q, tr)
		if again := mustCompile(t, e.String()).Match(tr); !slices.Equal(again, got) {
			t.Fatalf("%s: printed and parsed it matches %v, not %v", e, again, got)
		}
		var want []int
		for i, in := range naiveSet(t, e, tr) {
			if in {
				want = append(want, i)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s on %+v: got %v, naive evaluation %v", e, tr.Spans, got, want)
		}
	}
	t.Logf("%d of 20000 random queries matched their trace", matched)
	if matched < 2000 {
		t.Errorf("only %d random queries matched: the generator is too sparse to test Necessary", matched)
	}
}
