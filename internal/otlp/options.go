package otlp

import (
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// Option configures a [Receiver] beyond its [Config].
type Option func(*options)

type options struct {
	logger         *slog.Logger
	tracerProvider trace.TracerProvider
}

// WithLogger sets the logger for the receiver's own rare log lines: a sink
// that panicked, a forced shutdown, a listener that failed while serving.
// The default discards them. A nil logger keeps the default.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithTracerProvider makes the receiver trace itself: one span per export
// request that reaches the sink path, on a tracer of the kernel topic (see
// telemetry/topic), so a sightline TracerProvider records them only when
// kernel spans are on. Do not export these spans into the same receiver
// without a sampler or topic gate: each export would trace another. The
// default is a no-op provider. A nil provider keeps the default.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) {
		if tp != nil {
			o.tracerProvider = tp
		}
	}
}
