package otlp

import (
	"log/slog"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// Option configures a [Receiver] beyond its [Config]. Options are values
// of the With* functions.
type Option interface{ apply(*options) }

// optionFunc is an Option that runs a function on the options.
type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	logger         *slog.Logger
	tracerProvider trace.TracerProvider
	// grpcServerOptions are added after the receiver's own: the tests'
	// stats handler, which learns that an RPC ended after the receiver's
	// handler counted it.
	grpcServerOptions []grpc.ServerOption
}

// WithLogger sets the logger for the receiver's own rare log lines: a sink
// that panicked, a forced shutdown, a listener that failed while serving.
// The default discards them. A nil logger keeps the default.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(o *options) {
		if l != nil {
			o.logger = l
		}
	})
}

// WithTracerProvider makes the receiver trace itself: one span per export
// request that reaches the sink path, on a tracer of the kernel topic (see
// telemetry/topic), so a sightline TracerProvider records them only when
// kernel spans are on. Do not export these spans into the same receiver
// without a sampler or topic gate: each export would trace another. The
// default is a no-op provider. A nil provider keeps the default.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(o *options) {
		if tp != nil {
			o.tracerProvider = tp
		}
	})
}

// withGRPCServerOptions adds options to the gRPC server's, after the
// receiver's own (for the package's tests).
func withGRPCServerOptions(opts ...grpc.ServerOption) Option {
	return optionFunc(func(o *options) { o.grpcServerOptions = append(o.grpcServerOptions, opts...) })
}
