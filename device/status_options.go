package device

import (
	"time"

	"go.opentelemetry.io/otel/trace"
)

// StatusOption describes the operation a Status tracks (NewStatus,
// Finished). Options are applied in order; a later one wins.
type StatusOption interface{ applyStatus(*statusConfig) }

// statusConfig is what NewStatus and Finished take.
type statusConfig struct {
	typ        string        // status_type; "": TypeStatus
	device     Device        // nil: none
	timeout    time.Duration // 0: none
	settleTime time.Duration // 0: none
	target     any           // nil: not a move
	startPos   any
	unit       string
	tracer     trace.Tracer // nil: from the creating context, else global
}

type statusOption func(*statusConfig)

func (o statusOption) applyStatus(c *statusConfig) { o(c) }

// apply applies opts to c, which is in the Status (already on the heap):
// a config of its own would escape to the heap too.
func (c *statusConfig) apply(opts []StatusOption) {
	for _, o := range opts {
		if o != nil {
			o.applyStatus(c)
		}
	}
	if c.typ == "" {
		c.typ = TypeStatus
	}
}

// WithType sets the status_type, as Ophyd names its status classes
// (TypeStatus, TypeMoveStatus, TypeDeviceStatus). Default (and ""):
// TypeStatus.
func WithType(statusType string) StatusOption {
	switch statusType {
	case TypeStatus:
		return withTypeStatus
	case TypeMoveStatus:
		return withTypeMoveStatus
	case TypeDeviceStatus:
		return withTypeDeviceStatus
	}
	return statusOption(func(c *statusConfig) { c.typ = statusType })
}

// The options of the standard types, made once: WithType costs no
// allocation for them.
var (
	withTypeStatus       StatusOption = statusOption(func(c *statusConfig) { c.typ = TypeStatus })
	withTypeMoveStatus   StatusOption = statusOption(func(c *statusConfig) { c.typ = TypeMoveStatus })
	withTypeDeviceStatus StatusOption = statusOption(func(c *statusConfig) { c.typ = TypeDeviceStatus })
)

// WithDevice sets the device doing the operation (device_name,
// device_type, and the span's name). Default: none.
func WithDevice(d Device) StatusOption {
	return statusOption(func(c *statusConfig) { c.device = d })
}

// WithTimeout ends the Status with ErrTimeout when the operation has not
// finished d after its creation. Default (and d <= 0): no timeout, which
// the span records as no_timeout_given. Finished ignores it: its Status is
// complete at once.
func WithTimeout(d time.Duration) StatusOption {
	return statusOption(func(c *statusConfig) { c.timeout = max(0, d) })
}

// WithSettleTime sets the time waited after the device reports success,
// before the Status is done (settle_time, in seconds on the span). Default
// (and d <= 0): none. Finished ignores it: its Status is complete at once.
func WithSettleTime(d time.Duration) StatusOption {
	return statusOption(func(c *statusConfig) { c.settleTime = max(0, d) })
}

// WithTarget sets where a move goes (target). Default (and nil): not
// recorded. Any Go value becomes a valid attribute (telemetry/attrs).
func WithTarget(v any) StatusOption {
	return statusOption(func(c *statusConfig) { c.target = v })
}

// WithStartPos sets where a move starts (start_pos). Default (and nil):
// not recorded.
func WithStartPos(v any) StatusOption {
	return statusOption(func(c *statusConfig) { c.startPos = v })
}

// WithUnit sets the engineering unit of the positions (unit). Default (and
// ""): not recorded.
func WithUnit(unit string) StatusOption {
	return statusOption(func(c *statusConfig) { c.unit = unit })
}

// WithTracer sets the tracer of the Status's spans. Default (and nil): the
// tracer named TracerName of the TracerProvider in the creating context
// (ContextWithTracerProvider), else of the global TracerProvider.
func WithTracer(t trace.Tracer) StatusOption {
	return statusOption(func(c *statusConfig) { c.tracer = t })
}
