package server

import (
	"fmt"
	"regexp"

	"github.com/sightline-dev/sightline/remote"
)

// DeviceOption configures a Device (NewDevice, Expose).
type DeviceOption interface{ applyDevice(*Device) }

// AttributeOption configures an attribute (Attribute).
type AttributeOption interface{ applyAttribute(*remote.AttributeInfo) }

type deviceOption func(*Device)

func (f deviceOption) applyDevice(d *Device) { f(d) }

type attributeOption func(*remote.AttributeInfo)

func (f attributeOption) applyAttribute(a *remote.AttributeInfo) { f(a) }

// WithServiceName sets the service.name of the device's telemetry
// component. "", or no option, means the device's class.
func WithServiceName(name string) DeviceOption {
	return deviceOption(func(d *Device) { d.serviceName = name })
}

// WithUnit sets the attribute's unit, as AttributeInfo.Unit shows it
// ("mm", "counts/s"). "", or no option, means none.
func WithUnit(u string) AttributeOption {
	return attributeOption(func(a *remote.AttributeInfo) { a.Unit = u })
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+$`)

// CheckName reports whether name is a valid device name:
// domain/family/member, each part letters, digits, '_', '.' or '-'.
func CheckName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("device name %q: want domain/family/member, each part of letters, digits, '_', '.' or '-'", name)
	}
	return nil
}
