// Package ratelog is sightline's one process-wide error log for telemetry
// export problems: deduplicated and rate-limited, so that a collector that
// is down never floods the host program's stderr.
//
// A [Log] prints the first failure of an export target at once, then keeps
// quiet about that target for a window (one minute by default), counting
// what it suppresses. The first failure after the window prints one summary
// line with that count and opens a new window; the first success prints one
// "recovered" line. Errors from the OpenTelemetry SDK's global error handler
// ([Log.Handle]) are deduplicated the same way, by their text.
//
// There is no background goroutine: a summary is printed lazily, when the
// next event for the same target (or the same SDK error) arrives after the
// window. Failures suppressed at the end of an outage are therefore reported
// by the "recovered" line's total rather than by a summary of their own.
//
// Lines are printed through a [log/slog.Logger] outside the Log's lock, so a
// handler that itself exports telemetry (and so may report back into the
// Log) cannot deadlock it.
package ratelog
