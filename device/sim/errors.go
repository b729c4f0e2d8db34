package sim

import "errors"

// Errors the simulated devices fail with; test them with errors.Is.
var (
	// ErrOutOfLimits: a Set target outside the motor's limits.
	ErrOutOfLimits = errors.New("outside the limits")
	// ErrBadValue: a Set value that is not a finite number.
	ErrBadValue = errors.New("not a finite number")
	// ErrClosed: the device was shut down (Shutdown).
	ErrClosed = errors.New("device shut down")
	// ErrNotTriggered: a detector read before its first trigger completed.
	ErrNotTriggered = errors.New("never triggered")
)
