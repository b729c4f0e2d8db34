package task

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Defaults of the NATS transport (see the With... options).
const (
	DefaultStream        = "SIGHTLINE_TASKS"
	DefaultSubjectPrefix = "sightline.tasks"
	DefaultConsumer      = "workers"
	DefaultAttemptBucket = "SIGHTLINE_TASK_ATTEMPTS"
	DefaultAckWait       = 30 * time.Second
	DefaultMaxDeliver    = 5
	DefaultDrainTimeout  = 30 * time.Second
	DefaultMarkDelay     = 100 * time.Millisecond
)

// HookEnv names the environment variable that chooses a worker's startup
// hook when WithHook is not given.
const HookEnv = "SIGHTLINE_TRACING_STARTUP_HOOK"

// Option configures a client (NewLocal, DialNATS) or a worker (NewWorker,
// NewNATSWorker). Each option says where it applies; elsewhere it is
// ignored. A worker made from a client starts from the client's options.
type Option func(*config)

type config struct {
	tp     trace.TracerProvider
	prop   propagation.TextMapPropagator
	logger *slog.Logger

	stream        string
	prefix        string
	consumer      string
	attemptBucket string
	ackWait       time.Duration
	maxDeliver    int
	natsOpts      []nats.Option

	concurrency  int
	workerID     string
	hook         *string
	getenv       func(string) (string, bool)
	registry     *Registry
	drainTimeout time.Duration
	markDelay    time.Duration
}

func newConfig(opts []Option) config {
	c := config{
		stream:        DefaultStream,
		prefix:        DefaultSubjectPrefix,
		consumer:      DefaultConsumer,
		attemptBucket: DefaultAttemptBucket,
		ackWait:       DefaultAckWait,
		maxDeliver:    DefaultMaxDeliver,
		drainTimeout:  DefaultDrainTimeout,
		markDelay:     DefaultMarkDelay,
		getenv:        os.LookupEnv,
	}
	return c.with(opts)
}

func (c config) with(opts []Option) config {
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// check validates the settings and returns every problem at once.
func (c config) check() error {
	var errs []error
	if c.concurrency < 0 {
		errs = append(errs, fmt.Errorf("concurrency %d is negative", c.concurrency))
	}
	if c.ackWait < 100*time.Millisecond {
		errs = append(errs, fmt.Errorf("ack wait %v is shorter than 100ms", c.ackWait))
	}
	if c.maxDeliver == 0 || c.maxDeliver < -1 {
		errs = append(errs, fmt.Errorf("max deliver %d: want a positive number or -1 (unlimited)", c.maxDeliver))
	}
	if c.drainTimeout < 0 {
		errs = append(errs, fmt.Errorf("drain timeout %v is negative", c.drainTimeout))
	}
	if c.markDelay < 0 {
		errs = append(errs, fmt.Errorf("mark delay %v is negative", c.markDelay))
	}
	for _, n := range []struct{ what, v string }{{"stream", c.stream}, {"consumer", c.consumer}, {"attempt bucket", c.attemptBucket}} {
		if n.v == "" || strings.ContainsAny(n.v, ".*> \t\r\n") {
			errs = append(errs, fmt.Errorf("%s name %q: want a non-empty name without '.', '*', '>' or spaces", n.what, n.v))
		}
	}
	if err := validSubject(c.prefix); err != nil {
		errs = append(errs, fmt.Errorf("subject prefix: %w", err))
	}
	return errors.Join(errs...)
}

func (c config) tracerProvider() trace.TracerProvider {
	if c.tp != nil {
		return c.tp
	}
	return otel.GetTracerProvider()
}

func (c config) log() *slog.Logger {
	if c.logger != nil {
		return c.logger
	}
	return slog.Default()
}

func (c config) workers() int {
	if c.concurrency > 0 {
		return c.concurrency
	}
	return runtime.GOMAXPROCS(0)
}

// propagator returns the configured propagator, else the global one, else
// (when the global one propagates nothing, as before any setup) W3C trace
// context, so that a task never silently leaves its submitter's trace.
func (c config) propagator() propagation.TextMapPropagator {
	if c.prop != nil {
		return c.prop
	}
	if p := otel.GetTextMapPropagator(); len(p.Fields()) > 0 {
		return p
	}
	return propagation.TraceContext{}
}

// WithTracerProvider sets where spans go (clients and workers). Default:
// the global provider, otel.GetTracerProvider; it forwards to a provider
// installed later, so a startup hook that calls otel.SetTracerProvider is
// honoured.
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithPropagator sets how the trace context is written into and read from
// message headers (clients and workers). Default: the global propagator,
// or W3C trace context when the global one has no fields.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(c *config) { c.prop = p }
}

