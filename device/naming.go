package device

import (
	"context"
	"fmt"
	"os"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

// Naming is how the spans of a Status (and of the plan engine, which
// passes its naming to the devices it drives) are named, and which
// attributes they carry besides sightline's own.
type Naming string

// The namings. The zero value, "", is NamingSightline.
const (
	// NamingSightline names a Status span "<status_type> <device>"
	// ("MoveStatus motor1"), with the attributes listed in the package
	// documentation. The default.
	NamingSightline Naming = "sightline"
	// NamingBluesky names every Status span "Ophyd Status", as Ophyd does,
	// and adds Ophyd's object_repr, kwargs and, for a MoveStatus with a
	// device, positioner_name and positioner to sightline's attributes.
	NamingBluesky Naming = "bluesky"
)

// NamingEnv is the environment variable that selects the naming of the
// process's Status spans made outside a plan engine (an engine passes its
// own naming to its devices, see plan.WithNaming), and the default naming
// of plan engines: "sightline" (the default, also when unset or empty) or
// "bluesky".
const NamingEnv = "SIGHTLINE_PLAN_SPAN_NAMING"

// ParseNaming returns the naming value names; source (an environment
// variable's name, an option's) is named in the error. "" is
// NamingSightline.
func ParseNaming(source, value string) (Naming, error) {
	switch Naming(value) {
	case "", NamingSightline:
		return NamingSightline, nil
	case NamingBluesky:
		return NamingBluesky, nil
	}
	return NamingSightline, fmt.Errorf("%s=%q: want %q or %q", source, value, NamingSightline, NamingBluesky)
}

// NamingFromEnv reads NamingEnv with getenv (nil: os.LookupEnv). An unset
// or empty variable is NamingSightline; any value but "sightline" and
// "bluesky" is an error naming the variable, the value and what is allowed.
func NamingFromEnv(getenv func(name string) (string, bool)) (Naming, error) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	v, _ := getenv(NamingEnv)
	return ParseNaming(NamingEnv, v)
}

// envNaming is NamingEnv read once for the process; a bad value is
// reported once to the OpenTelemetry error handler (otel.Handle) and
// NamingSightline is used.
var envNaming = sync.OnceValue(func() Naming {
	n, err := NamingFromEnv(nil)
	if err != nil {
		otel.Handle(fmt.Errorf("device: %w; using %q", err, NamingSightline))
	}
	return n
})

// statusCtx is what a context carries for the Statuses created under it:
// one value, so that NewStatus looks the context up once.
type statusCtx struct {
	tp     trace.TracerProvider // nil: none given
	naming Naming               // "": none given
}

type statusCtxKey struct{}

func statusCtxFrom(ctx context.Context) statusCtx {
	if c, ok := ctx.Value(statusCtxKey{}).(*statusCtx); ok {
		return *c
	}
	return statusCtx{}
}

// ContextWithNaming returns ctx carrying n: a Status created under it is
// named by n, whatever NamingEnv says. A plan engine gives it to every
// device call. "" removes a naming given by an outer context.
func ContextWithNaming(ctx context.Context, n Naming) context.Context {
	c := statusCtxFrom(ctx)
	c.naming = n
	return context.WithValue(ctx, statusCtxKey{}, &c)
}

// ContextWithTracerProvider returns ctx carrying tp: a Status created under
// it without WithTracer makes its spans with tp. A device server
// uses it to give every call the hosting device's TracerProvider.
func ContextWithTracerProvider(ctx context.Context, tp trace.TracerProvider) context.Context {
	c := statusCtxFrom(ctx)
	c.tp = tp
	return context.WithValue(ctx, statusCtxKey{}, &c)
}
