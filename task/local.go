package task

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"
)

// NewLocal returns a client whose tasks run in goroutines of this process,
// at most WithConcurrency at a time (default GOMAXPROCS), taking functions
// from WithRegistry (default: the default registry). Tasks wait in an
// unbounded FIFO queue; worker goroutines exist only while there is work,
// so an idle client holds none. Tasks go through the same encoding,
// tracing and error handling as on NATS (arguments and results as JSON,
// PRODUCER and CONSUMER spans), but are never redelivered.
//
// Like every client and worker it runs the startup hook (WithHook, else
// the environment variable HookEnv; at most once per process) before it
// returns, under context.Background.
//
// It fails for a bad option (a negative concurrency), an unknown hook
// (the error lists the registered ones) and a hook that fails. Shutdown
// cancels running tasks and waits for them.
func NewLocal(opts ...LocalOption) (*Client, error) {
	cfg := newLocalConfig(opts)
	if err := errors.Join(cfg.pool.check(), cfg.common.checkHook()); err != nil {
		return nil, fmt.Errorf("task: new local client: %w", err)
	}
	if err := cfg.common.startHook(context.Background()); err != nil {
		return nil, fmt.Errorf("task: new local client: %w", err)
	}
	return newLocalClient(cfg), nil
}

func newLocalClient(cfg localConfig) *Client {
	c := newClient(cfg.common)
	ctx, stop := context.WithCancelCause(context.Background())
	exec := newExecutor(executorConfig{common: cfg.common, reg: cfg.pool.reg(), workerID: cfg.pool.workerID})
	c.t = &localTransport{c: c, exec: exec, n: cfg.pool.workers(), ctx: ctx, stop: stop}
	return c
}

// localTransport runs tasks in at most n goroutines fed by a queue.
type localTransport struct {
	c    *Client
	exec *executor
	n    int
	ctx  context.Context // base of the tasks' contexts
	stop context.CancelCauseFunc

	mu      sync.Mutex
	queue   []*localDelivery
	running int
	closed  bool
	idle    chan struct{} // made by shutdown, closed when running is 0
}

func (l *localTransport) subject(function string) string { return function }
func (l *localTransport) replyTo(string) string          { return "" }
func (l *localTransport) system() string                 { return "" }
func (l *localTransport) cancel(id string)               { l.exec.cancel(id) }

func (l *localTransport) send(_ context.Context, _, subject string, h nats.Header, data []byte) error {
	d := &localDelivery{h: h, body: data, subj: subject, c: l.c}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	if l.running < l.n {
		l.running++
		go l.work(d)
		return nil
	}
	l.queue = append(l.queue, d)
	return nil
}

// work runs d, then queued tasks until the queue is empty.
func (l *localTransport) work(d *localDelivery) {
	for d != nil {
		l.exec.handle(l.ctx, d)
		l.mu.Lock()
		d = nil
		if len(l.queue) > 0 && !l.closed {
			d = l.queue[0]
			l.queue[0] = nil
			l.queue = l.queue[1:]
		} else {
			l.running--
			if l.running == 0 && l.idle != nil {
				close(l.idle)
			}
		}
		l.mu.Unlock()
	}
}

// shutdown refuses new tasks, drops the queued ones, cancels the running
// ones and waits for their goroutines, or for ctx.
func (l *localTransport) shutdown(ctx context.Context) error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		l.queue = nil
		l.idle = make(chan struct{})
		if l.running == 0 {
			close(l.idle)
		}
	}
	idle, running := l.idle, l.running
	l.mu.Unlock()
	l.stop(errWorkerStopped)
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for %d canceled in-process tasks to return: %w", running, ctx.Err())
	}
}

// localDelivery is a task handed from Submit to a goroutine.
type localDelivery struct {
	h    nats.Header
	body []byte
	subj string
	c    *Client
}

func (d *localDelivery) header() nats.Header      { return d.h }
func (d *localDelivery) data() []byte             { return d.body }
func (d *localDelivery) subject() string          { return d.subj }
func (d *localDelivery) attempt() int             { return 1 }
func (d *localDelivery) abandoned(id string) bool { return !d.c.isPending(id) }
func (d *localDelivery) ack()                     {}
func (d *localDelivery) nak()                     {}
func (d *localDelivery) term()                    {}
func (d *localDelivery) heartbeat() func()        { return func() {} }
func (d *localDelivery) reply(r *request, b []byte) error {
	d.c.receive(b, r.id)
	return nil
}
