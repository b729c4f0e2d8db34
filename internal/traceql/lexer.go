package traceql

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF tokKind = iota
	tLBrace
	tRBrace
	tLParen
	tRParen
	tAnd
	tOr
	tNot
	tEq
	tNeq
	tRe
	tNre
	tGt
	tGte
	tLt
	tLte
	tDesc
	tString
	tInt
	tFloat
	tDuration
	tWord  // an identifier or keyword; scoped intrinsics keep their colon: "span:name"
	tAttr  // an attribute reference; field holds it
	tOther // TraceQL we recognise but refuse: | ~ << !> &> + - * / % ^ ,
)

type token struct {
	kind  tokKind
	pos   int
	text  string // the source text of the token
	str   string // tString: the unquoted value
	i     int64
	f     float64
	d     time.Duration
	field Field
}

// lexer reads tokens on demand, left to right, never backing up more than
// one token's worth of bytes: lexing is linear in the query length.
type lexer struct {
	src string
	pos int
}

// ops maps operator spellings to tokens; the lexer takes the longest match.
var ops = map[string]tokKind{
	"{": tLBrace, "}": tRBrace, "(": tLParen, ")": tRParen,
	"&&": tAnd, "||": tOr, "!": tNot,
	"=": tEq, "!=": tNeq, "=~": tRe, "!~": tNre,
	">": tGt, ">=": tGte, "<": tLt, "<=": tLte, ">>": tDesc,
	"|": tOther, "~": tOther, "<<": tOther, "!>": tOther, "!>>": tOther, "!<": tOther,
	"!<<": tOther, "&": tOther, "&>": tOther, "&>>": tOther, "&<": tOther, "&<<": tOther,
	"&~": tOther, "+": tOther, "-": tOther, "*": tOther, "/": tOther, "%": tOther,
	"^": tOther, ",": tOther,
}

// unsupportedScopes are attribute scopes Tempo has and this package refuses.
var unsupportedScopes = map[string]bool{"event": true, "link": true, "instrumentation": true, "parent": true}

// intrinsicScopes are the words that may precede ':' in a scoped intrinsic.
var intrinsicScopes = map[string]bool{"span": true, "trace": true, "event": true, "link": true, "instrumentation": true}

func (l *lexer) next() (token, *Error) {
	for l.pos < len(l.src) && strings.IndexByte(" \t\r\n", l.src[l.pos]) >= 0 {
		l.pos++
	}
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[start]
	switch {
	case c == '"' || c == '`':
		return l.string()
	case isDigit(c) || (c == '-' && start+1 < len(l.src) && isDigit(l.src[start+1])):
		return l.number()
	case c == '.':
		l.pos++
		return l.attribute(start, ScopeAny, ".")
	case isWordStart(c):
		return l.word()
	case strings.HasPrefix(l.src[start:], "//") || strings.HasPrefix(l.src[start:], "/*"):
		return token{}, newError(l.src, start, ErrUnsupported, "comments are not supported")
	}
	for n := 3; n >= 1; n-- {
		if start+n <= len(l.src) {
			if k, ok := ops[l.src[start:start+n]]; ok {
				l.pos += n
				return token{kind: k, pos: start, text: l.src[start:l.pos]}, nil
			}
		}
	}
	r, size := utf8.DecodeRuneInString(l.src[start:])
	if r == utf8.RuneError && size == 1 {
		return token{}, newError(l.src, start, ErrSyntax, "invalid UTF-8 byte 0x%02x", c)
	}
	return token{}, newError(l.src, start, ErrSyntax, "unexpected character %q", r)
}

func (l *lexer) string() (token, *Error) {
	start := l.pos
	quote := l.src[start]
	i := start + 1
	for ; i < len(l.src) && l.src[i] != quote; i++ {
		if quote == '"' && l.src[i] == '\\' {
			i++
		} else if quote == '"' && l.src[i] == '\n' {
			return token{}, newError(l.src, start, ErrSyntax, "newline in string literal")
		}
	}
	if i >= len(l.src) {
		return token{}, newError(l.src, start, ErrSyntax, "unterminated string literal, expected closing %c", quote)
	}
	l.pos = i + 1
	text := l.src[start:l.pos]
	s, err := strconv.Unquote(text)
	if err != nil {
		return token{}, newError(l.src, start, ErrSyntax, "invalid string literal %s: %v", clip(text), err)
	}
	return token{kind: tString, pos: start, text: text, str: s}, nil
}

func (l *lexer) number() (token, *Error) {
	start := l.pos
	i := start
	if l.src[i] == '-' {
		i++
	}
	i = skipDigits(l.src, i)
	isFloat := false
	if i+1 < len(l.src) && l.src[i] == '.' && isDigit(l.src[i+1]) {
		i = skipDigits(l.src, i+1)
		isFloat = true
	}
	if i < len(l.src) && (l.src[i] == 'e' || l.src[i] == 'E') {
		j := i + 1
		if j < len(l.src) && (l.src[j] == '+' || l.src[j] == '-') {
			j++
		}
		if j < len(l.src) && isDigit(l.src[j]) {
			i = skipDigits(l.src, j)
			isFloat = true
		}
	}
	if r, _ := utf8.DecodeRuneInString(l.src[i:]); i < len(l.src) && isDurationRune(r) {
		for i < len(l.src) {
			r, size := utf8.DecodeRuneInString(l.src[i:])
			if !isDurationRune(r) && r != '.' && !isDigit(l.src[i]) {
				break
			}
			i += size
		}
		l.pos = i
		text := l.src[start:i]
		d, err := parseDuration(text)
		if err != nil {
			return token{}, newError(l.src, start, ErrSyntax, "invalid duration %q: %v", clip(text), err)
		}
		return token{kind: tDuration, pos: start, text: text, d: d}, nil
	}
	l.pos = i
	text := l.src[start:i]
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return token{}, newError(l.src, start, ErrSyntax, "invalid float %q: out of range", clip(text))
		}
		return token{kind: tFloat, pos: start, text: text, f: f}, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return token{}, newError(l.src, start, ErrSyntax, "invalid integer %q: out of the 64-bit range", clip(text))
	}
	return token{kind: tInt, pos: start, text: text, i: n}, nil
}

