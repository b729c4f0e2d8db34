package task

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Worker serves tasks from the NATS stream: it pulls them through the
// durable consumer that all workers of the pool share, runs them (at most
// WithConcurrency at once), publishes each result to the submitter's reply
// subject and then acknowledges the message. A worker that dies leaves its
// tasks unacknowledged, and the server redelivers them after the ack wait.
//
// Run serves until its ctx ends or Shutdown is called.
type Worker struct {
	c     *Client
	nt    *natsTransport
	owned bool // the worker shuts c down when it ends
	cfg   workerConfig
	exec  *executor

	hook       string
	hookSource string

	mu      sync.Mutex
	state   workerState
	stopRun context.CancelFunc // ends Run's ctx (state running)
	hurry   chan struct{}      // closed when a Shutdown's ctx ended: drain no longer
	hurried bool
	done    chan struct{} // closed when Run returned, or an idle worker was shut down
}

type workerState int

const (
	workerIdle workerState = iota
	workerRunning
	workerDone
)

// NewWorker returns a worker that serves tasks through c, a client from
// DialNATS or NewNATSClient, with c's tracer provider, propagator, logger,
// stream and subject prefix unless opts say otherwise. It checks the
// startup hook's name (WithHook, else the environment variable HookEnv; an
// unknown name is an error listing the registered ones) but runs nothing
// until Run.
//
// It fails for an in-process client, for bad settings, for
// WithNATSOptions (the worker uses c's connection) and for a WithStream or
// WithSubjectPrefix other than c's (c submits there).
func NewWorker(c *Client, opts ...WorkerOption) (*Worker, error) {
	if c == nil {
		return nil, errors.New("task: new worker: nil client")
	}
	nt, ok := c.t.(*natsTransport)
	if !ok {
		return nil, errors.New("task: new worker: the client is not a NATS client (an in-process client from NewLocal runs its own workers)")
	}
	base := defaultWorkerConfig()
	base.common, base.nats.stream, base.nats.prefix = c.common, nt.stream, nt.prefix
	cfg := newWorkerConfig(base, opts)
	err := cfg.check()
	if cfg.nats.natsOptsSet {
		err = errors.Join(err, errors.New("WithNATSOptions does not apply: the worker uses the client's connection (give them to DialNATS, or use NewNATSWorker)"))
	}
	if cfg.nats.stream != nt.stream {
		err = errors.Join(err, fmt.Errorf("WithStream(%q) differs from the client's stream %q", cfg.nats.stream, nt.stream))
	}
	if cfg.nats.prefix != nt.prefix {
		err = errors.Join(err, fmt.Errorf("WithSubjectPrefix(%q) differs from the client's prefix %q", cfg.nats.prefix, nt.prefix))
	}
	if err != nil {
		return nil, fmt.Errorf("task: new worker: %w", err)
	}
	return newWorker(c, nt, cfg)
}

func newWorker(c *Client, nt *natsTransport, cfg workerConfig) (*Worker, error) {
	w := &Worker{c: c, nt: nt, cfg: cfg, hurry: make(chan struct{}), done: make(chan struct{})}
	w.exec = newExecutor(executorConfig{common: cfg.common, reg: cfg.pool.reg(), workerID: cfg.pool.workerID,
		consumer: cfg.consumer, markDelay: cfg.markDelay, remote: true})
	w.hook, w.hookSource = cfg.hookName()
	if err := cfg.common.checkHook(); err != nil {
		return nil, fmt.Errorf("task: new worker: %w", err)
	}
	return w, nil
}

// NewNATSWorker connects to the NATS server at url and returns a worker
// that owns the connection: it is closed when Run returns, or by Shutdown
// when Run was never called. It is what a worker command needs:
//
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//	defer stop()
//	w, err := task.NewNATSWorker(ctx, url, task.WithHook(hook))
//	if err != nil {
//		return err
//	}
//	defer task.Shutdown(context.Background())
//	return w.Run(ctx)
func NewNATSWorker(ctx context.Context, url string, opts ...WorkerOption) (*Worker, error) {
	cfg := newWorkerConfig(defaultWorkerConfig(), opts)
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("task: new worker: %w", err)
	}
	// An unknown hook is a startup error before any connection is tried.
	if err := cfg.common.checkHook(); err != nil {
		return nil, fmt.Errorf("task: new worker: %w", err)
	}
	// The worker runs the hook in Run (dialNATS runs none).
	c, err := dialNATS(ctx, url, clientConfig{common: cfg.common, nats: cfg.nats})
	if err != nil {
		return nil, err
	}
	w, err := newWorker(c, c.t.(*natsTransport), cfg)
	if err != nil {
		_ = c.Shutdown(ctx)
		return nil, err
	}
	w.owned = true
	return w, nil
}

