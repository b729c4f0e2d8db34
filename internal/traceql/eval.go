package traceql

import "strings"

// holds reports whether the condition is true for span s.
func (x *evalCtx) holds(c *condNode, s *Span) bool {
	switch c.kind {
	case condAnd:
		return x.holds(c.lhs, s) && x.holds(c.rhs, s)
	case condOr:
		return x.holds(c.lhs, s) || x.holds(c.rhs, s)
	case condNot:
		return !x.holds(c.lhs, s)
	case condConst:
		return c.value
	}
	return x.compare(&c.cmp, s)
}

// compare evaluates one comparison on span s. An unscoped attribute (.x)
// is looked up among the span's attributes and its resource's, and the
// comparison holds when either value satisfies it; `= nil` holds when the
// field is missing everywhere it is looked up, `!= nil` when it is present
// anywhere. Every other comparison with a missing field is false.
func (x *evalCtx) compare(c *comparison, s *Span) bool {
	var vals [2]Value
	n := 0
	if c.field.Intrinsic != NoIntrinsic {
		if v, ok := x.intrinsic(c.field.Intrinsic, s); ok {
			vals[0], n = v, 1
		}
	} else {
		if c.field.Scope != ScopeResource {
			if v, ok := lookup(s.Attrs, c.field.Name); ok {
				vals[n], n = v, n+1
			}
		}
		if c.field.Scope != ScopeSpan {
			if v, ok := lookup(s.Resource, c.field.Name); ok {
				vals[n], n = v, n+1
			}
		}
	}
	if c.lit.Type == LitNil {
		return (c.op == Eq) == (n == 0)
	}
	for i := range n {
		if c.matches(vals[i]) {
			return true
		}
	}
	return false
}

// intrinsic returns the value of an intrinsic field for span s, or false
// when it has none (a trace without a root has no rootName). Status and
// kind come back as ValueInt holding the StatusCode or SpanKind; durations
// as ValueInt nanoseconds.
func (x *evalCtx) intrinsic(in Intrinsic, s *Span) (Value, bool) {
	switch in {
	case Name:
		return Value{Kind: ValueString, Str: s.Name}, true
	case Status:
		return Value{Kind: ValueInt, Int: int64(s.status())}, true
	case StatusMessage:
		return Value{Kind: ValueString, Str: s.StatusMessage}, true
	case Duration:
		return Value{Kind: ValueInt, Int: s.EndUnixNano - s.StartUnixNano}, true
	case Kind:
		return Value{Kind: ValueInt, Int: int64(s.kind())}, true
	case TraceDuration:
		return Value{Kind: ValueInt, Int: x.traceDuration()}, true
	case TraceRootName, TraceRootService:
		r := x.rootIndex()
		if r < 0 {
			return Value{}, false
		}
		root := &x.t.Spans[r]
		if in == TraceRootName {
			return Value{Kind: ValueString, Str: root.Name}, true
		}
		return lookup(root.Resource, "service.name")
	}
	return Value{}, false
}

// matches compares a present value with the literal. The types must fit:
// a string literal compares with strings only, a number or duration with
// ints and floats, a boolean with booleans; anything else is false, as in
// Tempo, never an error.
func (c *comparison) matches(v Value) bool {
	switch c.lit.Type {
	case LitString:
		if v.Kind != ValueString {
			return false
		}
		switch c.op {
		case Regex:
			return c.re.MatchString(v.Str)
		case NotRegex:
			return !c.re.MatchString(v.Str)
		}
		return ordered(strings.Compare(v.Str, c.lit.Str), c.op)
	case LitInt, LitFloat, LitDuration:
		return compareNumber(v, c.op, c.lit)
	case LitBool:
		return v.Kind == ValueBool && equality(v.Bool == c.lit.Bool, c.op)
	case LitStatus:
		return v.Kind == ValueInt && equality(v.Int == int64(c.lit.Status), c.op)
	case LitKind:
		return v.Kind == ValueInt && equality(v.Int == int64(c.lit.Kind), c.op)
	}
	return false
}

// compareNumber compares an int or float value with a numeric literal as
// Tempo does: int with int (a duration is an int of nanoseconds) exactly,
// any other pair as float64.
func compareNumber(v Value, op CompareOperator, lit Literal) bool {
	litInt, litIsInt := lit.Int, lit.Type != LitFloat
	if lit.Type == LitDuration {
		litInt = int64(lit.Duration)
	}
	if v.Kind == ValueInt && litIsInt {
		switch {
		case v.Int < litInt:
			return ordered(-1, op)
		case v.Int > litInt:
			return ordered(1, op)
		}
		return ordered(0, op)
	}
	var a, b float64
	switch v.Kind {
	case ValueInt:
		a = float64(v.Int)
	case ValueFloat:
		a = v.Float
	default:
		return false
	}
	b = lit.Float
	if litIsInt {
		b = float64(litInt)
	}
	switch op {
	case Eq:
		return a == b
	case Neq:
		return a != b
	case Lt:
		return a < b
	case Lte:
		return a <= b
	case Gt:
		return a > b
	case Gte:
		return a >= b
	}
	return false
}

// ordered turns the result of a three-way comparison into the operator's
// answer.
func ordered(cmp int, op CompareOperator) bool {
	switch op {
	case Eq:
		return cmp == 0
	case Neq:
		return cmp != 0
	case Lt:
		return cmp < 0
	case Lte:
		return cmp <= 0
	case Gt:
		return cmp > 0
	case Gte:
		return cmp >= 0
	}
	return false
}

// equality answers = and != given whether the two sides are equal.
func equality(equal bool, op CompareOperator) bool {
	switch op {
	case Eq:
		return equal
	case Neq:
		return !equal
	}
	return false
}