func (l *lexer) word() (token, *Error) {
	start := l.pos
	i := start
	for i < len(l.src) && (isWordStart(l.src[i]) || isDigit(l.src[i])) {
		i++
	}
	w := l.src[start:i]
	l.pos = i
	if i < len(l.src) && l.src[i] == '.' {
		switch {
		case w == "span":
			l.pos++
			return l.attribute(start, ScopeSpan, "span.")
		case w == "resource":
			l.pos++
			return l.attribute(start, ScopeResource, "resource.")
		case unsupportedScopes[w]:
			return token{}, newError(l.src, start, ErrUnsupported,
				"%s. attributes are not supported (supported: .x, span.x, resource.x)", w)
		}
	}
	if i < len(l.src) && l.src[i] == ':' && intrinsicScopes[w] {
		i++
		for i < len(l.src) && (isWordStart(l.src[i]) || isDigit(l.src[i])) {
			i++
		}
		l.pos = i
	}
	return token{kind: tWord, pos: start, text: l.src[start:l.pos]}, nil
}

// attribute reads an attribute name after its scope prefix: bare runes and
// double-quoted parts (escapes \" and \\), as Tempo's lexer does.
func (l *lexer) attribute(start int, scope Scope, prefix string) (token, *Error) {
	var sb strings.Builder
	for l.pos < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		switch {
		case r == utf8.RuneError && size == 1:
			return token{}, newError(l.src, l.pos, ErrSyntax, "invalid UTF-8 byte 0x%02x in attribute name", l.src[l.pos])
		case r == '"':
			if err := l.quotedName(&sb); err != nil {
				return token{}, err
			}
			continue
		case !isAttrRune(r):
			goto done
		}
		sb.WriteRune(r)
		l.pos += size
	}
done:
	if sb.Len() == 0 {
		return token{}, newError(l.src, start, ErrSyntax, "expected an attribute name after %q", prefix)
	}
	return token{kind: tAttr, pos: start, text: l.src[start:l.pos], field: Field{Scope: scope, Name: sb.String()}}, nil
}

func (l *lexer) quotedName(sb *strings.Builder) *Error {
	open := l.pos
	l.pos++
	for l.pos < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[l.pos:])
		switch {
		case r == utf8.RuneError && size == 1:
			return newError(l.src, l.pos, ErrSyntax, "invalid UTF-8 byte 0x%02x in attribute name", l.src[l.pos])
		case r == '"':
			l.pos++
			return nil
		case r == '\\':
			if l.pos+1 >= len(l.src) || (l.src[l.pos+1] != '"' && l.src[l.pos+1] != '\\') {
				return newError(l.src, l.pos, ErrSyntax, `invalid escape in quoted attribute name (only \" and \\)`)
			}
			sb.WriteByte(l.src[l.pos+1])
			l.pos += 2
			continue
		}
		sb.WriteRune(r)
		l.pos += size
	}
	return newError(l.src, open, ErrSyntax, `unterminated quoted attribute name, expected closing "`)
}

// parseDuration accepts Go durations (1.5s, 100ms, 10us, 1h30m) plus Tempo's
// d (24h) and w (7d) units.
func parseDuration(s string) (time.Duration, error) {
	if !strings.ContainsAny(s, "dw") {
		return time.ParseDuration(s)
	}
	neg := strings.HasPrefix(s, "-")
	rest := strings.TrimPrefix(s, "-")
	var total time.Duration
	for rest != "" {
		i := 0
		for i < len(rest) && (isDigit(rest[i]) || rest[i] == '.') {
			i++
		}
		j := i
		for j < len(rest) && !isDigit(rest[j]) && rest[j] != '.' {
			j++
		}
		num, unit := rest[:i], rest[i:j]
		rest = rest[j:]
		mult := time.Duration(1)
		switch unit {
		case "d":
			unit, mult = "h", 24
		case "w":
			unit, mult = "h", 24*7
		}
		d, err := time.ParseDuration(num + unit)
		if err != nil {
			return 0, err
		}
		if d > (1<<63-1)/mult || total > (1<<63-1)-d*mult {
			return 0, strconv.ErrRange
		}
		total += d * mult
	}
	if neg {
		total = -total
	}
	return total, nil
}

func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isWordStart(c byte) bool { return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

func isDurationRune(r rune) bool {
	return strings.ContainsRune("nsuµμmhdw", r)
}

// isAttrRune reports whether r may appear unquoted in an attribute name:
// Tempo's rule (anything but space and operator characters), minus control
// characters and the double quote that starts a quoted part.
func isAttrRune(r rune) bool {
	return !unicode.IsSpace(r) && !unicode.IsControl(r) && !strings.ContainsRune(`{}()=~!<>&|^,"`, r)
}

func skipDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// clip shortens text quoted in an error message to snippetBytes.
func clip(s string) string {
	if len(s) <= snippetBytes {
		return s
	}
	end := snippetBytes
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + "..."
}
