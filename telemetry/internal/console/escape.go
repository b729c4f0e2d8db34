package console

import (
	"unicode/utf16"
	"unicode/utf8"
)

// plain reports, for each byte, whether it is copied into a JSON string
// unchanged: the printable ASCII range ' ' to '~' except '"' and '\'. This is
// the set Python's json.dumps (ensure_ascii=True, its default) leaves alone.
var plain = func() (t [256]bool) {
	for c := ' '; c <= '~'; c++ {
		t[c] = true
	}
	t['"'] = false
	t['\\'] = false
	return t
}()

// appendString appends s as a quoted JSON string, escaped the way Python's
// json.dumps escapes with its default ensure_ascii=True:
//
//   - '"' and '\' are backslash-escaped;
//   - \n, \r, \t, \b and \f use their short escapes;
//   - every other byte below 0x20, and DEL (0x7f), becomes \u00XX;
//   - every non-ASCII character becomes \uXXXX with lowercase hex digits,
//     characters above U+FFFF as a UTF-16 surrogate pair;
//   - each byte that is not part of valid UTF-8 becomes \ufffd (U+FFFD).
//
// The output is therefore pure ASCII and always valid JSON; '<', '>', '&'
// and '/' are not escaped (Python does not escape them either).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		if c < utf8.RuneSelf {
			b = appendASCIIEscape(b, c)
			i++
		} else {
			// An invalid byte decodes as (RuneError, 1), and RuneError is
			// U+FFFD, so it is replaced without a special case.
			r, size := utf8.DecodeRuneInString(s[i:])
			b = appendRuneEscape(b, r)
			i += size
		}
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendASCIIEscape appends the JSON escape of an ASCII byte that is not
// plain.
func appendASCIIEscape(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	}
	return appendU4(b, rune(c))
}

// appendRuneEscape appends r as \uXXXX, or as a surrogate pair when r is
// outside the Basic Multilingual Plane.
func appendRuneEscape(b []byte, r rune) []byte {
	if r >= 0x10000 {
		r1, r2 := utf16.EncodeRune(r)
		b = appendU4(b, r1)
		return appendU4(b, r2)
	}
	return appendU4(b, r)
}

func appendU4(b []byte, r rune) []byte {
	return append(b, '\\', 'u',
		hexDigits[r>>12&0xf], hexDigits[r>>8&0xf],
		hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// appendReprChars appends the characters of s as Python's repr() of a str
// quoted with q would print them (without the quotes), already escaped for
// the inside of a JSON string. repr escapes '\' and the quote character with
// a backslash, and \t, \n, \r and other control characters with \t, \n, \r
// and \xNN.
//
// It is used for the trace state, whose keys and values are restricted to
// printable ASCII by the W3C format and by go.opentelemetry.io/otel/trace;
// anything else is passed on to the JSON escaper unchanged.
func appendReprChars(b []byte, s string, q byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			b = append(b, `\\\\`...)
		case c == q:
			// repr writes \' (or \"), which JSON-escapes to \\' (or \\\").
			b = append(b, '\\', '\\')
			b = appendASCIIEscapeOrPlain(b, c)
		case c == '\t':
			b = append(b, `\\t`...)
		case c == '\n':
			b = append(b, `\\n`...)
		case c == '\r':
			b = append(b, `\\r`...)
		case c < 0x20 || c == 0x7f:
			b = append(b, '\\', '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			b = appendRuneEscape(b, r)
			i += size
			continue
		default:
			b = appendASCIIEscapeOrPlain(b, c)
		}
		i++
	}
	return b
}

func appendASCIIEscapeOrPlain(b []byte, c byte) []byte {
	if plain[c] {
		return append(b, c)
	}
	return appendASCIIEscape(b, c)
}
