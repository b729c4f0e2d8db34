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
// Under NamingBluesky (given by a plan engine through ContextWithNaming,
// else SIGHTLINE_PLAN_SPAN_NAMING=bluesky for the process) every Status
// span is named "Ophyd Status" and also carries Ophyd's object_repr,
// kwargs and, for a MoveStatus with a device, positioner_name and
// positioner (Repr: a device's String(), else "<type>(name='<name>')").
// Ophyd's misspelt "start_pos " key is written "start_pos".
//
// A device makes a Status with NewStatus (or Finished, for an operation
// that ends at once), described by sealed With... options: WithType,
// WithDevice, WithTimeout, WithSettleTime, WithTarget, WithStartPos,
// WithUnit, WithTracer. Options are the module's one idiom for what code
// configures (a Status is never data read from a file); each costs a small
// allocation, so a device that makes many statuses builds the options that
// do not change once and appends the per-operation ones (device/sim does).
// A Status holds no goroutine (its timeout and settle time are timers) and
// needs no shutdown.
//
// This package imports only the OpenTelemetry API.
package device
