package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/sightline-dev/sightline/internal/httpjson"
)

// apiError is an error answer: {"error": ..., "field": ..., "value": ...,
// "allowed": ...}. Field, value and allowed are set for a bad parameter
// (400); other errors carry only the message.
type apiError struct {
	Status  int     `json:"-"`
	Message string  `json:"error"`
	Field   string  `json:"field,omitempty"`
	Value   *string `json:"value,omitempty"`
	Allowed string  `json:"allowed,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

// badParam is the 400 answer for parameter field given value: the message
// says what is wrong with it, allowed what would be accepted.
func badParam(field, value, allowed, format string, args ...any) *apiError {
	return &apiError{
		Status:  http.StatusBadRequest,
		Message: field + ": " + fmt.Sprintf(format, args...),
		Field:   field,
		Value:   &value,
		Allowed: allowed,
	}
}

// clientGone returns the cause when r's client has gone (its context has
// ended), so a handler stops before encoding an answer nobody will read;
// the error is then answered with nothing (see fail).
func clientGone(r *http.Request) error {
	if r.Context().Err() != nil {
		return context.Cause(r.Context())
	}
	return nil
}

// answer answers v as JSON with 200, unless r's client has gone.
func answer(w http.ResponseWriter, r *http.Request, v any) error {
	if err := clientGone(r); err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, v)
	return nil
}