// ID returns the worker id (attribute worker.id).
func (w *Worker) ID() string { return w.exec.workerID }

// Shutdown ends the worker. While Run runs, it stops it as the end of
// Run's ctx does (no more pulling, running tasks drained for the drain
// timeout, then canceled and returned to the stream) and waits for Run to
// return; when ctx ends first, the drain stops waiting at once (running
// tasks are canceled and returned to the stream) and Shutdown returns
// ctx's error, wrapped, without waiting further. A worker whose Run was
// never called is released: the connection NewNATSWorker made is closed,
// and a later Run fails. Shutdown may be called more than once; it
// returns nil once Run has returned.
func (w *Worker) Shutdown(ctx context.Context) error {
	w.mu.Lock()
	switch w.state {
	case workerIdle:
		w.state = workerDone
		w.mu.Unlock()
		defer close(w.done)
		if w.owned {
			if err := w.c.Shutdown(ctx); err != nil {
				return fmt.Errorf("task: worker %s: shutdown: %w", w.ID(), err)
			}
		}
		return nil
	case workerRunning:
		w.stopRun()
	}
	w.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
	}
	w.mu.Lock()
	if !w.hurried {
		w.hurried = true
		close(w.hurry)
	}
	w.mu.Unlock()
	return fmt.Errorf("task: worker %s: shutdown: waiting for Run to return: %w", w.ID(), ctx.Err())
}

// Run runs the startup hook (once per process for each hook name), creates
// or updates the shared consumer and the attempt bucket, and serves tasks
// until ctx is canceled or Shutdown is called. Then it stops pulling,
// returns tasks it has received but not started to the stream, lets
// running tasks finish for the drain timeout, cancels those still running
// and returns them to the stream too, and returns nil. It returns an error
// when the hook fails, when the stream's consumer cannot be set up, or
// when the connection is closed under it. Call it once.
func (w *Worker) Run(ctx context.Context) error {
	w.mu.Lock()
	if w.state != workerIdle {
		w.mu.Unlock()
		return fmt.Errorf("task: worker %s: Run called twice (or after Shutdown)", w.ID())
	}
	w.state = workerRunning
	ctx, w.stopRun = context.WithCancel(ctx)
	w.mu.Unlock()
	defer func() {
		w.stopRun()
		if w.owned {
			_ = w.c.Shutdown(context.WithoutCancel(ctx))
		}
		w.mu.Lock()
		w.state = workerDone
		w.mu.Unlock()
		close(w.done)
	}()
	if w.hook != "" {
		if err := processHooks.run(ctx, w.hook); err != nil {
			return fmt.Errorf("task: worker %s: startup hook %q (from %s): %w", w.ID(), w.hook, w.hookSource, err)
		}
	}
	info, err := w.nt.js.CreateOrUpdateConsumer(ctx, w.cfg.nats.stream, jetstream.ConsumerConfig{
		Durable:       w.cfg.consumer,
		Description:   "sightline task workers",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       w.cfg.ackWait,
		MaxDeliver:    w.cfg.maxDeliver,
		FilterSubject: w.cfg.nats.prefix + ".run.>",
	})
	if err != nil {
		return fmt.Errorf("task: worker %s: create or update consumer %q on stream %q: %w",
			w.ID(), w.cfg.consumer, w.cfg.nats.stream, err)
	}
	ackWait := info.CachedInfo().Config.AckWait
	if ackWait <= 0 {
		ackWait = w.cfg.ackWait
	}
	w.exec.attempts, err = openAttemptStore(ctx, w.nt.nc, w.nt.js, w.cfg.attemptBucket, w.exec.logger)
	if err != nil {
		return fmt.Errorf("task: worker %s: %w", w.ID(), err)
	}
	sub, err := w.nt.nc.Subscribe(w.cfg.nats.prefix+".cancel.*", func(m *nats.Msg) { w.exec.cancel(lastToken(m.Subject)) })
	if err != nil {
		return fmt.Errorf("task: worker %s: subscribe to %s.cancel.*: %w", w.ID(), w.cfg.nats.prefix, err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	return w.serve(ctx, ackWait)
}
