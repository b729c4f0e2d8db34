package device

import (
	"context"
	"fmt"
	"time"
)

// Device is anything a plan can drive: it has a name, unique in the plan.
type Device interface {
	Name() string
}

// Typed is an optional interface: a device's type as spans show it
// (device_type). Devices without it are shown by their Go type.
type Typed interface {
	DeviceType() string
}

// TypeOf returns d's device type.
func TypeOf(d Device) string {
	if t, ok := d.(Typed); ok {
		return t.DeviceType()
	}
	return fmt.Sprintf("%T", d)
}

// Reading is one value read from a device, with the time it was taken.
type Reading struct {
	Value     any       `json:"value"`
	Timestamp time.Time `json:"timestamp"`
}

// DataKey describes one value a device reads (Bluesky's data_keys entry).
type DataKey struct {
	Source string `json:"source"`
	// DType is "number", "integer", "string", "boolean" or "array".
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
	Units string `json:"units,omitempty"`
}

// Readable is a device that can be read.
type Readable interface {
	Device
	// Read returns the current values by key (the keys Describe lists).
	Read(ctx context.Context) (map[string]Reading, error)
	// Describe says what Read returns.
	Describe(ctx context.Context) (map[string]DataKey, error)
}

// Movable is a device that can be set to a value (a motor, a temperature
// controller). Set starts the operation and returns at once; the Status
// completes when the device has arrived (and settled).
type Movable interface {
	Readable
	Set(ctx context.Context, value any) *Status
}

// Triggerable is a device that acquires on demand (a detector). Trigger
// starts the acquisition; the Status completes when it is done.
type Triggerable interface {
	Device
	Trigger(ctx context.Context) *Status
}

// Stageable is optionally implemented by devices that prepare for a run
// (Stage) and go back to their previous state after it (Unstage).
type Stageable interface {
	Stage(ctx context.Context) error
	Unstage(ctx context.Context) error
}

// Stoppable is optionally implemented by devices that can stop what they
// are doing (a motor stops moving). The engine calls it on abort, halt and
// stop.
type Stoppable interface {
	Stop(ctx context.Context) error
}

// Collected is one event of data a flyer collected.
type Collected struct {
	Time       time.Time            `json:"time"`
	Data       map[string]any       `json:"data"`
	Timestamps map[string]time.Time `json:"timestamps"`
}

// Flyer acquires on its own once kicked off (a fly scan): Kickoff starts it,
// Complete finishes it, Collect returns what it acquired.
type Flyer interface {
	Device
	Kickoff(ctx context.Context) *Status
	Complete(ctx context.Context) *Status
	Collect(ctx context.Context) ([]Collected, error)
	DescribeCollect(ctx context.Context) (map[string]DataKey, error)
}
