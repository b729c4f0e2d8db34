// Package httpjson writes JSON answers to HTTP requests, one way for every
// JSON API of the module (the query API, the demo's scan API, the admin
// API, the remote protocol): v is encoded before anything is written, so a
// value that cannot be encoded is still answered, with 500 and
// {"error": "encode the answer: ..."}; the answer ends with a newline (curl
// prints it on a line of its own) and carries
//
//	Content-Type: application/json (unless the handler set one already)
//	Cache-Control: no-store
//	X-Content-Type-Options: nosniff
//
// so that no cache keeps an answer about data that changes, and no browser
// takes it for anything but JSON.
package httpjson

import (
	"encoding/json"
	"net/http"
)

// ContentType is the Content-Type of the answers Write writes, unless the
// handler set another before calling it.
const ContentType = "application/json"

// Error is the body Write answers when v cannot be encoded, and the shape
// of the error answers of the APIs that use this package: {"error": "..."}.
type Error struct {
	// Message says what went wrong, in words.
	Message string `json:"error"`
}

// Write answers v, encoded as JSON, with status. A value that cannot be
// encoded is answered 500 with an [Error] naming why. An error writing the
// body (the client has gone) is not reported: there is nobody to tell.
func Write(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(Error{Message: "encode the answer: " + err.Error()}) // a struct of a string: cannot fail
	}
	WriteBody(w, status, ContentType, append(b, '\n'))
}

// WriteBody answers b, already encoded, with status and contentType (kept
// when the handler set a Content-Type already; "" leaves it to the
// handler), with the same caching and sniffing headers as [Write].
func WriteBody(w http.ResponseWriter, status int, contentType string, b []byte) {
	h := w.Header()
	if contentType != "" && h.Get("Content-Type") == "" {
		h.Set("Content-Type", contentType)
	}
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
