package traceql

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Sentinel errors: every *Error unwraps to exactly one of them, so a caller
// can tell "valid TraceQL we do not evaluate" from "not TraceQL at all".
var (
	// ErrSyntax: the query is not valid TraceQL (or not valid for its types).
	ErrSyntax = errors.New("syntax error")
	// ErrUnsupported: valid TraceQL that this package deliberately refuses.
	ErrUnsupported = errors.New("not supported")
	// ErrLimit: the query exceeds MaxQueryBytes or MaxDepth.
	ErrLimit = errors.New("limit exceeded")
)

// snippetBytes is how much of the query, from the error offset on, an error
// message quotes.
const snippetBytes = 32

// Error is a refused query: what was refused, where, and why.
type Error struct {
	Offset  int    // byte offset into the query
	Snippet string // the query text from Offset, cut to a few dozen bytes
	Msg     string // what is wrong, and what was expected or is supported
	Kind    error  // ErrSyntax, ErrUnsupported or ErrLimit
}

func (e *Error) Error() string {
	return fmt.Sprintf("traceql: %q at %d: %s", e.Snippet, e.Offset, e.Msg)
}

// Unwrap returns the error's Kind.
func (e *Error) Unwrap() error { return e.Kind }

func newError(src string, off int, kind error, format string, args ...any) *Error {
	if off > len(src) {
		off = len(src)
	}
	end := off + snippetBytes
	if end >= len(src) {
		end = len(src)
	} else {
		for end > off && !utf8.RuneStart(src[end]) {
			end--
		}
	}
	return &Error{Offset: off, Snippet: src[off:end], Msg: fmt.Sprintf(format, args...), Kind: kind}
}
