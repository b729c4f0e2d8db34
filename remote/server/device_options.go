package server

import (
	"fmt"

	"regexp"

	"go.opentelemetry.io/otel/attribute"

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

// WithResourceAttributes adds resource attributes to the device's
// telemetry component, so every span and log record of this device, and
// of no other device on the server, carries them: PyTango's device-level
// extra resource attributes (a device's create_telemetry_tracer_provider
// passing extra_resource_attributes to the factory). They win over
// OTEL_RESOURCE_ATTRIBUTES and over the server's
// WithTelemetryOptions(telemetry.WithResourceAttributes(...)); service.name,
// service.namespace and service.instance.id stay the device's (its class,
// the server's namespace, its name). An attribute without a key or value
// is a declaration mistake that Server.Add reports. Several options add
// up; a later value of a key wins.
func WithResourceAttributes(attrs ...attribute.KeyValue) DeviceOption {
	return deviceOption(func(d *Device) {
		for _, kv := range attrs {
			if !kv.Valid() {
				d.problems = append(d.problems, fmt.Errorf("device %s: resource attribute %q=%q: want a non-empty key and a value",
					d.name, kv.Key, kv.Value.String()))
				continue
			}
			d.resAttrs = append(d.resAttrs, kv)
		}
	})
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
