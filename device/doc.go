// Package device defines what a plan drives (Readable, Movable,
// Triggerable, Stageable, Stoppable, Flyer) and Status, an asynchronous
// hardware operation traced from creation to completion, the way Ophyd
// traces its statuses, without Ophyd's flaw: a Status that times out, fails
// or is cancelled ends its span with an error status and the reason, so no
// span is left open.
//
// Span of a Status: named "<status_type> <device>" (e.g. "MoveStatus
// motor1"), a child of the context that created it, with attributes
// status_type, device_name, device_type, settle_time (s), timeout (s) or
// no_timeout_given, and for moves target, start_pos, finish_pos, unit;
// start_time and finish_time (Unix seconds); success. Waiting on a Status
// is its own short span, "wait <status_type> <device>".
//
// This package imports only the OpenTelemetry API.
package device
