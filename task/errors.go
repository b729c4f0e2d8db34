package task

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Kind says what kind of failure an *Error reports. It travels on the wire
// as a string, so a submitter can tell the kinds apart whichever worker
// produced the error.
type Kind string

// The kinds of task failure. Each has a sentinel error (ErrUnknownFunction,
// ...) that errors.Is matches against any *Error of that kind.
const (
	// KindUnknownFunction: no function of that name is registered at the
	// worker that took the task.
	KindUnknownFunction Kind = "unknown_function"
	// KindBadArguments: the arguments could not be encoded (at Submit) or
	// did not decode into the function's argument type (at the worker).
	KindBadArguments Kind = "bad_arguments"
	// KindPanic: the function panicked; the worker recovered and goes on.
	KindPanic Kind = "panic"
	// KindFailed: the function returned an error.
	KindFailed Kind = "failed"
	// KindDeadline: the submitter's deadline passed (before or while the
	// task ran). errors.Is(err, context.DeadlineExceeded) is true too.
	KindDeadline Kind = "deadline_exceeded"
	// KindCanceled: the submitter's context was canceled or Future.Cancel
	// was called. errors.Is(err, context.Canceled) is true too.
	KindCanceled Kind = "canceled"
	// KindBadResult: the result could not be encoded at the worker (or was
	// too large for a message) or did not decode into the value given to
	// Future.Wait.
	KindBadResult Kind = "bad_result"
	// KindMalformed: a task or result message did not follow the wire
	// format (see docs/tasks.md).
	KindMalformed Kind = "malformed"
	// KindClosed: the client was shut down (Client.Shutdown) before the
	// result arrived.
	KindClosed Kind = "closed"
)

// Sentinel errors, one per Kind, for errors.Is.
var (
	ErrUnknownFunction  = errors.New("task: unknown function")
	ErrBadArguments     = errors.New("task: bad arguments")
	ErrPanic            = errors.New("task: function panicked")
	ErrFailed           = errors.New("task: function failed")
	ErrDeadlineExceeded = errors.New("task: deadline exceeded")
	ErrCanceled         = errors.New("task: canceled")
	ErrBadResult        = errors.New("task: bad result")
	ErrMalformed        = errors.New("task: malformed message")
	ErrClosed           = errors.New("task: client closed")
)

var sentinels = map[Kind]error{
	KindUnknownFunction: ErrUnknownFunction,
	KindBadArguments:    ErrBadArguments,
	KindPanic:           ErrPanic,
	KindFailed:          ErrFailed,
	KindDeadline:        ErrDeadlineExceeded,
	KindCanceled:        ErrCanceled,
	KindBadResult:       ErrBadResult,
	KindMalformed:       ErrMalformed,
	KindClosed:          ErrClosed,
}

// Error is a task failure as the submitter sees it. Workers send it back as
// JSON (the exported fields), so it is the same whether the task ran in
// this process or in another one.
type Error struct {
	Kind     Kind   `json:"kind"`
	Function string `json:"function,omitempty"`
	TaskID   string `json:"task_id,omitempty"`
	// Message says what went wrong: the function's error text, the panic
	// value, the JSON decoder's error, ...
	Message string `json:"message,omitempty"`
	// Stack is a summary of the panicking goroutine's stack (KindPanic
	// only): the innermost frames below the panic, one "func (file:line)"
	// a line.
	Stack string `json:"stack,omitempty"`

	cause error // local only, never on the wire
}

// Error returns a one-line description: the function, the task id, the
// kind and the message (for a panic, also the innermost frame).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("task")
	if e.Function != "" {
		fmt.Fprintf(&b, " %q", e.Function)
	}
	if e.TaskID != "" {
		fmt.Fprintf(&b, " (id %s)", e.TaskID)
	}
	b.WriteString(": ")
	b.WriteString(kindText(e.Kind))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Kind == KindPanic && e.Stack != "" {
		first, _, _ := strings.Cut(e.Stack, "\n")
		fmt.Fprintf(&b, " [at %s]", first)
	}
	return b.String()
}

func kindText(k Kind) string {
	if k == "" {
		return "error"
	}
	return strings.ReplaceAll(string(k), "_", " ")
}

// Is reports whether target is the sentinel of e's kind, or the context
// error that KindDeadline and KindCanceled stand for.
func (e *Error) Is(target error) bool {
	if s, ok := sentinels[e.Kind]; ok && s == target {
		return true
	}
	switch target {
	case context.DeadlineExceeded:
		return e.Kind == KindDeadline
	case context.Canceled:
		return e.Kind == KindCanceled
	}
	return false
}

// Unwrap returns the local cause (for example the JSON error of a result
// that did not decode), or nil for errors that came over the wire.
func (e *Error) Unwrap() error { return e.cause }

// ctxError turns a context's error into an *Error of KindDeadline or
// KindCanceled for the task.
func ctxError(ctx context.Context, function, id string) *Error {
	err := context.Cause(ctx)
	kind := KindCanceled
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		kind = KindDeadline
	}
	return &Error{Kind: kind, Function: function, TaskID: id, Message: err.Error(), cause: err}
}
