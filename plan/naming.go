package plan

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	"github.com/sightline-dev/sightline/device"
)

// BlueskySpanPrefix starts the name of every span the engine makes under
// device.NamingBluesky: "Bluesky RunEngine run", "Bluesky RunEngine set",
// as Bluesky names them.
const BlueskySpanPrefix = "Bluesky RunEngine "

// successKey is the run span's success attribute (NamingBluesky only).
const successKey = attribute.Key("success")

// WithNaming sets how the engine names its spans and which attributes they
// carry (docs/plan-tracing.md): device.NamingSightline ("run <plan_name>",
// "set", "wait" ...) or device.NamingBluesky ("Bluesky RunEngine run",
// "Bluesky RunEngine set" ..., with Bluesky's msg.* attributes on the run
// span and msg.obj carrying the device's repr). The engine gives its naming
// to the devices it calls (device.ContextWithNaming), so their Status spans
// follow it ("Ophyd Status"). Default: the value of device.NamingEnv
// (SIGHTLINE_PLAN_SPAN_NAMING), else device.NamingSightline; an option
// wins over the environment. A value other than the two is reported by
// Validate, and by NewRunEngine to the OpenTelemetry error handler
// (otel.Handle), which then uses device.NamingSightline.
func WithNaming(n device.Naming) Option {
	return engineOption(func(c *engineConfig) { c.naming, c.namingSet = n, true })
}

// WithObjRepr sets what msg.obj holds: the device's full description,
// device.Repr (its String(), as Bluesky shows a device's repr), when on;
// its name when off. Default: on under device.NamingBluesky, off under
// device.NamingSightline.
func WithObjRepr(on bool) Option {
	return engineOption(func(c *engineConfig) { c.objRepr = &on })
}

// WithEnv sets how NewRunEngine and Validate read the environment
// (device.NamingEnv), with the module's getenv shape: the value and
// whether the variable is set. Default (and nil): os.LookupEnv.
func WithEnv(getenv func(name string) (string, bool)) Option {
	return engineOption(func(c *engineConfig) { c.getenv = getenv })
}

// Validate reports what NewRunEngine with opts would find wrong in its
// settings (a naming that is neither "sightline" nor "bluesky", from
// WithNaming or the environment), with the source, the value and what is
// allowed, so that a program can refuse to start; NewRunEngine itself
// never fails.
func Validate(opts ...Option) error {
	c := newEngineConfig(opts)
	_, err := c.resolveNaming()
	return err
}

// resolveNaming is the naming of WithNaming, else of the environment.
func (c *engineConfig) resolveNaming() (device.Naming, error) {
	if c.namingSet {
		n, err := device.ParseNaming("plan.WithNaming", string(c.naming))
		if err != nil {
			return n, fmt.Errorf("plan: %w", err)
		}
		return n, nil
	}
	n, err := device.NamingFromEnv(c.getenv)
	if err != nil {
		return n, fmt.Errorf("plan: %w", err)
	}
	return n, nil
}

// applyNaming sets the engine's naming and msg.obj form from c; a bad
// naming goes to otel.Handle.
func (re *RunEngine) applyNaming(c *engineConfig) {
	n, err := c.resolveNaming()
	if err != nil {
		otel.Handle(errors.Join(err, fmt.Errorf("plan: using %q", device.NamingSightline)))
	}
	re.naming = n
	re.bluesky = n == device.NamingBluesky
	re.objRepr = re.bluesky
	if c.objRepr != nil {
		re.objRepr = *c.objRepr
	}
}

// blueskyNames are the Bluesky names of the command spans, made once.
var blueskyNames = kernelNames(BlueskySpanPrefix, CmdSet, CmdWait, CmdRead, CmdTrigger, CmdKickoff,
	CmdComplete, CmdCollect, CmdSleep)

// commandName is the name of a command's span.
func (re *RunEngine) commandName(cmd string) string {
	if !re.bluesky {
		return cmd
	}
	return kernelName(blueskyNames, BlueskySpanPrefix, cmd)
}

// runName is the name of the run span.
func (re *RunEngine) runName(planName string) string {
	switch {
	case re.bluesky:
		return BlueskySpanPrefix + "run"
	case planName != "":
		return "run " + planName
	}
	return "run"
}

// pySpacing respaces compact JSON text as Python's json.dumps writes it,
// a space after every ',' and ':' outside strings: {"group": null}.
func pySpacing(s string) string {
	b := make([]byte, 0, len(s)+8)
	inStr, esc := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		b = append(b, c)
		switch {
		case inStr && esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case inStr && c == '"':
			inStr = false
		case inStr:
		case c == '"':
			inStr = true
		case c == ',' || c == ':':
			b = append(b, ' ')
		}
	}
	return string(b)
}
