package traceql

import (
	"regexp"
	"strings"
)

var intrinsics = map[string]Intrinsic{
	"name": Name, "span:name": Name,
	"status": Status, "span:status": Status,
	"statusMessage": StatusMessage, "span:statusMessage": StatusMessage,
	"duration": Duration, "span:duration": Duration,
	"kind": Kind, "span:kind": Kind,
	"rootName": TraceRootName, "trace:rootName": TraceRootName,
	"rootServiceName": TraceRootService, "trace:rootService": TraceRootService,
	"traceDuration": TraceDuration, "trace:duration": TraceDuration,
}

// unsupportedIntrinsics are Tempo intrinsics without a colon that this
// package refuses; every word with a colon that is not in intrinsics is
// refused the same way.
var unsupportedIntrinsics = map[string]bool{
	"childCount": true, "parent": true, "nestedSetLeft": true, "nestedSetRight": true, "nestedSetParent": true,
}

const supportedIntrinsics = "supported: name, status, statusMessage, duration, kind, rootName, rootServiceName, " +
	"traceDuration and their span:/trace: forms"

var compareOps = map[tokKind]CompareOperator{
	tEq: Eq, tNeq: Neq, tGt: Gt, tGte: Gte, tLt: Lt, tLte: Lte, tRe: Regex, tNre: NotRegex,
}

var valueWords = map[string]Literal{
	"true": {Type: LitBool, Bool: true}, "false": {Type: LitBool}, "nil": {Type: LitNil},
	"ok": {Type: LitStatus, Status: StatusOK}, "error": {Type: LitStatus, Status: StatusError},
	"unset":       {Type: LitStatus, Status: StatusUnset},
	"unspecified": {Type: LitKind, Kind: KindUnspecified}, "internal": {Type: LitKind, Kind: KindInternal},
	"server": {Type: LitKind, Kind: KindServer}, "client": {Type: LitKind, Kind: KindClient},
	"producer": {Type: LitKind, Kind: KindProducer}, "consumer": {Type: LitKind, Kind: KindConsumer},
}

// field reads an intrinsic or attribute token, or returns ok=false.
func (p *parser) field() (f Field, ok bool, err *Error) {
	switch p.tok.kind {
	case tAttr:
		return p.tok.field, true, nil
	case tWord:
		if in, found := intrinsics[p.tok.text]; found {
			return Field{Intrinsic: in}, true, nil
		}
		if unsupportedIntrinsics[p.tok.text] || strings.Contains(p.tok.text, ":") {
			return Field{}, false, p.errorf(ErrUnsupported, "intrinsic %s is not supported (%s)", p.tok.text, supportedIntrinsics)
		}
	}
	return Field{}, false, nil
}

// comparison := field op value
func (p *parser) comparison() (Cond, *Error) {
	f, ok, err := p.field()
	if err != nil {
		return nil, err
	}
	if !ok {
		if _, isValue := valueWords[p.tok.text]; isValue || p.tok.kind == tString || isNumber(p.tok.kind) {
			return nil, p.errorf(ErrSyntax, "a comparison needs an intrinsic or attribute on its left, not %s", p.tok.text)
		}
		return nil, p.unexpected("a condition: an intrinsic or attribute comparison, (, ! or }")
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	opTok := p.tok
	op, ok := compareOps[p.tok.kind]
	if !ok {
		if p.tok.kind == tAnd || p.tok.kind == tOr || p.tok.kind == tRBrace || p.tok.kind == tRParen {
			return nil, p.errorf(ErrUnsupported, "a bare field (%s) is not a condition; compare it, as in %s != nil", f, f)
		}
		return nil, p.unexpected("a comparison operator (=, !=, >, >=, <, <=, =~, !~)")
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	valTok := p.tok
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	c := &Comparison{Field: f, Op: op, Value: v}
	if msg := check(c); msg != "" {
		return nil, newError(p.lex.src, valTok.pos, ErrSyntax, "%s", msg)
	}
	if op == Regex || op == NotRegex {
		if _, rerr := regexp.Compile(v.Str); rerr != nil {
			return nil, newError(p.lex.src, valTok.pos, ErrSyntax, "invalid regular expression %q after %s: %v", v.Str, opTok.text, rerr)
		}
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if isCompare(p.tok.kind) {
		return nil, p.errorf(ErrUnsupported, "chained comparisons are not supported; join comparisons with && or ||")
	}
	return c, nil
}

// value reads a literal without advancing past it.
func (p *parser) value() (Literal, *Error) {
	t := p.tok
	switch t.kind {
	case tString:
		return Literal{Type: LitString, Str: t.str}, nil
	case tInt:
		return Literal{Type: LitInt, Int: t.i}, nil
	case tFloat:
		return Literal{Type: LitFloat, Float: t.f}, nil
	case tDuration:
		return Literal{Type: LitDuration, Duration: t.d}, nil
	case tWord:
		if v, ok := valueWords[t.text]; ok {
			return v, nil
		}
	}
	if _, ok, err := p.field(); err != nil || ok {
		if err != nil {
			return Literal{}, err
		}
		return Literal{}, p.errorf(ErrUnsupported, "comparing a field with another field (%s) is not supported; compare with a value", t.text)
	}
	return Literal{}, p.unexpected("a value: string, number, duration, true, false, nil, a status or a kind")
}

// check returns why the comparison's operator and types do not fit, or "".
func check(c *Comparison) string {
	v, op := c.Value, c.Op
	eqOnly := op == Eq || op == Neq
	switch {
	case op == Regex || op == NotRegex:
		if v.Type != LitString {
			return "=~ and !~ need a string holding a regular expression, not " + v.String()
		}
	case v.Type == LitNil || v.Type == LitBool || v.Type == LitStatus || v.Type == LitKind:
		if !eqOnly {
			return v.String() + " can only be compared with = or !="
		}
	}
	switch c.Field.Intrinsic {
	case Status:
		if v.Type != LitStatus && v.Type != LitNil {
			return "status compares with ok, error or unset, not " + v.String()
		}
		if !eqOnly {
			return "status can only be compared with = or !="
		}
	case Kind:
		if v.Type != LitKind && v.Type != LitNil {
			return "kind compares with unspecified, internal, server, client, producer or consumer, not " + v.String()
		}
		if !eqOnly {
			return "kind can only be compared with = or !="
		}
	case Duration, TraceDuration:
		if v.Type != LitDuration && v.Type != LitNil {
			return c.Field.String() + " compares with a duration such as 100ms, not " + v.String()
		}
	case Name, StatusMessage, TraceRootName, TraceRootService:
		if v.Type != LitString && v.Type != LitNil {
			return c.Field.String() + " compares with a string, not " + v.String()
		}
	case NoIntrinsic:
		if v.Type == LitStatus || v.Type == LitKind {
			return "the bare word " + v.String() + " is a status or kind value; compare status or kind with it, or quote it as a string"
		}
	}
	return ""
}
