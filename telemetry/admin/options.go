package admin

import (
	"context"

	"github.com/sightline-dev/sightline/telemetry"
)

// TokenEnv is the environment variable NewHandler reads the bearer token
// from when WithToken is not given.
const TokenEnv = "SIGHTLINE_ADMIN_TOKEN"

// DefaultMaxBody is the largest request body the handler reads.
const DefaultMaxBody = 64 << 10

// Persister stores a runtime change as the component's properties, so it
// survives a restart. The handler calls it for requests with ?persist=1,
// after the change is applied, with telemetry.PropertiesFor(newConfig, key)
// for the setting that changed.
type Persister interface {
	SetProperties(ctx context.Context, component string, props map[string][]string) error
}

// Option configures NewHandler. The With* functions make them.
type Option interface{ applyHandler(*handlerOptions) }

type handlerOptions struct {
	comps     []*telemetry.Component
	token     string
	hasToken  bool // WithToken was given
	getenv    func(string) (string, bool)
	persister Persister
	maxBody   int64
}

type handlerOption func(*handlerOptions)

func (f handlerOption) applyHandler(o *handlerOptions) { f(o) }

// WithComponents serves the given components (more can be added with
// Handler.Add). Two components of the same name are an error.
func WithComponents(cs ...*telemetry.Component) Option {
	return handlerOption(func(o *handlerOptions) { o.comps = append(o.comps, cs...) })
}

// WithToken sets the bearer token that mutating requests must carry. It
// wins over SIGHTLINE_ADMIN_TOKEN; an empty token means none (mutating
// requests are then accepted only on a loopback address).
func WithToken(token string) Option {
	return handlerOption(func(o *handlerOptions) { o.token, o.hasToken = token, true })
}

// WithEnv reads SIGHTLINE_ADMIN_TOKEN through getenv instead of
// os.LookupEnv (for tests).
func WithEnv(getenv func(string) (string, bool)) Option {
	return handlerOption(func(o *handlerOptions) { o.getenv = getenv })
}

// WithPersister lets requests with ?persist=1 store the change through p.
// Without one, such requests are refused.
func WithPersister(p Persister) Option {
	return handlerOption(func(o *handlerOptions) { o.persister = p })
}

// WithMaxBody limits request bodies to n bytes (default DefaultMaxBody);
// larger ones get 413.
func WithMaxBody(n int64) Option {
	return handlerOption(func(o *handlerOptions) { o.maxBody = n })
}
