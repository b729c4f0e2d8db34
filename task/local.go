package task

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"

	"github.com/nats-io/nats.go"
)

// NewLocal returns a client whose tasks run in goroutines of this process,
// at most n at a time (n <= 0: WithConcurrency, else GOMAXPROCS), taking
// functions from reg (nil: the default registry). Tasks wait in an
// unbounded FIFO queue; worker goroutines exist only while there is work,
// so an idle client holds none. Tasks go through the same encoding,
// tracing and error handling as on NATS (arguments and results as JSON,
// PRODUCER and CONSUMER spans), but are never redelivered and run no
// startup hook: the program sets up its own tracing.
//
// Options that apply: WithTracerProvider, WithPropagator, WithLogger,
// WithConcurrency, WithWorkerID. Close cancels running tasks and waits for
// them.
func NewLocal(reg *Registry, n int, opts ...Option) *Client {
	cfg := newConfig(opts)
	if reg == nil {
		reg = defaultRegistry
	}
	if n <= 0 {
		n = cfg.workers()
	}
	c := newClient(cfg)
	ctx, stop := context.WithCancelCause(context.Background())
	c.t = &localTransport{c: c, exec: newExecutor(cfg, reg, false), n: n, ctx: ctx, stop: stop}
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
	wg      sync.WaitGroup
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
		l.wg.Add(1)
		go l.work(d)
		return nil
	}
	l.queue = append(l.queue, d)
	return nil
}

// work runs d, then queued tasks until the queue is empty.
func (l *localTransport) work(d *localDelivery) {
	defer l.wg.Done()
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
		}
		l.mu.Unlock()
	}
}

func (l *localTransport) close() error {
	l.mu.Lock()
	l.closed = true
	l.queue = nil
	l.mu.Unlock()
	l.stop(errWorkerStopped)
	l.wg.Wait()
	return nil
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

func newExecutor(cfg config, reg *Registry, remote bool) *executor {
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	id := cfg.workerID
	if id == "" {
		id = fmt.Sprintf("%s-%d-%06x", host, os.Getpid(), rand.Uint32()&0xffffff)
	}
	e := &executor{
		cfg:       cfg,
		reg:       reg,
		tracer:    cfg.tracerProvider().Tracer(tracerName),
		logger:    cfg.log(),
		workerID:  id,
		pid:       os.Getpid(),
		host:      host,
		needReply: remote,
		running:   make(map[string]*runningTask),
	}
	if remote {
		e.system = "nats"
	}
	return e
}
