package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// errMalformed is returned by the scanner for input that is not JSON. The
// records it reads have been checked by encoding/json, so it only shows up
// for JSON nested in a string that is not JSON itself.
var errMalformed = errors.New("malformed JSON")

// scanner walks JSON that encoding/json has already checked, without
// building anything it is not asked for. It checks bounds all the same, so
// that input that is not JSON yields errMalformed, never a panic.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the first byte of the next value, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// value returns the next value's bytes and moves past it.
func (s *scanner) value() ([]byte, error) {
	s.ws()
	start := s.i
	if err := s.skip(); err != nil {
		return nil, err
	}
	return s.b[start:s.i], nil
}

// skip moves past the next value.
func (s *scanner) skip() error {
	switch s.peek() {
	case 0:
		return errMalformed
	case '"':
		_, _, err := s.rawString()
		return err
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if _, _, err := s.rawString(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return nil
				}
			}
			s.i++
		}
		return errMalformed
	default:
		start := s.i
		for s.i < len(s.b) && !isDelim(s.b[s.i]) {
			s.i++
		}
		if s.i == start {
			return errMalformed
		}
		return nil
	}
}

func isDelim(c byte) bool {
	switch c {
	case ',', ']', '}', ':', ' ', '\t', '\n', '\r', '"', '{', '[':
		return true
	}
	return false
}

// rawString moves past the string at s.i and returns it with its quotes,
// and whether it contains escapes.
func (s *scanner) rawString() (raw []byte, escaped bool, err error) {
	start := s.i
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, errMalformed
	}
	for s.i++; s.i < len(s.b); s.i++ {
		switch s.b[s.i] {
		case '\\':
			escaped = true
			s.i++
		case '"':
			s.i++
			return s.b[start:s.i], escaped, nil
		}
	}
	return nil, false, errMalformed
}

// unquote returns the contents of a string from rawString. Invalid UTF-8
// becomes U+FFFD, as encoding/json does.
func unquote(raw []byte, escaped bool) (string, error) {
	if len(raw) < 2 {
		return "", errMalformed
	}
	if in := raw[1 : len(raw)-1]; !escaped && utf8.Valid(in) {
		return string(in), nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err != nil {
		return "", errMalformed
	}
	return str, nil
}

// objectEach calls fn for each member of the object at s.i with the
// member's key, unquoted only if it has escapes (the keys looked for have
// none). fn must consume the member's value.
func (s *scanner) objectEach(fn func(key []byte) error) error {
	if s.peek() != '{' {
		return errMalformed
	}
	s.i++
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		s.ws()
		raw, esc, err := s.rawString()
		if err != nil {
			return err
		}
		key := raw[1 : len(raw)-1]
		if esc {
			k, err := unquote(raw, esc)
			if err != nil {
				return err
			}
			key = []byte(k)
		}
		if s.peek() != ':' {
			return errMalformed
		}
		s.i++
		if err := fn(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return errMalformed
		}
	}
}

// arrayEach calls fn for each element of the array at s.i, with the
// element's index; fn must consume the element.
func (s *scanner) arrayEach(fn func(i int) error) error {
	if s.peek() != '[' {
		return errMalformed
	}
	s.i++
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for i := 0; ; i++ {
		if err := fn(i); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return errMalformed
		}
	}
}

// kindOf names the JSON type of a value for error messages.
func kindOf(raw []byte) string {
	s := scanner{b: raw}
	switch s.peek() {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	case 0:
		return "nothing"
	}
	return "a number"
}

// isNull reports whether raw is absent or the JSON null.
func isNull(raw []byte) bool {
	s := scanner{b: raw}
	return s.peek() == 0 || s.peek() == 'n'
}

// typeError is the error for a value of the wrong JSON type.
func typeError(want string, raw []byte) error {
	return fmt.Errorf("want %s, got %s", want, kindOf(raw))
}

// stringValue returns the string raw holds.
func stringValue(raw []byte) (string, error) {
	s := scanner{b: raw}
	if s.peek() != '"' {
		return "", typeError("a string", raw)
	}
	r, esc, err := s.rawString()
	if err != nil {
		return "", err
	}
	return unquote(r, esc)
}

// optString returns the string raw holds, or "" when it is absent or null.
func optString(raw []byte) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	return stringValue(raw)
}
