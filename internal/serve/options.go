package serve

import (
	"io"

	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/telemetry"
)

// Option configures a [Server] beyond its [Config]. Options are values of
// the With* functions.
type Option interface{ apply(*options) }

type options struct {
	out       io.Writer
	telemetry []telemetry.Option
	wrapSink  func(otlp.Sink) otlp.Sink
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithOutput sets where the server writes its lines (see the package
// documentation): the addresses once it listens, the periodic counters,
// stopping and stopped, and the rare warnings of its parts. The default,
// and a nil w, discard them. The server serializes its writes to w.
func WithOutput(w io.Writer) Option {
	return optionFunc(func(o *options) {
		if w != nil {
			o.out = w
		}
	})
}

// WithTelemetry adds options to those the server gives telemetry.Setup for
// its own component (service name sightline-serve, configured from the
// environment; off unless SIGHTLINE_TELEMETRY_ENABLE=on). `sightline
// serve` adds telemetry.WithGlobal, being the process's one component;
// tests add telemetry.WithEnv to keep the machine's variables out.
func WithTelemetry(opts ...telemetry.Option) Option {
	return optionFunc(func(o *options) { o.telemetry = append(o.telemetry, opts...) })
}

// withSinkWrapper puts wrap around the store's sink, between the
// receivers and the store (the tests slow the store down with it).
func withSinkWrapper(wrap func(otlp.Sink) otlp.Sink) Option {
	return optionFunc(func(o *options) { o.wrapSink = wrap })
}
