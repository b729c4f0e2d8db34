package web

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Tempo's search reads its tags parameter as logfmt (grafana/tempo
// pkg/api/http.go, ParseSearchRequest, with github.com/go-logfmt/logfmt):
// key=value pairs separated by spaces, a value with spaces in double
// quotes with JSON's escapes (\" \\ \/ \b \f \n \r \t \uXXXX). Grafana's
// old search form wrote `service.name="x" name="y"` after the user's own
// tags, so leading and repeated spaces are common.

// Bounds of the tags parameter (docs/security.md, Queries).
const (
	tempoMaxTags      = 64       // key-value pairs
	tempoMaxTagsBytes = 16 << 10 // bytes, as the TraceQL parser's bound on q
)

// tagPair is one key=value of the tags parameter, in the order given.
type tagPair struct{ key, value string }

// parseLogfmtTags reads a logfmt line into its pairs. A key must be
// followed by = (a bare key is refused: Tempo would search for an empty
// value, which is rarely what was meant); a key may appear once.
func parseLogfmtTags(s string) ([]tagPair, error) {
	const allowed = `logfmt key=value pairs separated by spaces, such as service.name="checkout" http.status_code=500 name="GET /cart"; ` +
		`values with spaces in double quotes (escapes \" \\ \n \t \uXXXX), each key once, at most 64 pairs`
	bad := func(format string, args ...any) ([]tagPair, error) {
		return nil, tempoBadParam("tags", s, allowed, format, args...)
	}
	if len(s) > tempoMaxTagsBytes {
		return bad("%d bytes, more than %d", len(s), tempoMaxTagsBytes)
	}
	if !utf8.ValidString(s) {
		return bad("not UTF-8")
	}
	var out []tagPair
	seen := map[string]bool{}
	i := 0
	for {
		for i < len(s) && isLogfmtSpace(s[i]) {
			i++
		}
		if i == len(s) {
			return out, nil
		}
		start := i
		for i < len(s) && isLogfmtIdent(s[i]) {
			i++
		}
		key := s[start:i]
		switch {
		case key == "" && s[i] == '=':
			return bad("empty key at byte %d", i)
		case key == "":
			return bad("unexpected %q at byte %d", s[i], i)
		case i == len(s) || isLogfmtSpace(s[i]):
			return bad("key %q has no =value (at byte %d)", key, start)
		case s[i] != '=':
			return bad("unexpected %q in key %q at byte %d", s[i], key+s[i:i+1], i)
		}
		i++ // =
		var value string
		if i < len(s) && s[i] == '"' {
			v, n, err := unquoteLogfmt(s[i:])
			if err != nil {
				return bad("value of %q at byte %d: %v", key, i, err)
			}
			value, i = v, i+n
		} else {
			vstart := i
			for i < len(s) && isLogfmtIdent(s[i]) {
				i++
			}
			value = s[vstart:i]
		}
		if i < len(s) && !isLogfmtSpace(s[i]) {
			return bad("unexpected %q after the value of %q at byte %d (quote values with spaces, = or \")", s[i], key, i)
		}
		if seen[key] {
			return bad("tag %s given twice", key)
		}
		seen[key] = true
		if out = append(out, tagPair{key, value}); len(out) > tempoMaxTags {
			return bad("more than %d pairs", tempoMaxTags)
		}
	}
}

// isLogfmtSpace reports the separators go-logfmt skips: space and the
// control characters.
func isLogfmtSpace(c byte) bool { return c <= ' ' }

// isLogfmtIdent reports the bytes of a key or an unquoted value.
func isLogfmtIdent(c byte) bool { return c > ' ' && c != '=' && c != '"' }

// unquoteLogfmt reads the quoted value at the start of s and returns it
// and the bytes it took, quotes included.
func unquoteLogfmt(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); {
		switch c := s[i]; {
		case c == '"':
			return b.String(), i + 1, nil
		case c == '\\':
			if i+1 == len(s) {
				return "", 0, fmt.Errorf("unterminated escape")
			}
			switch e := s[i+1]; e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if i+6 > len(s) {
					return "", 0, fmt.Errorf(`\u needs 4 hex digits`)
				}
				r, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
				if err != nil {
					return "", 0, fmt.Errorf(`\u needs 4 hex digits, not %q`, s[i+2:i+6])
				}
				b.WriteRune(rune(r))
				i += 4
			default:
				return "", 0, fmt.Errorf(`unknown escape \%c`, e)
			}
			i += 2
		case c < ' ':
			return "", 0, fmt.Errorf("control character %q in a quoted value", c)
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, fmt.Errorf("no closing quote")
}
