package store

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Cursors are opaque to clients: base64url (unpadded) of a small JSON
// object naming the kind of listing and the position of the last item
// returned. Items after it are on the next page; the position is a key of
// the listing's order, so pages never repeat or skip an item that stays
// stored (new items sorting before the position appear on no page).

// ErrBadCursor is wrapped by the error for a cursor that is not one this
// package returned for that kind of listing.
var ErrBadCursor = errors.New("store: bad cursor")

const (
	cursorTraces = "t" // newest first: start_ns, traces.id
	cursorSpans  = "s" // trace order: start_ns, span id
	cursorLogs   = "l" // newest first: time_ns, logs.id
)

type cursor struct {
	Kind string `json:"k"`
	Time int64  `json:"t"`           // start_ns or time_ns
	ID   int64  `json:"i,omitempty"` // traces.id or logs.id
	Span string `json:"s,omitempty"` // span id, hex
	// Trace is the trace a spans cursor pages through.
	Trace string `json:"r,omitempty"`
	// Changes is the changes token of the first page of a spans cursor's
	// walk, which every later page answers.
	Changes string `json:"c,omitempty"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c) // a struct of strings and ints: cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses s, which must be of kind; "" is the first page.
func decodeCursor(s, kind string) (cursor, bool, error) {
	var c cursor
	if s == "" {
		return c, false, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return c, false, fmt.Errorf("%w %q: not base64url", ErrBadCursor, trim(s))
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, false, fmt.Errorf("%w %q: %w", ErrBadCursor, trim(s), err)
	}
	if c.Kind != kind {
		return c, false, fmt.Errorf("%w %q: not a cursor of this listing", ErrBadCursor, trim(s))
	}
	if kind == cursorSpans {
		if b, err := hex.DecodeString(c.Span); err != nil || len(b) != 8 {
			return c, false, fmt.Errorf("%w %q: bad span id", ErrBadCursor, trim(s))
		}
	}
	return c, true, nil
}

func trim(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
