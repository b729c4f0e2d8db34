package admin

import (
	"context"
	"net"

	"github.com/sightline-dev/sightline/telemetry"
)

// The environment variables the admin API reads.
const (
	// TokenEnv holds the bearer token changes need (NewHandler, when
	// WithToken is not given; sightline ctl, when --token is not given).
	// Unset or empty means none is configured: the handler generates one.
	TokenEnv = "SIGHTLINE_ADMIN_TOKEN"
	// FileDirsEnv lists, separated by os.PathListSeparator (':' on Unix),
	// the absolute directories in which file endpoints may be set at
	// runtime, besides those given with WithFileDirs.
	FileDirsEnv = "SIGHTLINE_ADMIN_FILE_DIRS"
	// RuntimeDirEnv names the directory of the token files (see
	// RuntimeDir). It is read from the process environment, never through
	// WithEnv, so that a server and sightline ctl agree on it.
	RuntimeDirEnv = "SIGHTLINE_RUNTIME_DIR"
)

// DefaultMaxBody is the largest request body the handler reads, in bytes.
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
	comps      []*telemetry.Component
	token      string
	hasToken   bool // WithToken was given
	getenv     telemetry.Getenv
	persister  Persister
	maxBody    int64
	fileDirs   []string
	runtimeDir string
	ready      func(net.Addr)
}

type handlerOption func(*handlerOptions)

func (f handlerOption) applyHandler(o *handlerOptions) { f(o) }

// WithComponents serves the given components (more can be added with
// Handler.Add). Two components of the same name are an error.
func WithComponents(cs ...*telemetry.Component) Option {
	return handlerOption(func(o *handlerOptions) { o.comps = append(o.comps, cs...) })
}

// WithToken sets the bearer token that changes (and reads from other
// hosts) must carry. It wins over SIGHTLINE_ADMIN_TOKEN. It must be at
// least MinTokenLength visible ASCII characters, else NewHandler fails.
// WithToken("") means none is configured: the handler generates one, and
// the variable is not read.
func WithToken(token string) Option {
	return handlerOption(func(o *handlerOptions) { o.token, o.hasToken = token, true })
}

// WithEnv reads SIGHTLINE_ADMIN_TOKEN and SIGHTLINE_ADMIN_FILE_DIRS through
// getenv instead of os.LookupEnv (for tests and servers with their own
// environment); it takes the same hook as telemetry.WithEnv. nil reads
// neither variable. The runtime directory is always read from the process
// environment.
func WithEnv(getenv telemetry.Getenv) Option {
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

// WithFileDirs allows file endpoints set at runtime inside dirs (absolute
// paths; their symbolic links are resolved when the handler is made).
// SIGHTLINE_ADMIN_FILE_DIRS adds more, and so do the directories of the
// file endpoints a component has when it is added. Without any, file
// endpoints cannot be set at runtime.
func WithFileDirs(dirs ...string) Option {
	return handlerOption(func(o *handlerOptions) { o.fileDirs = append(o.fileDirs, dirs...) })
}

// WithRuntimeDir publishes the token files in dir instead of RuntimeDir()
// (for tests, or a server whose clients are told where to look).
func WithRuntimeDir(dir string) Option {
	return handlerOption(func(o *handlerOptions) { o.runtimeDir = dir })
}

// WithReady calls ready with the address Serve and ListenAndServe serve
// on, once the token file is published and requests are answered; a
// program says "listening" there, and nowhere sooner.
func WithReady(ready func(addr net.Addr)) Option {
	return handlerOption(func(o *handlerOptions) { o.ready = ready })
}
