package importer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// traceState converts the trace_state member of a console span context,
// Python's repr of a TraceState, to the W3C tracestate form "k=v,k2=v2".
// It accepts the repr of the current Python SDK,
// "['{key=rojo, value=00f067aa0ba902b7}', ...]" (what sightline's console
// exporter writes too), a list of pairs "[('rojo', '00f067aa0ba902b7')]",
// a dict "{'rojo': '00f067aa0ba902b7'}", and a string already in the W3C
// form. "[]", "", null and an absent member are the empty trace state.
func traceState(raw []byte) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	s, err := stringValue(raw)
	if err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	if s == "" || s == "[]" || s == "{}" || s == "None" {
		return "", nil
	}
	if s[0] != '[' && s[0] != '{' {
		return s, nil
	}
	p := reprParser{s: s}
	kvs, err := p.parse()
	if err != nil {
		return "", fmt.Errorf("%q: %w", s, err)
	}
	return strings.Join(kvs, ","), nil
}

var errRepr = errors.New("not a Python trace state repr")

// reprParser reads the small subset of Python literal syntax that trace
// state reprs use: a list of strings or of 2-tuples of strings, or a dict
// of strings.
type reprParser struct {
	s string
	i int
}

func (p *reprParser) parse() ([]string, error) {
	open := p.s[p.i]
	p.i++
	end := byte(']')
	if open == '{' {
		end = '}'
	}
	var kvs []string
	for {
		p.space()
		if p.eat(end) {
			break
		}
		if len(kvs) > 0 {
			if !p.eat(',') {
				return nil, errRepr
			}
			p.space()
			if p.eat(end) { // trailing comma
				break
			}
		}
		kv, err := p.item(open == '{')
		if err != nil {
			return nil, err
		}
		kvs = append(kvs, kv)
	}
	p.space()
	if p.i != len(p.s) {
		return nil, errRepr
	}
	return kvs, nil
}

// item reads one entry and returns it as "key=value".
func (p *reprParser) item(dict bool) (string, error) {
	if dict || p.eat('(') {
		k, err := p.str()
		if err != nil {
			return "", err
		}
		p.space()
		sep := byte(',')
		if dict {
			sep = ':'
		}
		if !p.eat(sep) {
			return "", errRepr
		}
		p.space()
		v, err := p.str()
		if err != nil {
			return "", err
		}
		p.space()
		if !dict && !p.eat(')') {
			return "", errRepr
		}
		return k + "=" + v, nil
	}
	str, err := p.str()
	if err != nil {
		return "", err
	}
	// "{key=K, value=V}": keys cannot contain ',' or '=', values cannot
	// contain ','.
	inner, ok := strings.CutPrefix(str, "{key=")
	if !ok || !strings.HasSuffix(inner, "}") {
		return "", errRepr
	}
	k, v, ok := strings.Cut(inner[:len(inner)-1], ", value=")
	if !ok {
		return "", errRepr
	}
	return k + "=" + v, nil
}

// str reads a Python string literal quoted with ' or ".
func (p *reprParser) str() (string, error) {
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", errRepr
	}
	q := p.s[p.i]
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		c := p.s[p.i]
		switch {
		case c == q:
			p.i++
			return b.String(), nil
		case c != '\\':
			b.WriteByte(c)
			continue
		}
		p.i++
		if p.i >= len(p.s) {
			return "", errRepr
		}
		switch e := p.s[p.i]; e {
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'x':
			if p.i+2 >= len(p.s) {
				return "", errRepr
			}
			n, err := strconv.ParseUint(p.s[p.i+1:p.i+3], 16, 8)
			if err != nil {
				return "", errRepr
			}
			b.WriteByte(byte(n))
			p.i += 2
		default:
			return "", errRepr
		}
	}
	return "", errRepr
}

func (p *reprParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *reprParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}
