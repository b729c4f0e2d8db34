package traceql

// Limits on hostile input.
const (
	// MaxQueryBytes is the longest query Parse accepts.
	MaxQueryBytes = 16 << 10
	// MaxDepth is how deeply ( and { may nest.
	MaxDepth = 64
)

const supportedSummary = "supported: spanset filters { ... } combined with &&, ||, >, >>"

// Parse parses a TraceQL query into its AST. It accepts the subset described
// in the package documentation and refuses anything else with an *Error
// naming the refused part and its byte offset.
func Parse(query string) (SpansetExpr, error) {
	if len(query) > MaxQueryBytes {
		return nil, newError(query, MaxQueryBytes, ErrLimit, "query is %d bytes, longer than the %d-byte limit", len(query), MaxQueryBytes)
	}
	p := &parser{lex: lexer{src: query}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, p.errorf(ErrSyntax, "empty query, expected a spanset filter { ... }")
	}
	e, err := p.spansetExpr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected("&&, ||, >, >> or the end of the query")
	}
	return e, nil
}

type parser struct {
	lex      lexer
	tok      token
	depth    int
	inFilter bool // between { and }: spanset operators are not expected here
}

func (p *parser) advance() *Error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errorf(kind error, format string, args ...any) *Error {
	return newError(p.lex.src, p.tok.pos, kind, format, args...)
}

func (p *parser) enter() *Error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errorf(ErrLimit, "nesting deeper than %d levels of ( and {", MaxDepth)
	}
	return nil
}

// unexpected explains the current token, which is not what was expected.
func (p *parser) unexpected(expected string) *Error {
	t := p.tok
	switch {
	case t.kind == tEOF:
		return p.errorf(ErrSyntax, "unexpected end of query, expected %s", expected)
	case t.text == "|":
		return p.errorf(ErrUnsupported, "pipelines and aggregates are not supported (%s)", supportedSummary)
	case !p.inFilter && t.text == "~":
		return p.errorf(ErrUnsupported, "the sibling operator ~ is not supported (%s)", supportedSummary)
	case !p.inFilter && (t.text == "<" || t.text == "<<"):
		return p.errorf(ErrUnsupported, "the parent/ancestor operator %s is not supported (%s)", t.text, supportedSummary)
	case !p.inFilter && (t.kind == tOther && (t.text[0] == '!' || t.text[0] == '&') || t.kind == tNre):
		return p.errorf(ErrUnsupported, "the structural operator %s is not supported (%s)", t.text, supportedSummary)
	case t.kind == tOther && t.text == ",":
		return p.errorf(ErrSyntax, "unexpected \",\", expected %s", expected)
	case t.kind == tOther || (isNumber(t.kind) && t.text[0] == '-'):
		return p.errorf(ErrUnsupported, "arithmetic is not supported (supported: field op value comparisons)")
	case t.kind == tWord:
		if msg, ok := unsupportedWords[t.text]; ok {
			return p.errorf(ErrUnsupported, "%s are not supported (%s)", msg, supportedSummary)
		}
	}
	return p.errorf(ErrSyntax, "unexpected %q, expected %s", t.text, expected)
}

var unsupportedWords = map[string]string{
	"count": "pipelines and aggregates", "avg": "pipelines and aggregates",
	"min": "pipelines and aggregates", "max": "pipelines and aggregates",
	"sum": "pipelines and aggregates", "select": "select() pipelines",
	"by": "by() grouping pipelines", "coalesce": "coalesce() pipelines",
	"rate": "metrics functions", "count_over_time": "metrics functions",
	"quantile_over_time": "metrics functions", "with": "query hints",
}

// spansetExpr := spansetStruct { ("&&" | "||") spansetStruct }
func (p *parser) spansetExpr() (SpansetExpr, *Error) {
	lhs, err := p.spansetStruct()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tAnd || p.tok.kind == tOr {
		op := SpansetAnd
		if p.tok.kind == tOr {
			op = SpansetUnion
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		rhs, err := p.spansetStruct()
		if err != nil {
			return nil, err
		}
		lhs = &SpansetOp{Op: op, LHS: lhs, RHS: rhs}
	}
	return lhs, nil
}

// spansetStruct := spansetPrimary { (">" | ">>") spansetPrimary }
func (p *parser) spansetStruct() (SpansetExpr, *Error) {
	lhs, err := p.spansetPrimary()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tGt || p.tok.kind == tDesc {
		op := SpansetChild
		if p.tok.kind == tDesc {
			op = SpansetDescendant
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		rhs, err := p.spansetPrimary()
		if err != nil {
			return nil, err
		}
		lhs = &SpansetOp{Op: op, LHS: lhs, RHS: rhs}
	}
	return lhs, nil
}

// spansetPrimary := "{" [cond] "}" | "(" spansetExpr ")"
func (p *parser) spansetPrimary() (SpansetExpr, *Error) {
	switch p.tok.kind {
	case tLBrace, tLParen:
	default:
		return nil, p.unexpected("{ or (")
	}
	open := p.tok.kind
	if err := p.enter(); err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	var e SpansetExpr
	if open == tLParen {
		inner, err := p.spansetExpr()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.unexpected("&&, ||, >, >> or )")
		}
		e = inner
	} else {
		f := &SpansetFilter{}
		p.inFilter = true
		if p.tok.kind != tRBrace {
			c, err := p.cond()
			if err != nil {
				return nil, err
			}
			if p.tok.kind != tRBrace {
				return nil, p.unexpected("&&, || or }")
			}
			f.Cond = c
		}
		p.inFilter = false
		e = f
	}
	p.depth--
	return e, p.advance()
}

// cond := condPrimary { ("&&" | "||") condPrimary }
func (p *parser) cond() (Cond, *Error) {
	lhs, err := p.condPrimary()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tAnd || p.tok.kind == tOr {
		op := And
		if p.tok.kind == tOr {
			op = Or
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		rhs, err := p.condPrimary()
		if err != nil {
			return nil, err
		}
		lhs = &Logical{Op: op, LHS: lhs, RHS: rhs}
	}
	return lhs, nil
}

// condPrimary := "(" cond ")" | "!" "(" cond ")" | "true" | "false" | comparison
func (p *parser) condPrimary() (Cond, *Error) {
	switch {
	case p.tok.kind == tLParen:
		return p.parenCond()
	case p.tok.kind == tNot:
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tLParen {
			return nil, p.errorf(ErrUnsupported, "! must be followed by a parenthesised condition, as in !(.a = 1)")
		}
		c, err := p.parenCond()
		if err != nil {
			return nil, err
		}
		return &Not{Cond: c}, nil
	case p.tok.kind == tWord && (p.tok.text == "true" || p.tok.text == "false"):
		b := &BoolLit{Value: p.tok.text == "true"}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if isCompare(p.tok.kind) {
			return nil, p.errorf(ErrSyntax, "a comparison needs an intrinsic or attribute on its left, not %s", b)
		}
		return b, nil
	}
	return p.comparison()
}

func (p *parser) parenCond() (Cond, *Error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	c, err := p.cond()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tRParen {
		return nil, p.unexpected("&&, || or )")
	}
	p.depth--
	return c, p.advance()
}

func isNumber(k tokKind) bool { return k == tInt || k == tFloat || k == tDuration }

func isCompare(k tokKind) bool { return k >= tEq && k <= tLte }
