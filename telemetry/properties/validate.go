package properties

import (
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Limits on what a Store accepts.
const (
	// MaxNameBytes is the longest component name or key, in bytes.
	MaxNameBytes = 256
	// MaxValueBytes is the longest single value (one item of a key's
	// list), in bytes.
	MaxValueBytes = 64 << 10
)

// keyPattern is what keys must match, as error messages spell it.
const keyPattern = "[A-Za-z0-9_.-]+"

// ErrInvalid is matched (errors.Is) by every *InvalidError.
var ErrInvalid = errors.New("properties: invalid input")

// InvalidError reports input a Store refuses: which field, its value and
// what is wrong with it, including what would be allowed.
type InvalidError struct {
	Field   string // "component name", "key" or `value 2 of key "k"`
	Value   string // the value refused, possibly truncated for display
	Problem string // e.g. "must match [A-Za-z0-9_.-]+"
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("properties: %s %s %s", e.Field, display(e.Value), e.Problem)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// display quotes v for an error message, shortened when it is long.
func display(v string) string {
	const limit = 64
	if len(v) <= limit {
		return strconv.Quote(v)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return fmt.Sprintf("%q... (%d bytes)", v[:cut], len(v))
}

// checkComponent validates a component name: non-empty, at most
// MaxNameBytes, valid UTF-8 and free of control characters.
func checkComponent(name string) error {
	return checkName("component name", name)
}

// checkName applies the component-name rules to a field.
func checkName(field, v string) error {
	bad := func(problem string, args ...any) error {
		return &InvalidError{Field: field, Value: v, Problem: fmt.Sprintf(problem, args...)}
	}
	switch {
	case v == "":
		return bad("must not be empty")
	case len(v) > MaxNameBytes:
		return bad("is too long: at most %d bytes allowed", MaxNameBytes)
	case !utf8.ValidString(v):
		return bad("is not valid UTF-8")
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return bad("contains control character %U; control characters are not allowed", r)
		}
	}
	return nil
}

// checkKey validates a property key: the name rules plus keyPattern.
func checkKey(key string) error {
	if err := checkName("key", key); err != nil {
		return err
	}
	for i := 0; i < len(key); i++ {
		if !keyByte(key[i]) {
			return &InvalidError{Field: "key", Value: key, Problem: "must match " + keyPattern}
		}
	}
	return nil
}

func keyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// checkValues validates the list stored under key: each item valid UTF-8
// (values are stored as JSON text) and at most MaxValueBytes.
func checkValues(key string, values []string) error {
	for i, v := range values {
		field := fmt.Sprintf("value %d of key %q", i, key)
		if len(v) > MaxValueBytes {
			return &InvalidError{Field: field, Value: v,
				Problem: fmt.Sprintf("is too long: at most %d bytes allowed", MaxValueBytes)}
		}
		if !utf8.ValidString(v) {
			return &InvalidError{Field: field, Value: v, Problem: "is not valid UTF-8"}
		}
	}
	return nil
}
