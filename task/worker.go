package task

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Worker serves tasks from the NATS stream: it pulls them through the
// durable consumer that all workers of the pool share, runs them (at most
// WithConcurrency at once), publishes each result to the submitter's reply
// subject and then acknowledges the message. A worker that dies leaves its
// tasks unacknowledged, and the server redelivers them after the ack wait.
type Worker struct {
	c     *Client
	nt    *natsTransport
	owned bool // Run closes c
	cfg   config
	exec  *executor

	hook       string
	hookSource string
	started    atomic.Bool
}

// NewWorker returns a worker that serves tasks through c, a client from
// DialNATS or NewNATSClient, with c's options and then opts. It checks
// the startup hook's name (WithHook, else the environment variable
// HookEnv; an unknown name is an error listing the registered ones) but
// runs nothing until Run.
//
// Options that apply: WithRegistry, WithConcurrency, WithWorkerID,
// WithHook, WithEnv, WithConsumer, WithAckWait, WithMaxDeliver,
// WithAttemptBucket, WithDrainTimeout, WithTracerProvider, WithPropagator,
// WithLogger.
func NewWorker(c *Client, opts ...Option) (*Worker, error) {
	if c == nil {
		return nil, errors.New("task: new worker: nil client")
	}
	nt, ok := c.t.(*natsTransport)
	if !ok {
		return nil, errors.New("task: new worker: the client is not a NATS client (an in-process client from NewLocal runs its own workers)")
	}
	cfg := c.cfg.with(opts)
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("task: new worker: %w", err)
	}
	reg := cfg.registry
	if reg == nil {
		reg = defaultRegistry
	}
	w := &Worker{c: c, nt: nt, cfg: cfg, exec: newExecutor(cfg, reg, true)}
	w.hook, w.hookSource = cfg.hookName()
	if w.hook != "" {
		if err := processHooks.check(w.hook); err != nil {
			return nil, fmt.Errorf("task: new worker: %w (from %s)", err, w.hookSource)
		}
	}
	return w, nil
}

// NewNATSWorker connects to the NATS server at url and returns a worker
// that owns the connection: Run closes it when it returns. It is what a
// worker command needs:
//
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//	defer stop()
//	w, err := task.NewNATSWorker(ctx, url, task.WithHook(hook))
//	if err != nil {
//		return err
//	}
//	defer task.Shutdown(context.Background())
//	return w.Run(ctx)
func NewNATSWorker(ctx context.Context, url string, opts ...Option) (*Worker, error) {
	// An unknown hook is a startup error before any connection is tried.
	if name, source := newConfig(opts).hookName(); name != "" {
		if err := processHooks.check(name); err != nil {
			return nil, fmt.Errorf("task: new worker: %w (from %s)", err, source)
		}
	}
	c, err := DialNATS(ctx, url, opts...)
	if err != nil {
		return nil, err
	}
	w, err := NewWorker(c)
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	w.owned = true
	return w, nil
}

// ID returns the worker id (attribute worker.id).
func (w *Worker) ID() string { return w.exec.workerID }

// Close releases a worker whose Run was never called: it closes the
// connection NewNATSWorker made. Run does this itself.
func (w *Worker) Close() error {
	if w.owned && w.started.CompareAndSwap(false, true) {
		return w.c.Close()
	}
	return nil
}

// Run runs the startup hook (once per process for each hook name), creates
// or updates the shared consumer and the attempt bucket, and serves tasks
// until ctx is canceled. Then it stops pulling, returns tasks it has
// received but not started to the stream, lets running tasks finish for
// the drain timeout, cancels those still running and returns them to the
// stream too, and returns nil. It returns an error when the hook fails,
// when the stream's consumer cannot be set up, or when the connection is
// closed under it. Call it once.
func (w *Worker) Run(ctx context.Context) error {
	if !w.started.CompareAndSwap(false, true) {
		return fmt.Errorf("task: worker %s: Run called twice (or after Close)", w.ID())
	}
	if w.owned {
		defer w.c.Close()
	}
	if w.hook != "" {
		if err := processHooks.run(ctx, w.hook); err != nil {
			return fmt.Errorf("task: worker %s: startup hook %q (from %s): %w", w.ID(), w.hook, w.hookSource, err)
		}
	}
	info, err := w.nt.js.CreateOrUpdateConsumer(ctx, w.cfg.stream, jetstream.ConsumerConfig{
		Durable:       w.cfg.consumer,
		Description:   "sightline task workers",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       w.cfg.ackWait,
		MaxDeliver:    w.cfg.maxDeliver,
		FilterSubject: w.cfg.prefix + ".run.>",
	})
	if err != nil {
		return fmt.Errorf("task: worker %s: create or update consumer %q on stream %q: %w",
			w.ID(), w.cfg.consumer, w.cfg.stream, err)
	}
	ackWait := info.CachedInfo().Config.AckWait
	if ackWait <= 0 {
		ackWait = w.cfg.ackWait
	}
	w.exec.attempts, err = openAttemptStore(ctx, w.nt.nc, w.nt.js, w.cfg.attemptBucket, w.exec.logger)
	if err != nil {
		return fmt.Errorf("task: worker %s: %w", w.ID(), err)
	}
	sub, err := w.nt.nc.Subscribe(w.cfg.prefix+".cancel.*", func(m *nats.Msg) { w.exec.cancel(lastToken(m.Subject)) })
	if err != nil {
		return fmt.Errorf("task: worker %s: subscribe to %s.cancel.*: %w", w.ID(), w.cfg.prefix, err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	return w.serve(ctx, ackWait)
}

// hookName returns the startup hook's name and where it came from.
func (c config) hookName() (name, source string) {
	if c.hook != nil {
		return strings.TrimSpace(*c.hook), "WithHook"
	}
	if c.getenv != nil {
		if v, ok := c.getenv(HookEnv); ok {
			return strings.TrimSpace(v), HookEnv
		}
	}
	return "", ""
}
