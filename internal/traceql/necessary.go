package traceql

import (
	"slices"
	"sort"
	"strings"
)

// Term is a condition on one span that an index can check: an attribute
// (in a scope) equal to a value or merely present, or the name, status or
// kind equal to a value.
type Term struct {
	Intrinsic Intrinsic // Name, Status or Kind; NoIntrinsic: an attribute
	Scope     Scope     // attributes: ScopeAny means span OR resource
	Key       string    // attributes: the key
	// Value is the value compared for equality; Type LitNil means "the
	// attribute exists (any value)". Ints and floats compare numerically:
	// 5 and 5.0 are the same value.
	Value Literal
}

// String prints the term as the TraceQL comparison it stands for:
// `.x = "a"`, `name = "GET"`, `span.x != nil` (exists).
func (t Term) String() string {
	f := Field{Intrinsic: t.Intrinsic, Scope: t.Scope, Name: t.Key}
	if t.Value.Type == LitNil {
		return f.String() + " != nil"
	}
	return f.String() + " = " + t.Value.String()
}

// Bounds of Necessary: past them, groups are dropped, which only weakens
// the pruning.
const (
	maxGroups     = 16 // groups in a result
	maxGroupTerms = 64 // terms in one group: an || of that many values
)

// Necessary returns conditions every matching trace satisfies, in
// conjunctive normal form: the trace matches only if, for every group, at
// least one Term of the group holds for some span of the trace. An empty
// result means no pruning is possible; a group with no terms means the
// query can match nothing (`{ false }`). The result over-approximates Match:
// it never excludes a trace that Match accepts.
func (q *Query) Necessary() [][]Term {
	out := make([][]Term, len(q.necessary))
	for i, g := range q.necessary {
		out[i] = slices.Clone(g)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// necessarySet derives the CNF of a spanset expression. &&, > and >> need
// both sides to match, so their CNFs are joined; || needs either, so its
// sides are distributed.
func necessarySet(e SpansetExpr) [][]Term {
	switch e := e.(type) {
	case *SpansetFilter:
		if e.Cond == nil {
			return nil
		}
		return necessaryCond(e.Cond)
	case *SpansetOp:
		l, r := necessarySet(e.LHS), necessarySet(e.RHS)
		if e.Op == SpansetUnion {
			return cnfOr(l, r)
		}
		return cnfAnd(l, r)
	}
	return nil
}

// necessaryCond derives the CNF of a condition on one span.
func necessaryCond(c Cond) [][]Term {
	switch c := c.(type) {
	case *Logical:
		l, r := necessaryCond(c.LHS), necessaryCond(c.RHS)
		if c.Op == Or {
			return cnfOr(l, r)
		}
		return cnfAnd(l, r)
	case *BoolLit:
		if !c.Value {
			return [][]Term{{}}
		}
	case *Comparison:
		if t, ok := necessaryTerm(c); ok {
			return [][]Term{{t}}
		}
	}
	// *Not: a negated comparison holds on spans without the attribute, so
	// it requires nothing an index can see.
	return nil
}

// necessaryTerm returns the term a span satisfying c must satisfy, if any.
// Every comparison with an attribute except `= nil` is false on a span
// without it (Tempo's Static.Equals and NotEquals are false when a side is
// nil), so it requires at least that the attribute exists; `=` with a
// string, number or boolean requires that value.
func necessaryTerm(c *Comparison) (Term, bool) {
	lit := c.Value
	if c.Field.Intrinsic != NoIntrinsic {
		if c.Op != Eq {
			return Term{}, false
		}
		switch {
		case c.Field.Intrinsic == Name && lit.Type == LitString,
			c.Field.Intrinsic == Status && lit.Type == LitStatus,
			c.Field.Intrinsic == Kind && lit.Type == LitKind:
			return Term{Intrinsic: c.Field.Intrinsic, Value: lit}, true
		}
		return Term{}, false
	}
	t := Term{Scope: c.Field.Scope, Key: c.Field.Name, Value: Literal{Type: LitNil}}
	switch {
	case lit.Type == LitNil && c.Op == Eq:
		return Term{}, false
	case c.Op == Eq && (lit.Type == LitString || lit.Type == LitInt || lit.Type == LitFloat || lit.Type == LitBool):
		t.Value = lit
	}
	return t, true
}

// unsatisfiable reports whether a CNF has an empty group.
func unsatisfiable(groups [][]Term) bool {
	for _, g := range groups {
		if len(g) == 0 {
			return true
		}
	}
	return false
}

// cnfAnd joins two CNFs.
func cnfAnd(l, r [][]Term) [][]Term {
	if unsatisfiable(l) || unsatisfiable(r) {
		return [][]Term{{}}
	}
	return limit(append(slices.Clip(l), r...))
}

// cnfOr distributes two CNFs: every group of l joined with every group of
// r. Either side without groups (no requirement) makes the result have none.
func cnfOr(l, r [][]Term) [][]Term {
	switch {
	case len(l) == 0 || len(r) == 0:
		return nil
	case unsatisfiable(l):
		return r
	case unsatisfiable(r):
		return l
	}
	out := make([][]Term, 0, len(l)*len(r))
	for _, a := range l {
		for _, b := range r {
			g := slices.Clone(a)
			for _, t := range b {
				if !slices.Contains(g, t) {
					g = append(g, t)
				}
			}
			if len(g) <= maxGroupTerms {
				out = append(out, g)
			}
		}
	}
	return limit(out)
}

// limit drops duplicate groups and, past maxGroups, the longest groups
// (the least selective).
func limit(groups [][]Term) [][]Term {
	seen := make(map[string]bool, len(groups))
	out := groups[:0:0]
	for _, g := range groups {
		k := groupKey(g)
		if !seen[k] {
			seen[k] = true
			out = append(out, g)
		}
	}
	if len(out) > maxGroups {
		sort.SliceStable(out, func(i, j int) bool { return len(out[i]) < len(out[j]) })
		out = out[:maxGroups]
	}
	return out
}

// groupKey identifies a group by its set of terms.
func groupKey(g []Term) string {
	keys := make([]string, len(g))
	for i, t := range g {
		keys[i] = t.String()
	}
	slices.Sort(keys)
	return strings.Join(keys, "\x00")
}
