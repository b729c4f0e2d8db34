package traceql

// Match returns the indexes (into t.Spans, ascending) of the spans of the
// query's resulting spanset; nil when the trace does not match. Its cost is
// linear in the spans times the size of the query, plus one map of the
// span IDs when the query uses > or >> or a rootName/rootServiceName whose
// root has no zero parent.
func (q *Query) Match(t *Trace) []int {
	if t == nil || len(t.Spans) == 0 {
		return nil
	}
	x := newEvalCtx(t)
	set, ok := x.evalSet(q.root)
	if !ok {
		return nil
	}
	var out []int
	for i, in := range set {
		if in {
			out = append(out, i)
		}
	}
	return out
}

// evalSet returns the spans a spanset expression selects, one flag per
// span, and whether any is selected. When none is, the flags are all false.
// The buffers of subexpressions are released for reuse, so a long chain of
// operators needs a few buffers, not one per operator.
func (x *evalCtx) evalSet(n *setNode) ([]bool, bool) {
	if n.op == 0 {
		return x.filter(n.cond)
	}
	lhs, lok := x.evalSet(n.lhs)
	if !lok && n.op != SpansetUnion {
		return lhs, false // &&, > and >> need both sides: skip the right
	}
	rhs, rok := x.evalSet(n.rhs)
	switch n.op {
	case SpansetAnd, SpansetUnion:
		// Tempo's && and || both return the spans of both sides; &&
		// only when each side matched (ast_execute.go, uniqueSpans).
		if n.op == SpansetAnd && !rok {
			x.release(lhs)
			return rhs, false
		}
		for i, in := range rhs {
			lhs[i] = lhs[i] || in
		}
		x.release(rhs)
		return lhs, lok || rok
	case SpansetChild:
		parents := x.parentIndex()
		anyLeft := false
		for i, in := range rhs {
			if in {
				p := parents[i]
				rhs[i] = p >= 0 && lhs[p]
				anyLeft = anyLeft || rhs[i]
			}
		}
		x.release(lhs)
		return rhs, anyLeft
	default: // SpansetDescendant
		anyLeft := rok && x.descendants(lhs, rhs)
		x.release(lhs)
		return rhs, anyLeft
	}
}

// filter returns the spans for which cond holds (every span for a nil
// cond, the empty filter {}).
func (x *evalCtx) filter(cond *condNode) ([]bool, bool) {
	set := x.alloc()
	anyIn := false
	spans := x.t.Spans
	for i := range spans {
		if cond == nil || x.holds(cond, &spans[i]) {
			set[i] = true
			anyIn = true
		}
	}
	return set, anyIn
}