// WithLogger sets the logger for what cannot be reported to a submitter
// (malformed messages, fetch errors). Default: slog.Default.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithStream names the JetStream stream of tasks (NATS; default
// SIGHTLINE_TASKS).
func WithStream(name string) Option { return func(c *config) { c.stream = name } }

// WithSubjectPrefix sets the subject prefix (NATS; default
// "sightline.tasks"): tasks go to PREFIX.run.FUNCTION and cancellations to
// PREFIX.cancel.ID.
func WithSubjectPrefix(p string) Option { return func(c *config) { c.prefix = p } }

// WithConsumer names the durable pull consumer that the worker pool shares
// (NATS workers; default "workers").
func WithConsumer(name string) Option { return func(c *config) { c.consumer = name } }

// WithAttemptBucket names the KeyValue bucket of attempt records (NATS
// workers; default SIGHTLINE_TASK_ATTEMPTS).
func WithAttemptBucket(name string) Option { return func(c *config) { c.attemptBucket = name } }

// WithAckWait sets how long the server waits for a worker's ack (or
// heartbeat) before it redelivers the task (NATS workers; default 30s).
// Running tasks send a heartbeat every third of it.
func WithAckWait(d time.Duration) Option { return func(c *config) { c.ackWait = d } }

// WithMaxDeliver sets how many times a task is delivered at most: 1 + the
// redeliveries after dead workers (NATS workers; default 5; -1: no limit).
func WithMaxDeliver(n int) Option { return func(c *config) { c.maxDeliver = n } }

// WithNATSOptions adds options to nats.Connect (DialNATS, NewNATSWorker).
func WithNATSOptions(opts ...nats.Option) Option {
	return func(c *config) { c.natsOpts = append(c.natsOpts, opts...) }
}

// WithConcurrency sets how many tasks run at once (workers, and NewLocal
// when its n is 0). Default: GOMAXPROCS.
func WithConcurrency(n int) Option { return func(c *config) { c.concurrency = n } }

// WithWorkerID sets the worker id (attribute worker.id). Default:
// HOST-PID-RANDOM.
func WithWorkerID(id string) Option { return func(c *config) { c.workerID = id } }

// WithHook names the startup hook a worker runs before its first task (see
// RegisterHook). It wins over the environment variable HookEnv; an empty
// name means no hook, whatever the environment says.
func WithHook(name string) Option { return func(c *config) { c.hook = &name } }

// WithEnv sets how a worker reads the environment (HookEnv). Default:
// os.LookupEnv.
func WithEnv(getenv func(name string) (string, bool)) Option {
	return func(c *config) { c.getenv = getenv }
}

// WithRegistry sets the functions a worker serves (workers; default: the
// default registry).
func WithRegistry(r *Registry) Option { return func(c *config) { c.registry = r } }

// WithDrainTimeout sets how long a stopping worker lets running tasks
// finish before it cancels them and returns them to the stream (workers;
// default 30s).
func WithDrainTimeout(d time.Duration) Option { return func(c *config) { c.drainTimeout = d } }

// WithMarkDelay sets when a NATS worker marks a running attempt: records
// its span context in the attempt bucket (for the links of a later
// attempt) and emits its zero-length "<function> task.start" span (which
// shows an attempt whose worker was killed). Attempts that end sooner are
// not marked: their CONSUMER span is exported, and skipping the marks
// keeps short tasks cheap. 0 marks every attempt as it starts. Default
// 100ms.
func WithMarkDelay(d time.Duration) Option { return func(c *config) { c.markDelay = d } }
