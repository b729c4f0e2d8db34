package traceql

import (
	"errors"
	"fmt"
	"regexp"
)

// Query is a compiled query: its regular expressions compiled once, its
// index terms and fields derived once. A Query is immutable and safe for
// concurrent use.
type Query struct {
	expr      SpansetExpr
	root      *setNode
	fields    []Field
	necessary [][]Term
}

// setNode is a compiled spanset expression: a filter when op is 0.
type setNode struct {
	op       SpansetOperator
	cond     *condNode // filters only; nil selects every span
	lhs, rhs *setNode
}

type condKind int

const (
	condAnd condKind = iota + 1
	condOr
	condNot     // lhs negated
	condConst   // value
	condCompare // cmp
)

// condNode is a compiled condition on one span.
type condNode struct {
	kind     condKind
	lhs, rhs *condNode
	value    bool
	cmp      comparison
}

// comparison is a compiled Comparison.
type comparison struct {
	field Field
	op    CompareOperator
	lit   Literal
	re    *regexp.Regexp // Regex and NotRegex: the pattern, anchored at both ends
}

// errNilNode is returned by Compile for an AST with a nil node in it.
var errNilNode = errors.New("traceql: compile: nil expression")

// Compile prepares a parsed query for evaluation. It checks the AST the way
// Parse does (operators against literal types, regular expressions), so an
// AST built by hand is held to the same rules; an AST from Parse always
// compiles.
func Compile(e SpansetExpr) (*Query, error) {
	q := &Query{expr: e}
	root, err := q.compileSet(e)
	if err != nil {
		return nil, err
	}
	q.root = root
	q.fields = fieldsOf(e, nil)
	q.necessary = necessarySet(e)
	return q, nil
}

// String returns the query as TraceQL.
func (q *Query) String() string { return q.expr.String() }

// Fields returns the attribute fields the query names, without duplicates,
// in order of appearance: the attributes a search answer shows beside the
// matched spans, as Tempo does.
func (q *Query) Fields() []Field {
	return append([]Field(nil), q.fields...)
}

func (q *Query) compileSet(e SpansetExpr) (*setNode, error) {
	switch e := e.(type) {
	case *SpansetFilter:
		if e == nil {
			return nil, errNilNode
		}
		if e.Cond == nil {
			return &setNode{}, nil
		}
		c, err := compileCond(e.Cond)
		if err != nil {
			return nil, err
		}
		return &setNode{cond: c}, nil
	case *SpansetOp:
		if e == nil {
			return nil, errNilNode
		}
		if e.Op < SpansetAnd || e.Op > SpansetDescendant {
			return nil, fmt.Errorf("traceql: compile: unknown spanset operator %d", e.Op)
		}
		lhs, err := q.compileSet(e.LHS)
		if err != nil {
			return nil, err
		}
		rhs, err := q.compileSet(e.RHS)
		if err != nil {
			return nil, err
		}
		return &setNode{op: e.Op, lhs: lhs, rhs: rhs}, nil
	}
	return nil, errNilNode
}

func compileCond(c Cond) (*condNode, error) {
	switch c := c.(type) {
	case *Logical:
		if c == nil {
			return nil, errNilNode
		}
		kind := condAnd
		switch c.Op {
		case And:
		case Or:
			kind = condOr
		default:
			return nil, fmt.Errorf("traceql: compile: unknown logical operator %d", c.Op)
		}
		lhs, err := compileCond(c.LHS)
		if err != nil {
			return nil, err
		}
		rhs, err := compileCond(c.RHS)
		if err != nil {
			return nil, err
		}
		return &condNode{kind: kind, lhs: lhs, rhs: rhs}, nil
	case *Not:
		if c == nil {
			return nil, errNilNode
		}
		inner, err := compileCond(c.Cond)
		if err != nil {
			return nil, err
		}
		return &condNode{kind: condNot, lhs: inner}, nil
	case *BoolLit:
		if c == nil {
			return nil, errNilNode
		}
		return &condNode{kind: condConst, value: c.Value}, nil
	case *Comparison:
		if c == nil {
			return nil, errNilNode
		}
		cmp, err := compileComparison(c)
		if err != nil {
			return nil, err
		}
		return &condNode{kind: condCompare, cmp: cmp}, nil
	}
	return nil, errNilNode
}

func compileComparison(c *Comparison) (comparison, error) {
	if c.Op < Eq || c.Op > NotRegex {
		return comparison{}, fmt.Errorf("traceql: compile %s: unknown comparison operator %d", c, c.Op)
	}
	if c.Value.Type < LitString || c.Value.Type > LitKind {
		return comparison{}, fmt.Errorf("traceql: compile %s: unknown literal type %d", c, c.Value.Type)
	}
	if c.Field.Intrinsic < NoIntrinsic || c.Field.Intrinsic > TraceDuration {
		return comparison{}, fmt.Errorf("traceql: compile %s: unknown intrinsic %d", c, c.Field.Intrinsic)
	}
	if msg := check(c); msg != "" {
		return comparison{}, fmt.Errorf("traceql: compile %s: %s", c, msg)
	}
	cmp := comparison{field: c.Field, op: c.Op, lit: c.Value}
	if c.Op == Regex || c.Op == NotRegex {
		// Tempo anchors regular expressions at both ends (Prometheus'
		// FastRegexMatcher, since Tempo 2.7): "bar" matches "bar" only.
		re, err := regexp.Compile("^(?:" + c.Value.Str + ")$")
		if err != nil {
			return comparison{}, fmt.Errorf("traceql: compile %s: %w", c, err)
		}
		cmp.re = re
	}
	return cmp, nil
}

// fieldsOf appends the attribute fields of e not yet in fields.
func fieldsOf(e SpansetExpr, fields []Field) []Field {
	switch e := e.(type) {
	case *SpansetFilter:
		return condFields(e.Cond, fields)
	case *SpansetOp:
		return fieldsOf(e.RHS, fieldsOf(e.LHS, fields))
	}
	return fields
}

func condFields(c Cond, fields []Field) []Field {
	switch c := c.(type) {
	case *Logical:
		return condFields(c.RHS, condFields(c.LHS, fields))
	case *Not:
		return condFields(c.Cond, fields)
	case *Comparison:
		if c.Field.Intrinsic != NoIntrinsic {
			return fields
		}
		for _, f := range fields {
			if f == c.Field {
				return fields
			}
		}
		return append(fields, c.Field)
	}
	return fields
}
