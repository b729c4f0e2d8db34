package server

import (
	"github.com/sightline-dev/sightline/telemetry"
	"github.com/sightline-dev/sightline/telemetry/properties"
)

// Option configures New. The options are the With* functions of this
// package that return an Option; the interface is sealed.
type Option interface{ applyServer(*options) }

type options struct {
	store     *properties.Store
	getenv    telemetry.Getenv
	namespace string
	telemetry []telemetry.Option
	token     string
}

type option func(*options)

func (f option) applyServer(o *options) { f(o) }

// WithPropertyStore reads each device's stored telemetry properties when the
// device starts, and persists admin changes made with ?persist=1. Nil, or
// no option, means none: devices start from the environment and code, and
// persisting changes is refused.
func WithPropertyStore(s *properties.Store) Option {
	return option(func(o *options) { o.store = s })
}

// WithEnv reads the environment (telemetry variables, SIGHTLINE_ADMIN_TOKEN)
// through getenv. Nil, or no option, means os.LookupEnv.
func WithEnv(getenv telemetry.Getenv) Option {
	return option(func(o *options) { o.getenv = getenv })
}

// WithNamespace sets service.namespace of every component. "", or no
// option, means telemetry.DefaultNamespace.
func WithNamespace(ns string) Option { return option(func(o *options) { o.namespace = ns }) }

// WithTelemetryOptions adds options to every component the server sets up
// (its own and every device's), after the ones it sets itself.
func WithTelemetryOptions(opts ...telemetry.Option) Option {
	return option(func(o *options) { o.telemetry = append(o.telemetry, opts...) })
}

// WithAdminToken sets the bearer token telemetry changes need (at least
// admin.MinTokenLength characters). "", or no option, means
// SIGHTLINE_ADMIN_TOKEN, else a token the server generates and publishes,
// while it serves, in the token file of the user's runtime directory
// (admin.Handler.Publish), where admin clients on this host read it.
// Serving on an address other hosts can reach needs a configured token.
func WithAdminToken(token string) Option { return option(func(o *options) { o.token = token }) }
