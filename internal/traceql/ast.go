package traceql

import "time"

// SpansetExpr is a query: a spanset filter, or two spanset expressions
// combined by a [SpansetOp]. It is either *SpansetFilter or *SpansetOp.
type SpansetExpr interface {
	String() string
	spansetExpr()
}

// SpansetFilter is `{ Cond }`: the spans of a trace for which Cond holds.
// A nil Cond is the empty filter `{}`, which selects every span.
type SpansetFilter struct {
	Cond Cond
}

// SpansetOperator combines two spansets.
type SpansetOperator int

// The spanset operators. And and Union share the lowest precedence; Child
// and Descendant bind tighter. All are left-associative.
const (
	SpansetAnd        SpansetOperator = iota + 1 // &&: both sides match in the trace
	SpansetUnion                                 // ||: either side matches
	SpansetChild                                 // >: right-hand spans whose parent matches the left
	SpansetDescendant                            // >>: right-hand spans with a matching ancestor
)

// SpansetOp is `LHS Op RHS` between spansets.
type SpansetOp struct {
	Op       SpansetOperator
	LHS, RHS SpansetExpr
}

func (*SpansetFilter) spansetExpr() {}
func (*SpansetOp) spansetExpr()     {}

// Cond is a condition on one span inside `{ ... }`. It is *Logical, *Not,
// *Comparison or *BoolLit.
type Cond interface {
	String() string
	cond()
}

// LogicalOperator joins two conditions.
type LogicalOperator int

// The logical operators. As in Tempo's grammar they share one precedence
// level and associate to the left: `a || b && c` is `(a || b) && c`.
const (
	And LogicalOperator = iota + 1 // &&
	Or                             // ||
)

// Logical is `LHS Op RHS` inside a filter.
type Logical struct {
	Op       LogicalOperator
	LHS, RHS Cond
}

// Not is `!( Cond )`.
type Not struct {
	Cond Cond
}

// BoolLit is a bare `true` or `false` used as a whole condition.
type BoolLit struct {
	Value bool
}

// CompareOperator compares a field with a value.
type CompareOperator int

// The comparison operators.
const (
	Eq       CompareOperator = iota + 1 // =
	Neq                                 // !=
	Gt                                  // >
	Gte                                 // >=
	Lt                                  // <
	Lte                                 // <=
	Regex                               // =~ (the value is a string holding a Go regexp)
	NotRegex                            // !~
)

// Comparison is `Field Op Value`. When Op is Regex or NotRegex, Value is a
// string that compiles with Go's regexp package.
type Comparison struct {
	Field Field
	Op    CompareOperator
	Value Literal
}

func (*Logical) cond()    {}
func (*Not) cond()        {}
func (*BoolLit) cond()    {}
func (*Comparison) cond() {}

// Intrinsic is a field every span (or trace) has.
type Intrinsic int

// The supported intrinsics. Each has a legacy spelling and a scoped one;
// both parse to the same value.
const (
	NoIntrinsic      Intrinsic = iota // the field is an attribute
	Name                              // name, span:name
	Status                            // status, span:status
	StatusMessage                     // statusMessage, span:statusMessage
	Duration                          // duration, span:duration
	Kind                              // kind, span:kind
	TraceRootName                     // rootName, trace:rootName
	TraceRootService                  // rootServiceName, trace:rootService
	TraceDuration                     // traceDuration, trace:duration
)

// Scope says where an attribute is looked up.
type Scope int

// The supported attribute scopes.
const (
	ScopeAny      Scope = iota // .x: span attributes, then resource attributes
	ScopeSpan                  // span.x
	ScopeResource              // resource.x
)

// Field is the left-hand side of a comparison: an intrinsic, or an attribute
// when Intrinsic is NoIntrinsic.
type Field struct {
	Intrinsic Intrinsic
	Scope     Scope  // attributes only
	Name      string // attributes only; never empty
}

// LitType is the type of a Literal.
type LitType int

// The literal types.
const (
	LitString LitType = iota + 1
	LitInt
	LitFloat
	LitBool
	LitDuration
	LitNil
	LitStatus
	LitKind
)

// StatusCode is a span status value: ok, error or unset.
type StatusCode int

// The span status values.
const (
	StatusOK StatusCode = iota + 1
	StatusError
	StatusUnset
)

// SpanKind is a span kind value.
type SpanKind int

// The span kind values.
const (
	KindUnspecified SpanKind = iota + 1
	KindInternal
	KindServer
	KindClient
	KindProducer
	KindConsumer
)

// Literal is a constant on the right-hand side of a comparison. Only the
// field selected by Type is meaningful.
type Literal struct {
	Type     LitType
	Str      string
	Int      int64
	Float    float64
	Bool     bool
	Duration time.Duration
	Status   StatusCode
	Kind     SpanKind
}
