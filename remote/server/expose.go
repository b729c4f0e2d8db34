package server

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/remote"
)

// Expose makes a Device of dev under name, with commands and attributes
// derived from the device interfaces dev implements; the class is
// device.TypeOf(dev):
//
//	Readable     commands Read (-> map of device.Reading) and Describe
//	             (-> map of device.DataKey); every key Read returns is also a
//	             read-only attribute
//	Movable      async command Set (argin: the target, any JSON value)
//	Triggerable  async command Trigger
//	Stoppable    command Stop
//	Stageable    commands Stage and Unstage
//
// opts apply as to NewDevice. The server does not own dev: closing it is
// the caller's business.
func Expose(name string, dev device.Device, opts ...DeviceOption) *Device {
	d := NewDevice(name, device.TypeOf(dev), opts...)
	if r, ok := dev.(device.Readable); ok {
		exposeReadable(d, r)
	}
	if m, ok := dev.(device.Movable); ok {
		AsyncCommand(d, "Set", func(ctx context.Context, target any) *device.Status { return m.Set(ctx, target) })
	}
	if t, ok := dev.(device.Triggerable); ok {
		AsyncCommand(d, "Trigger", func(ctx context.Context, _ Void) *device.Status { return t.Trigger(ctx) })
	}
	if s, ok := dev.(device.Stoppable); ok {
		Command(d, "Stop", func(ctx context.Context, _ Void) (Void, error) { return Void{}, s.Stop(ctx) })
	}
	if s, ok := dev.(device.Stageable); ok {
		Command(d, "Stage", func(ctx context.Context, _ Void) (Void, error) { return Void{}, s.Stage(ctx) })
		Command(d, "Unstage", func(ctx context.Context, _ Void) (Void, error) { return Void{}, s.Unstage(ctx) })
	}
	return d
}

func exposeReadable(d *Device, r device.Readable) {
	Command(d, "Read", func(ctx context.Context, _ Void) (map[string]device.Reading, error) { return r.Read(ctx) })
	Command(d, "Describe", func(ctx context.Context, _ Void) (map[string]device.DataKey, error) { return r.Describe(ctx) })
	d.dynamic = func(ctx context.Context, name string) (*attr, error) {
		keys, err := r.Describe(ctx)
		if err != nil {
			return nil, errorFrom(err, remote.CodeFailed)
		}
		k, ok := keys[name]
		if !ok {
			return nil, nil
		}
		return &attr{
			info: remote.AttributeInfo{Name: name, Type: k.DType, Unit: k.Units},
			read: func(ctx context.Context) (any, remote.Quality, time.Time, error) {
				rs, err := r.Read(ctx)
				if err != nil {
					return nil, "", time.Time{}, err
				}
				v, ok := rs[name]
				if !ok {
					return nil, remote.QualityInvalid, time.Time{}, nil
				}
				return v.Value, remote.QualityValid, v.Timestamp, nil
			},
		}, nil
	}
	d.describe = func(ctx context.Context) []remote.AttributeInfo {
		keys, err := r.Describe(ctx)
		if err != nil {
			return nil
		}
		var out []remote.AttributeInfo
		for name, k := range keys {
			out = append(out, remote.AttributeInfo{Name: name, Type: k.DType, Unit: k.Units})
		}
		slices.SortFunc(out, func(a, b remote.AttributeInfo) int { return cmp.Compare(a.Name, b.Name) })
		return out
	}
}
