package device

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
)

// OphydStatusSpanName is the name of every Status span under
// NamingBluesky, as Ophyd names them.
const OphydStatusSpanName = "Ophyd Status"

// Repr is a device's full description, as Python's repr shows an Ophyd
// device (what Bluesky puts in msg.obj and Ophyd in positioner): the
// device's String() when it is a fmt.Stringer, else
// "<device type>(name='<name>')" (TypeOf). "" for nil.
func Repr(d Device) string {
	switch v := d.(type) {
	case nil:
		return ""
	case fmt.Stringer:
		return v.String()
	}
	return TypeOf(d) + "(name=" + pyStr(d.Name()) + ")"
}

// ophydAttrs are the attributes Ophyd adds to a Status span besides
// sightline's (docs/plan-tracing.md, "Bluesky naming"): object_repr, the
// Status's repr at creation; kwargs, the options Ophyd takes as keyword
// arguments (timeout and settle_time, in seconds, when given) as JSON
// text; and, for a MoveStatus of a device, positioner_name and positioner.
func (c *statusConfig) ophydAttrs(kv []attribute.KeyValue) []attribute.KeyValue {
	kv = append(kv, attribute.String("object_repr", c.objectRepr()), attribute.String("kwargs", c.kwargs()))
	if c.typ == TypeMoveStatus && c.device != nil {
		kv = append(kv, attribute.String("positioner_name", c.device.Name()),
			attribute.String("positioner", Repr(c.device)))
	}
	return kv
}

// objectRepr is the Status's repr when created, in Ophyd's shapes:
//
//	MoveStatus(done=False, pos=motor1, elapsed=0.0, success=False, settle_time=0.0)
//	DeviceStatus(device=det, done=False, success=False)
//	Status(done=False, success=False)
func (c *statusConfig) objectRepr() string {
	var b strings.Builder
	b.WriteString(c.typ)
	b.WriteByte('(')
	switch {
	case c.typ == TypeMoveStatus:
		b.WriteString("done=False, pos=")
		b.WriteString(nameOrNone(c.device))
		b.WriteString(", elapsed=0.0, success=False, settle_time=")
		b.WriteString(pyFloat(c.settleTime))
	case c.device != nil:
		b.WriteString("device=")
		b.WriteString(c.device.Name())
		b.WriteString(", done=False, success=False")
	default:
		b.WriteString("done=False, success=False")
	}
	b.WriteByte(')')
	return b.String()
}

// kwargs is JSON text of the keyword arguments Ophyd's status classes
// take that were given, keys sorted, spaced as Python's json.dumps:
// {"settle_time": 0.5, "timeout": 10.0}, or {} when none.
func (c *statusConfig) kwargs() string {
	var parts []string
	if c.settleTime > 0 {
		parts = append(parts, `"settle_time": `+pyFloat(c.settleTime))
	}
	if c.timeout > 0 {
		parts = append(parts, `"timeout": `+pyFloat(c.timeout))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func nameOrNone(d Device) string {
	if d == nil {
		return "None"
	}
	return d.Name()
}

// pyFloat is d in seconds as Python prints a float: 0.0, 0.5, 10.0.
func pyFloat(d time.Duration) string {
	s := strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// pyStr is s quoted as Python's repr quotes a string without a single
// quote: 'motor1'.
func pyStr(s string) string {
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
}
