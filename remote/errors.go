package remote

import (
	"context"
	"net/http"
)

// Code says what kind of failure an Error is. The server sends it in every
// error body; the proxy adds the client-side ones.
type Code string

// Error codes. The HTTP status each is sent with is in docs/remote-protocol.md.
const (
	CodeUnknownDevice    Code = "unknown_device"     // 404: no such device on the server
	CodeUnknownCommand   Code = "unknown_command"    // 404: the device has no such command
	CodeUnknownAttribute Code = "unknown_attribute"  // 404: the device has no such attribute
	CodeUnknownOperation Code = "unknown_operation"  // 404: no such operation (or forgotten)
	CodeBadArgument      Code = "bad_argument"       // 400: argin or value of the wrong type
	CodeMalformedBody    Code = "malformed_body"     // 400: the body is not the JSON asked for
	CodeBadHeader        Code = "bad_header"         // 400: a Sightline-* header is malformed
	CodeReadOnly         Code = "read_only"          // 405: write to a read-only attribute
	CodeBodyTooLarge     Code = "body_too_large"     // 413: body over MaxBody
	CodeNotRunning       Code = "device_not_running" // 503: the device is stopped
	CodeFailed           Code = "failed"             // 500: the device's code returned an error
	CodeTimeout          Code = "timeout"            // 504: the call's deadline passed on the server
	CodeShutdown         Code = "shutting_down"      // 503: the server is stopping
	CodeUnknownRoute     Code = "unknown_route"      // 404: not a route of the protocol

	// Client side only.
	CodeUnreachable Code = "unreachable"  // the server could not be reached
	CodeBadResponse Code = "bad_response" // the server's answer could not be decoded
	// CodeNotAuthorized: a telemetry call (DeviceTelemetry) was refused
	// for its admin token (missing or wrong; HTTP 401 or 403).
	CodeNotAuthorized Code = "not_authorized"
)

var codeStatus = map[Code]int{
	CodeUnknownDevice:    http.StatusNotFound,
	CodeUnknownCommand:   http.StatusNotFound,
	CodeUnknownAttribute: http.StatusNotFound,
	CodeUnknownOperation: http.StatusNotFound,
	CodeBadArgument:      http.StatusBadRequest,
	CodeMalformedBody:    http.StatusBadRequest,
	CodeBadHeader:        http.StatusBadRequest,
	CodeReadOnly:         http.StatusMethodNotAllowed,
	CodeBodyTooLarge:     http.StatusRequestEntityTooLarge,
	CodeNotRunning:       http.StatusServiceUnavailable,
	CodeFailed:           http.StatusInternalServerError,
	CodeTimeout:          http.StatusGatewayTimeout,
	CodeShutdown:         http.StatusServiceUnavailable,
	CodeUnknownRoute:     http.StatusNotFound,
}

// Sentinel errors for errors.Is: an *Error matches the sentinel of its Code.
var (
	ErrUnknownDevice    = &Error{Code: CodeUnknownDevice}
	ErrUnknownCommand   = &Error{Code: CodeUnknownCommand}
	ErrUnknownAttribute = &Error{Code: CodeUnknownAttribute}
	ErrBadArgument      = &Error{Code: CodeBadArgument}
	ErrMalformedBody    = &Error{Code: CodeMalformedBody}
	ErrReadOnly         = &Error{Code: CodeReadOnly}
	ErrNotRunning       = &Error{Code: CodeNotRunning}
	ErrFailed           = &Error{Code: CodeFailed}
	ErrUnreachable      = &Error{Code: CodeUnreachable}
	ErrBadResponse      = &Error{Code: CodeBadResponse}
	ErrNotAuthorized    = &Error{Code: CodeNotAuthorized}
)

// Error is a failed call: the server's error body, or a client-side failure.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// Device, Command and Attribute name what the call was about, when known.
	Device    string `json:"device,omitempty"`
	Command   string `json:"command,omitempty"`
	Attribute string `json:"attribute,omitempty"`
	// HTTPStatus is the response status (0 for client-side failures).
	HTTPStatus int `json:"-"`
	// Err is the underlying client-side cause, if any.
	Err error `json:"-"`
}

func (e *Error) Error() string {
	msg := string(e.Code)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return "remote: " + msg
}

// Is matches another *Error with the same Code (the sentinels above).
// A CodeTimeout error also matches context.DeadlineExceeded, whichever side
// saw the deadline pass.
func (e *Error) Is(target error) bool {
	if target == context.DeadlineExceeded {
		return e.Code == CodeTimeout
	}
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// Unwrap returns the client-side cause.
func (e *Error) Unwrap() error { return e.Err }

// HTTPStatus is the status a server answers an error of code c with
// (docs/remote-protocol.md); 500 for a code the protocol does not list,
// including the client-side ones.
func (c Code) HTTPStatus() int {
	if s, ok := codeStatus[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error *Error `json:"error"`
}
