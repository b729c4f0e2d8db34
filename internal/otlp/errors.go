package otlp

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"
)

// failure is the kind of an error answer; it decides the HTTP status and
// the gRPC code (see the table in the package documentation).
type failure int

const (
	failMalformed        failure = iota // 400, INVALID_ARGUMENT: not retryable
	failTooLarge                        // 413, RESOURCE_EXHAUSTED without RetryInfo: not retryable
	failUnsupportedMedia                // 415 (gRPC: UNIMPLEMENTED, sent by grpc-go itself)
	failQueueFull                       // 429, RESOURCE_EXHAUSTED with RetryInfo: retryable
	failUnavailable                     // 503, UNAVAILABLE with RetryInfo: retryable
	failInternal                        // 500, INTERNAL: not retryable
	failUnimplemented                   // 501, UNIMPLEMENTED: not retryable (unsupported signal)
	failNotFound                        // 404 (HTTP only)
	failMethod                          // 405 (HTTP only)
)

// failures maps a failure to its answer on each transport.
var failures = [...]struct {
	http      int
	code      codes.Code
	retryable bool // send RetryInfo / Retry-After
}{
	failMalformed:        {http.StatusBadRequest, codes.InvalidArgument, false},
	failTooLarge:         {http.StatusRequestEntityTooLarge, codes.ResourceExhausted, false},
	failUnsupportedMedia: {http.StatusUnsupportedMediaType, codes.Unimplemented, false},
	failQueueFull:        {http.StatusTooManyRequests, codes.ResourceExhausted, true},
	failUnavailable:      {http.StatusServiceUnavailable, codes.Unavailable, true},
	failInternal:         {http.StatusInternalServerError, codes.Internal, false},
	failUnimplemented:    {http.StatusNotImplemented, codes.Unimplemented, false},
	failNotFound:         {http.StatusNotFound, codes.NotFound, false},
	failMethod:           {http.StatusMethodNotAllowed, codes.Unimplemented, false},
}

// exportError is an export request refused: what to answer, why (for the
// counters), and the message that names what was wrong.
type exportError struct {
	kind failure
	why  reason
	msg  string
	err  error // the cause, if any; msg already includes it
}

func (e *exportError) Error() string { return e.msg }
func (e *exportError) Unwrap() error { return e.err }

// refuseErr builds an exportError whose message is the formatted text; a
// %w verb in format sets the cause.
func refuseErr(kind failure, why reason, format string, args ...any) *exportError {
	err := fmt.Errorf(format, args...)
	return &exportError{kind: kind, why: why, msg: validUTF8(err.Error()), err: errUnwrap(err)}
}

// errUnwrap returns the error that err wraps, if it wraps one.
func errUnwrap(err error) error {
	if u, ok := err.(interface{ Unwrap() error }); ok {
		return u.Unwrap()
	}
	return nil
}

// status returns the google.rpc.Status for e, with RetryInfo (retry delay)
// when e is retryable, or BadRequest when the data was malformed.
func (e *exportError) status(retryAfter time.Duration) *status.Status {
	f := failures[e.kind]
	st := status.New(f.code, validUTF8(e.msg))
	var detail protoadapt.MessageV1
	switch {
	case f.retryable:
		detail = &errdetails.RetryInfo{RetryDelay: durationpb.New(retryAfter)}
	case e.kind == failMalformed:
		detail = &errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{
			Field:       "request",
			Description: e.msg,
		}}}
	}
	if detail != nil {
		if withDetail, err := st.WithDetails(detail); err == nil {
			st = withDetail
		}
	}
	return st
}

// grpcErr is the gRPC status error that answers err: an *exportError as the
// table says, anything else as INTERNAL.
func (r *Receiver) grpcErr(err error) error {
	e, ok := err.(*exportError)
	if !ok {
		e = &exportError{kind: failInternal, why: reasonSinkError, msg: err.Error(), err: err}
	}
	return e.status(r.cfg.RetryAfter).Err()
}

// validUTF8 replaces invalid UTF-8 (from a payload quoted in an error) so
// that the message can be encoded: protobuf strings must be UTF-8.
func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
