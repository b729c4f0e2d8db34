package traceql

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The String methods print TraceQL that parses back to the same AST. They add
// only the parentheses the grouping needs, so printing never nests deeper
// than the query that was parsed.

var spansetOpText = map[SpansetOperator]string{
	SpansetAnd: "&&", SpansetUnion: "||", SpansetChild: ">", SpansetDescendant: ">>",
}

var logicalOpText = map[LogicalOperator]string{And: "&&", Or: "||"}

var compareOpText = map[CompareOperator]string{
	Eq: "=", Neq: "!=", Gt: ">", Gte: ">=", Lt: "<", Lte: "<=", Regex: "=~", NotRegex: "!~",
}

// intrinsicText is the spelling String uses: the legacy one, which every
// Tempo 2.x release accepts.
var intrinsicText = map[Intrinsic]string{
	Name: "name", Status: "status", StatusMessage: "statusMessage", Duration: "duration",
	Kind: "kind", TraceRootName: "rootName", TraceRootService: "rootServiceName",
	TraceDuration: "traceDuration",
}

var statusText = map[StatusCode]string{StatusOK: "ok", StatusError: "error", StatusUnset: "unset"}

var kindText = map[SpanKind]string{
	KindUnspecified: "unspecified", KindInternal: "internal", KindServer: "server",
	KindClient: "client", KindProducer: "producer", KindConsumer: "consumer",
}

func spansetPrec(e SpansetExpr) int {
	if op, ok := e.(*SpansetOp); ok {
		if op.Op == SpansetAnd || op.Op == SpansetUnion {
			return 1
		}
		return 2
	}
	return 3
}

func (f *SpansetFilter) String() string {
	if f.Cond == nil {
		return "{}"
	}
	return "{ " + f.Cond.String() + " }"
}

func (o *SpansetOp) String() string {
	p := spansetPrec(o)
	return wrap(o.LHS.String(), spansetPrec(o.LHS) < p) + " " + spansetOpText[o.Op] + " " +
		wrap(o.RHS.String(), spansetPrec(o.RHS) <= p)
}

func (l *Logical) String() string {
	_, rhsLogical := l.RHS.(*Logical)
	return l.LHS.String() + " " + logicalOpText[l.Op] + " " + wrap(l.RHS.String(), rhsLogical)
}

func (n *Not) String() string { return "!(" + n.Cond.String() + ")" }

func (b *BoolLit) String() string { return strconv.FormatBool(b.Value) }

func (c *Comparison) String() string {
	return c.Field.String() + " " + compareOpText[c.Op] + " " + c.Value.String()
}

func wrap(s string, paren bool) string {
	if paren {
		return "(" + s + ")"
	}
	return s
}

// String prints the field as TraceQL: `name`, `.x`, `span.x`, `resource."a b"`.
func (f Field) String() string {
	if f.Intrinsic != NoIntrinsic {
		return intrinsicText[f.Intrinsic]
	}
	prefix := "."
	switch f.Scope {
	case ScopeSpan:
		prefix = "span."
	case ScopeResource:
		prefix = "resource."
	}
	return prefix + attrNameText(f.Name)
}

// attrNameText prints an attribute name bare when the lexer reads it back
// unchanged, and in double quotes (escaping \ and ") otherwise.
func attrNameText(name string) string {
	bare := name != ""
	for _, r := range name {
		if r == '"' || r == utf8.RuneError || !isAttrRune(r) {
			bare = false
			break
		}
	}
	if bare {
		return name
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(name) + `"`
}

// String prints the literal as TraceQL.
func (l Literal) String() string {
	switch l.Type {
	case LitString:
		return strconv.Quote(l.Str)
	case LitInt:
		return strconv.FormatInt(l.Int, 10)
	case LitFloat:
		s := strconv.FormatFloat(l.Float, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s
	case LitBool:
		return strconv.FormatBool(l.Bool)
	case LitDuration:
		return l.Duration.String()
	case LitNil:
		return "nil"
	case LitStatus:
		return statusText[l.Status]
	case LitKind:
		return kindText[l.Kind]
	}
	return "<invalid literal>"
}
