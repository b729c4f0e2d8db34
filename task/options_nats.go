package task

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
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

// HookEnv names the environment variable that chooses the startup hook of
// every client and worker made without WithHook (see RegisterHook).
const HookEnv = "SIGHTLINE_TRACING_STARTUP_HOOK"

// NATSOption configures NATS clients and workers alike (WithStream,
// WithSubjectPrefix, WithNATSOptions).
type NATSOption interface {
	ClientOption
	WorkerOption
}

// natsSettings is where tasks travel.
type natsSettings struct {
	stream, prefix string
	natsOpts       []nats.Option
	natsOptsSet    bool // WithNATSOptions was given
}

type natsOption func(*natsSettings)

func (o natsOption) applyClient(c *clientConfig) { o(&c.nats) }
func (o natsOption) applyWorker(c *workerConfig) { o(&c.nats) }

func defaultNATS() natsSettings {
	return natsSettings{stream: DefaultStream, prefix: DefaultSubjectPrefix}
}

func (n natsSettings) check() error {
	var errs []error
	if err := checkName("stream", n.stream); err != nil {
		errs = append(errs, err)
	}
	if err := validSubject(n.prefix); err != nil {
		errs = append(errs, fmt.Errorf("subject prefix: %w", err))
	}
	return errors.Join(errs...)
}

// checkName checks the name of a stream, consumer or bucket.
func checkName(what, v string) error {
	if v == "" || strings.ContainsAny(v, ".*> \t\r\n") {
		return fmt.Errorf("%s name %q: want a non-empty name without '.', '*', '>' or spaces", what, v)
	}
	return nil
}

// WithStream names the JetStream stream of tasks (default SIGHTLINE_TASKS).
// A worker made from a client (NewWorker) uses the client's stream; giving
// it another one there is an error.
func WithStream(name string) NATSOption {
	return natsOption(func(n *natsSettings) { n.stream = name })
}

// WithSubjectPrefix sets the subject prefix (default "sightline.tasks"):
// tasks go to PREFIX.run.FUNCTION and cancellations to PREFIX.cancel.ID. A
// worker made from a client (NewWorker) uses the client's prefix; giving it
// another one there is an error.
func WithSubjectPrefix(p string) NATSOption {
	return natsOption(func(n *natsSettings) { n.prefix = p })
}

// WithNATSOptions adds options to nats.Connect, for the constructors that
// connect: DialNATS and NewNATSWorker. NewNATSClient and NewWorker use a
// connection made elsewhere and fail when given them.
func WithNATSOptions(opts ...nats.Option) NATSOption {
	return natsOption(func(n *natsSettings) {
		n.natsOpts = append(n.natsOpts, opts...)
		n.natsOptsSet = true
	})
}

// clientConfig is what DialNATS and NewNATSClient take.
type clientConfig struct {
	common common
	nats   natsSettings
}

func newClientConfig(opts []ClientOption) clientConfig {
	c := clientConfig{nats: defaultNATS()}
	for _, o := range opts {
		if o != nil {
			o.applyClient(&c)
		}
	}
	return c
}

// workerConfig is what NewWorker and NewNATSWorker take.
type workerConfig struct {
	common common
	nats   natsSettings
	pool   pool

	consumer      string
	attemptBucket string
	ackWait       time.Duration
	maxDeliver    int
	drainTimeout  time.Duration
	markDelay     time.Duration
}

type workerOption func(*workerConfig)

func (o workerOption) applyWorker(c *workerConfig) { o(c) }

func newWorkerConfig(base workerConfig, opts []WorkerOption) workerConfig {
	c := base
	for _, o := range opts {
		if o != nil {
			o.applyWorker(&c)
		}
	}
	return c
}

func defaultWorkerConfig() workerConfig {
	return workerConfig{
		nats:          defaultNATS(),
		consumer:      DefaultConsumer,
		attemptBucket: DefaultAttemptBucket,
		ackWait:       DefaultAckWait,
		maxDeliver:    DefaultMaxDeliver,
		drainTimeout:  DefaultDrainTimeout,
		markDelay:     DefaultMarkDelay,
	}
}

// check validates the settings and returns every problem at once.
func (c workerConfig) check() error {
	errs := []error{c.nats.check(), c.pool.check(),
		checkName("consumer", c.consumer), checkName("attempt bucket", c.attemptBucket)}
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
	return errors.Join(errs...)
}

// hookName returns the startup hook's name and where it came from.
func (c workerConfig) hookName() (name, source string) { return c.common.hookName() }

// WithConsumer names the durable pull consumer that the worker pool shares
// (default "workers").
func WithConsumer(name string) WorkerOption {
	return workerOption(func(c *workerConfig) { c.consumer = name })
}

// WithAttemptBucket names the KeyValue bucket of attempt records (default
// SIGHTLINE_TASK_ATTEMPTS).
func WithAttemptBucket(name string) WorkerOption {
	return workerOption(func(c *workerConfig) { c.attemptBucket = name })
}

// WithAckWait sets how long the server waits for a worker's ack (or
// heartbeat) before it redelivers the task (default 30s; at least 100ms).
// Running tasks send a heartbeat every third of it.
func WithAckWait(d time.Duration) WorkerOption {
	return workerOption(func(c *workerConfig) { c.ackWait = d })
}

// WithMaxDeliver sets how many times a task is delivered at most: 1 + the
// redeliveries after dead workers (default 5; -1: no limit; 0 is an error).
func WithMaxDeliver(n int) WorkerOption {
	return workerOption(func(c *workerConfig) { c.maxDeliver = n })
}

// WithDrainTimeout sets how long a stopping worker lets running tasks
// finish before it cancels them and returns them to the stream (default
// 30s; 0 cancels them at once). Worker.Shutdown's deadline shortens it.
func WithDrainTimeout(d time.Duration) WorkerOption {
	return workerOption(func(c *workerConfig) { c.drainTimeout = d })
}

// WithMarkDelay sets when the worker marks a running attempt: records its
// span context in the attempt bucket (for the links of a later attempt)
// and emits its zero-length "<function> task.start" span (which shows an
// attempt whose worker was killed). Attempts that end sooner are not
// marked: their CONSUMER span is exported, and skipping the marks keeps
// short tasks cheap. 0 marks every attempt as it starts. Default 100ms.
func WithMarkDelay(d time.Duration) WorkerOption {
	return workerOption(func(c *workerConfig) { c.markDelay = d })
}
