package server

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/sightline-dev/sightline/device"
	"github.com/sightline-dev/sightline/remote"
)

// Device is a device as a server hosts it: a name (domain/family/member), a
// class, and the commands and attributes the class declares. Declare them
// with Command, AsyncCommand and Attribute (or let Expose derive them from
// the device interfaces), then add the device to a Server. Mistakes in the
// declarations (a duplicate or empty name) are reported by Server.Add.
// Declare everything before Add: a Device is not safe for concurrent
// declaration and use.
type Device struct {
	name, class string
	serviceName string
	resAttrs    []attribute.KeyValue // WithResourceAttributes
	commands    map[string]*command
	attrs       map[string]*attr
	// dynamic finds attributes not declared up front (Expose's readings).
	dynamic func(ctx context.Context, name string) (*attr, error)
	// describe lists the dynamic attributes for remote.DeviceInfo.
	describe func(ctx context.Context) []remote.AttributeInfo
	problems []error
}

// Void is the argument or result type of a command that takes or returns
// nothing; on the wire it is an absent argin or a null argout.
type Void struct{}

type command struct {
	info remote.CommandInfo
	// call runs a synchronous command and returns its result.
	call func(ctx context.Context, argin json.RawMessage) (any, error)
	// start begins an async command and returns its Status.
	start func(ctx context.Context, argin json.RawMessage) (*device.Status, error)
}

type attr struct {
	info  remote.AttributeInfo
	read  func(ctx context.Context) (any, remote.Quality, time.Time, error)
	write func(ctx context.Context, value json.RawMessage) error
}

// NewDevice starts the declaration of a device of class on a server.
func NewDevice(name, class string, opts ...DeviceOption) *Device {
	d := &Device{name: name, class: class, commands: map[string]*command{}, attrs: map[string]*attr{}}
	for _, o := range opts {
		if o != nil {
			o.applyDevice(d)
		}
	}
	return d
}

// Name is the device's name.
func (d *Device) Name() string { return d.name }

// Class is the device's class.
func (d *Device) Class() string { return d.class }

func (d *Device) addCommand(c *command) {
	switch {
	case c.info.Name == "":
		d.problems = append(d.problems, fmt.Errorf("device %s: a command has an empty name", d.name))
	case d.commands[c.info.Name] != nil:
		d.problems = append(d.problems, fmt.Errorf("device %s: command %q declared twice", d.name, c.info.Name))
	default:
		d.commands[c.info.Name] = c
	}
}

// Command declares a command that takes an A and returns an R, both as JSON
// (use Void for none). An argin that does not decode into A is refused with
// ErrBadArgument before fn runs.
func Command[A, R any](d *Device, name string, fn func(ctx context.Context, arg A) (R, error)) {
	d.addCommand(&command{
		info: remote.CommandInfo{Name: name, In: typeName[A](), Out: typeName[R]()},
		call: func(ctx context.Context, raw json.RawMessage) (any, error) {
			a, err := decodeArg[A](name, raw)
			if err != nil {
				return nil, err
			}
			r, err := fn(ctx, a)
			if err != nil {
				return nil, err
			}
			if _, void := any(r).(Void); void {
				return nil, nil
			}
			return r, nil
		},
	})
}

// AsyncCommand declares a command that starts an operation, such as a move:
// the call returns at once with an OperationRef and the proxy follows the
// operation until its Status is done. The Status's context outlives the
// call (it keeps the call's span as parent but not its cancellation).
func AsyncCommand[A any](d *Device, name string, fn func(ctx context.Context, arg A) *device.Status) {
	d.addCommand(&command{
		info: remote.CommandInfo{Name: name, In: typeName[A](), Out: "operation", Async: true},
		start: func(ctx context.Context, raw json.RawMessage) (*device.Status, error) {
			a, err := decodeArg[A](name, raw)
			if err != nil {
				return nil, err
			}
			return fn(ctx, a), nil
		},
	})
}

// Attribute declares an attribute of type T. read returns the value and its
// quality ("" means remote.QualityValid); the reading's time is when read returned.
// write may be nil for a read-only attribute.
func Attribute[T any](d *Device, name string, read func(ctx context.Context) (T, remote.Quality, error), write func(ctx context.Context, v T) error, opts ...AttributeOption) {
	a := &attr{info: remote.AttributeInfo{Name: name, Type: typeName[T](), Writable: write != nil}}
	for _, o := range opts {
		if o != nil {
			o.applyAttribute(&a.info)
		}
	}
	if read != nil {
		a.read = func(ctx context.Context) (any, remote.Quality, time.Time, error) {
			v, q, err := read(ctx)
			return v, q, time.Now(), err
		}
	}
	if write != nil {
		a.write = func(ctx context.Context, raw json.RawMessage) error {
			v, err := decodeArg[T](name, raw)
			if err != nil {
				return err
			}
			return write(ctx, v)
		}
	}
	switch {
	case name == "":
		d.problems = append(d.problems, fmt.Errorf("device %s: an attribute has an empty name", d.name))
	case read == nil:
		d.problems = append(d.problems, fmt.Errorf("device %s: attribute %q has no read function", d.name, name))
	case d.attrs[name] != nil:
		d.problems = append(d.problems, fmt.Errorf("device %s: attribute %q declared twice", d.name, name))
	default:
		d.attrs[name] = a
	}
}

// info describes the device for remote.DeviceInfo.
func (d *Device) info(ctx context.Context, state remote.State) remote.DeviceInfo {
	di := remote.DeviceInfo{Name: d.name, Class: d.class, State: state, Commands: []remote.CommandInfo{}, Attributes: []remote.AttributeInfo{}}
	for _, c := range d.commands {
		di.Commands = append(di.Commands, c.info)
	}
	for _, a := range d.attrs {
		di.Attributes = append(di.Attributes, a.info)
	}
	if d.describe != nil && state == remote.StateOn {
		di.Attributes = append(di.Attributes, d.describe(ctx)...)
	}
	slices.SortFunc(di.Commands, func(a, b remote.CommandInfo) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(di.Attributes, func(a, b remote.AttributeInfo) int { return cmp.Compare(a.Name, b.Name) })
	return di
}

// attribute finds a declared or dynamic attribute.
func (d *Device) attribute(ctx context.Context, name string) (*attr, error) {
	if a := d.attrs[name]; a != nil {
		return a, nil
	}
	if d.dynamic != nil {
		return d.dynamic(ctx, name)
	}
	return nil, nil
}
