package admin

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/sightline-dev/sightline/telemetry"
)

// Error is a request the server refused (or, with StatusCode 200, a change
// it applied with a problem: see Client.Start). It carries the JSON error
// body of the admin API.
type Error struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int `json:"-"`
	// Message says what is wrong, in words.
	Message string `json:"error"`
	// Field names the request field that was wrong ("topics[1]", "url",
	// "component"), when one was.
	Field string `json:"field,omitempty"`
	// Value is the refused value as given.
	Value string `json:"value,omitempty"`
	// Allowed lists (or describes) the values that are accepted.
	Allowed []string `json:"allowed,omitempty"`
}

// Error returns the message and, when known, the allowed values.
func (e *Error) Error() string {
	if len(e.Allowed) == 0 {
		return e.Message
	}
	return e.Message + " (allowed: " + strings.Join(e.Allowed, ", ") + ")"
}

// The messages of the refusals for a token (auth.go).
const (
	msgMissingToken = "missing bearer token"
	msgWrongToken   = "wrong bearer token"
)

// TokenRefused reports whether the server refused the request for its
// token: none was sent (401) or it was wrong (403). Other refusals, a file
// endpoint outside the allowed directories say, report false.
func (e *Error) TokenRefused() bool {
	return e.StatusCode == http.StatusUnauthorized ||
		e.StatusCode == http.StatusForbidden && strings.HasPrefix(e.Message, msgWrongToken)
}

// apiError is an *Error whose StatusCode the handler writes.
func apiError(status int, field, value, msg string, allowed []string) *Error {
	return &Error{StatusCode: status, Message: msg, Field: field, Value: value, Allowed: allowed}
}

// valueProblem turns an error from a telemetry parser or from Control into
// an *Error for field: the "(allowed: ...)" part of the text becomes
// Allowed, and the field, when known, prefixes the message.
func valueProblem(status int, field, value string, err error) *Error {
	reason, allowed := splitAllowed(err.Error())
	if field != "" {
		reason = field + ": " + reason
	}
	return &Error{StatusCode: status, Message: reason, Field: field, Value: value, Allowed: allowed}
}

// splitAllowed separates "reason (allowed: a, b)" into the reason and the
// allowed values. A list of plain words is split on ", "; a description
// ("a number from 0 to 1") stays one item.
func splitAllowed(text string) (string, []string) {
	const marker = " (allowed: "
	i := strings.LastIndex(text, marker)
	if i < 0 || !strings.HasSuffix(text, ")") {
		return text, nil
	}
	allowed := text[i+len(marker) : len(text)-1]
	parts := strings.Split(allowed, ", ")
	for _, p := range parts {
		if !plainWord.MatchString(p) {
			return text[:i], []string{allowed}
		}
	}
	return text[:i], parts
}

var plainWord = regexp.MustCompile(`^[A-Za-z0-9_.:/{}\[\]-]+$`)

// controlProblem maps an error returned by Control: a shut-down component
// is 409, anything else is a refused value (400).
func controlProblem(component, field, value string, err error) *Error {
	if errors.Is(err, telemetry.ErrShutdown) {
		return apiError(http.StatusConflict, "component", component,
			"component "+strconv.Quote(component)+" is shut down", nil)
	}
	return valueProblem(http.StatusBadRequest, field, value, err)
}
