package task

import (
	"fmt"
	"log/slog"
	"runtime"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/propagators"
)

// The package configures three kinds of thing, each with its own option
// type, so that an option given where it cannot apply does not compile:
//
//   - LocalOption: the in-process client (NewLocal), which submits and
//     runs tasks in goroutines of this process;
//   - ClientOption: a NATS client (DialNATS, NewNATSClient), which submits;
//   - WorkerOption: a NATS worker (NewWorker, NewNATSWorker), which runs.
//
// An option that applies to several of them satisfies each of their
// types: an Option (tracing, logger) applies to all three, a NATSOption
// (stream, subjects, connection) to NATS clients and workers, a PoolOption
// (registry, concurrency, worker id) to whatever runs tasks, the
// in-process client or a NATS worker.

// LocalOption configures the in-process client (NewLocal).
type LocalOption interface{ applyLocal(*localConfig) }

// ClientOption configures a NATS client (DialNATS, NewNATSClient).
type ClientOption interface{ applyClient(*clientConfig) }

// WorkerOption configures a NATS worker (NewWorker, NewNATSWorker).
type WorkerOption interface{ applyWorker(*workerConfig) }

// Option configures every client and worker alike: WithTracerProvider,
// WithPropagator, WithLogger, WithHook, WithEnv.
type Option interface {
	LocalOption
	ClientOption
	WorkerOption
}

// common is what every client and worker takes.
type common struct {
	tp     trace.TracerProvider             // nil: the global one
	prop   propagation.TextMapPropagator    // nil: the global one, else W3C
	logger *slog.Logger                     // nil: slog.Default
	hook   *string                          // nil: from the environment (HookEnv)
	getenv func(name string) (string, bool) // nil: os.LookupEnv
}

type commonOption func(*common)

func (o commonOption) applyLocal(c *localConfig)   { o(&c.common) }
func (o commonOption) applyClient(c *clientConfig) { o(&c.common) }
func (o commonOption) applyWorker(c *workerConfig) { o(&c.common) }

func (c common) tracerProvider() trace.TracerProvider {
	if c.tp != nil {
		return c.tp
	}
	return otel.GetTracerProvider()
}

func (c common) log() *slog.Logger {
	if c.logger != nil {
		return c.logger
	}
	return slog.Default()
}

// propagator returns the configured propagator, else the global one, else
// (when the global one propagates nothing, as before any setup) W3C trace
// context and baggage, so that a task never silently leaves its
// submitter's trace. It
// is resolved at each use: a startup hook may install the global one after
// the worker was made.
func (c common) propagator() propagation.TextMapPropagator { return propagators.OrDefault(c.prop) }

// WithTracerProvider sets where spans go. Default: the global provider,
// otel.GetTracerProvider; it forwards to a provider installed later, so a
// startup hook that calls otel.SetTracerProvider is honoured.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return commonOption(func(c *common) { c.tp = tp })
}

// WithPropagator sets how the trace context is written into and read from
// message headers. Default: the global propagator, or W3C trace context
// when the global one has no fields.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return commonOption(func(c *common) { c.prop = p })
}

// WithLogger sets the logger for what cannot be reported to a submitter
// (malformed messages, fetch errors). Default: slog.Default.
func WithLogger(l *slog.Logger) Option {
	return commonOption(func(c *common) { c.logger = l })
}

// PoolOption configures what runs tasks: the in-process client or a NATS
// worker (WithRegistry, WithConcurrency, WithWorkerID).
type PoolOption interface {
	LocalOption
	WorkerOption
}

// pool is how tasks are run.
type pool struct {
	registry    *Registry // nil: the default registry
	concurrency int       // 0: GOMAXPROCS
	workerID    string    // "": HOST-PID-RANDOM
}

type poolOption func(*pool)

func (o poolOption) applyLocal(c *localConfig)   { o(&c.pool) }
func (o poolOption) applyWorker(c *workerConfig) { o(&c.pool) }

func (p pool) check() error {
	if p.concurrency < 0 {
		return fmt.Errorf("concurrency %d is negative (0 means GOMAXPROCS)", p.concurrency)
	}
	return nil
}

func (p pool) reg() *Registry {
	if p.registry != nil {
		return p.registry
	}
	return defaultRegistry
}

func (p pool) workers() int {
	if p.concurrency > 0 {
		return p.concurrency
	}
	return runtime.GOMAXPROCS(0)
}

// WithRegistry sets the functions served. Default (and nil): the default
// registry, which Register fills.
func WithRegistry(r *Registry) PoolOption {
	return poolOption(func(p *pool) { p.registry = r })
}

// WithConcurrency sets how many tasks run at once. 0, the default, means
// GOMAXPROCS; a negative n is an error at construction.
func WithConcurrency(n int) PoolOption {
	return poolOption(func(p *pool) { p.concurrency = n })
}

// WithWorkerID sets the worker id (attribute worker.id, Info.WorkerID).
// Default (and ""): HOST-PID-RANDOM.
func WithWorkerID(id string) PoolOption {
	return poolOption(func(p *pool) { p.workerID = id })
}

// localConfig is what NewLocal takes.
type localConfig struct {
	common common
	pool   pool
}

func newLocalConfig(opts []LocalOption) localConfig {
	var c localConfig
	for _, o := range opts {
		if o != nil {
			o.applyLocal(&c)
		}
	}
	return c
}
