// Package jsondepth bounds how deeply a JSON document nests, with one
// linear pass over its bytes that allocates nothing, so that a decoder that
// recurses (pdata's OTLP-JSON unmarshalers, the importer's value builder)
// is never handed a document deep enough to exhaust its stack or the heap.
//
// The pass counts the objects and arrays open at each byte, outside
// strings (escapes honoured). It does not validate the JSON: a malformed
// document within the bound passes, and the decoder that follows reports
// it.
package jsondepth

import (
	"bytes"
	"fmt"
)

// OTLP is the nesting bound for OTLP-JSON export requests, in levels of
// objects and arrays (the top-level object is level 1). It is the deepest
// an OTLP-JSON request can nest when it carries values that pdata's
// protobuf decoder accepts, whose bound is proto.RecursionLimit (100 nested
// messages counted from a KeyValue or AnyValue), rounded up with room to
// spare, so that every request accepted as protobuf is accepted as JSON
// too:
//
//   - outside the values, a request nests at most 10 levels before a
//     KeyValue: request, resourceSpans, ResourceSpans, scopeSpans,
//     ScopeSpans, spans, Span, events, Event, attributes;
//   - inside, each nested ArrayValue takes 2 of the protobuf decoder's
//     levels (AnyValue, ArrayValue) and 3 JSON levels ({"arrayValue":
//     {"values": [...]}}), the steepest ratio, so 100 protobuf levels take
//     at most 1 + 3*49 + 1 = 149 JSON levels from a KeyValue, or 150 from
//     a log record's body.
//
// So the deepest such request nests 159 levels (an event's attribute; a log
// record's body reaches 156), and OTLP is the next round number. The tests
// of internal/otlp build the deepest requests the protobuf decoder accepts
// and check that their JSON passes, so a pdata upgrade that changes this
// fails them rather than the users.
const OTLP = 160

// Error is the error of [Check]: the document nests deeper than Limit.
type Error struct {
	// Limit is the bound that was passed to Check.
	Limit int
	// Offset is the byte offset, from 0, of the '{' or '[' that opens
	// level Limit+1.
	Offset int
}

func (e *Error) Error() string {
	return fmt.Sprintf("JSON nests deeper than the limit of %d levels (level %d opens at byte %d)", e.Limit, e.Limit+1, e.Offset)
}

// Check returns an *Error if data nests objects and arrays more than limit
// levels deep, and nil otherwise (also for malformed JSON within the
// bound). It reads data once, stops at the first level past limit and
// allocates nothing. A limit below 1 refuses any object or array.
func Check(data []byte, limit int) error {
	_, err := Count(data, limit)
	return err
}

// Count is Check that also returns how many objects and arrays data opens
// (outside strings): what a decoder will build, for callers that bound its
// memory before decoding. On an *Error the count stops at the refused
// opener.
func Count(data []byte, limit int) (containers int, err error) {
	depth := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{', '[':
			containers++
			depth++
			if depth > limit {
				return containers, &Error{Limit: limit, Offset: i}
			}
		case '}', ']':
			if depth > 0 { // a stray closer must not make room for openers
				depth--
			}
		case '"':
			end := stringEnd(data, i+1)
			if end < 0 {
				return containers, nil // an unterminated string: malformed, not deep
			}
			i = end
		}
	}
	return containers, nil
}

// stringEnd returns the offset of the quote that ends the string whose
// contents start at from, or -1 if it does not end. It looks for quotes
// with bytes.IndexByte, and counts the backslashes before each: an odd
// number escapes it. Each backslash is counted at most once, as the quote
// found next is after it.
func stringEnd(data []byte, from int) int {
	for from < len(data) {
		q := bytes.IndexByte(data[from:], '"')
		if q < 0 {
			return -1
		}
		q += from
		n := 0
		for j := q - 1; j >= from && data[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return q
		}
		from = q + 1
	}
	return -1
}
