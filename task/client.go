package task

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of the package's spans.
const tracerName = "github.com/sightline-dev/sightline/task"

// Client submits tasks and routes their results to Futures. Make one with
// NewLocal (in-process workers) or DialNATS (workers in other processes,
// see NewWorker). It is safe for concurrent use.
type Client struct {
	cfg    config
	tracer trace.Tracer
	t      transport

	mu      sync.Mutex
	pending map[string]*Future
	closed  bool
}

// transport is what differs between the in-process and the NATS client.
type transport interface {
	// subject is where a task of function goes.
	subject(function string) string
	// replyTo is the reply subject of task id, "" when none is needed.
	replyTo(id string) string
	// send enqueues a task and returns once it is accepted.
	send(ctx context.Context, id, subject string, h nats.Header, data []byte) error
	// cancel asks the worker running task id to stop it (best effort).
	cancel(id string)
	// system is messaging.system, "" in process.
	system() string
	close() error
}

func newClient(cfg config) *Client {
	return &Client{
		cfg:     cfg,
		tracer:  cfg.tracerProvider().Tracer(tracerName),
		pending: make(map[string]*Future),
	}
}

// Submit sends a call of the function name with args (encoded as JSON) and
// returns a Future of its result. The task lives under ctx: its deadline
// travels with the task and bounds the run at the worker, and when ctx is
// canceled the Future fails with KindCanceled and the worker running the
// task is told to cancel it.
//
// Submit traces the sending with a PRODUCER span "<name> task.submit",
// ended once the task is accepted (enqueued in process, stored by
// JetStream on NATS); the span's context travels in the message headers.
func (c *Client) Submit(ctx context.Context, name string, args any) (*Future, error) {
	if err := validName(name); err != nil {
		return nil, fmt.Errorf("task: submit %q: %w", name, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("task: submit %q: %w", name, err)
	}
	data, err := json.Marshal(args)
	if err != nil {
		return nil, &Error{Kind: KindBadArguments, Function: name,
			Message: fmt.Sprintf("encode arguments of type %T: %v", args, err), cause: err}
	}
	id := newID()
	subject := c.t.subject(name)
	attrs := []attribute.KeyValue{
		attribute.String("task.function", name),
		attribute.String("task.id", id),
	}
	if sys := c.t.system(); sys != "" {
		attrs = append(attrs, semconv.MessagingSystemKey.String(sys), semconv.MessagingDestinationName(subject))
	}
	sctx, span := c.tracer.Start(ctx, name+" task.submit",
		trace.WithSpanKind(trace.SpanKindProducer), trace.WithAttributes(attrs...))
	defer span.End()

	h := nats.Header{HeaderTaskID: {id}, HeaderFunction: {name}}
	if reply := c.t.replyTo(id); reply != "" {
		h[HeaderReply] = []string{reply}
	}
	if d, ok := ctx.Deadline(); ok {
		h[HeaderDeadline] = []string{formatDeadline(d)}
	}
	c.cfg.propagator().Inject(sctx, headerCarrier(h))

	f := &Future{id: id, function: name, c: c, done: make(chan struct{})}
	if err := c.add(f); err != nil {
		span.SetStatus(codes.Error, err.Error())
		return nil, fmt.Errorf("task: submit %q: %w", name, err)
	}
	if err := c.t.send(sctx, id, subject, h, data); err != nil {
		c.take(id)
		err = fmt.Errorf("task: submit %q (id %s) to %s: %w", name, id, subject, err)
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		return nil, err
	}
	f.watch(ctx)
	return f, nil
}

// Close fails the Futures still waiting with ErrClosed and releases the
// transport: in process it cancels running tasks and waits for them; on
// NATS it closes the connection when DialNATS made it. Close workers made
// from the client (stop their Run) first. Submit fails after Close.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, f := range pending {
		f.finish(resultMsg{ID: f.id, Error: &Error{Kind: KindClosed, Function: f.function, TaskID: f.id,
			Message: "the client was closed before the result arrived"}})
	}
	return c.t.close()
}

func (c *Client) add(f *Future) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return ErrClosed
	}
	c.pending[f.id] = f
	return nil
}

// take removes and returns the pending Future of id, nil when there is
// none (already finished, abandoned or unknown).
func (c *Client) take(id string) *Future {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.pending[id]
	delete(c.pending, id)
	return f
}

func (c *Client) isPending(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.pending[id]
	return ok
}

// receive routes a result message to its Future. idHint is the id the
// transport saw (the reply subject's last token), used when the message
// itself cannot be decoded.
func (c *Client) receive(data []byte, idHint string) {
	res, err := decodeResult(data)
	if err != nil {
		if f := c.take(idHint); f != nil {
			f.finish(resultMsg{ID: f.id, Error: &Error{Kind: KindMalformed, Function: f.function, TaskID: f.id,
				Message: err.Error(), cause: err}})
			return
		}
		c.cfg.log().Warn("task: malformed result message dropped", "task.id", idHint, "error", err)
		return
	}
	f := c.take(res.ID)
	if f == nil {
		return // late: the submitter gave up, or a duplicate after a redelivery
	}
	if res.Error != nil && res.Error.Function == "" {
		res.Error.Function = f.function
	}
	f.finish(res)
}

// abandon fails f when its submitter's ctx is done, and tells the worker
// to stop a canceled task (a worker sees a deadline by itself).
func (c *Client) abandon(f *Future, ctx context.Context) {
	if c.take(f.id) == nil {
		return
	}
	err := ctxError(ctx, f.function, f.id)
	f.finish(resultMsg{ID: f.id, Error: err})
	if err.Kind == KindCanceled {
		c.t.cancel(f.id)
	}
}

var defaultClient struct {
	mu sync.Mutex
	c  *Client
}

// Default returns the client that the package-level Submit uses: the one
// given to SetDefault, else an in-process client on the default registry
// with GOMAXPROCS workers, made on first use. Its workers are goroutines
// that exist only while tasks run, so it needs no Close.
func Default() *Client {
	defaultClient.mu.Lock()
	defer defaultClient.mu.Unlock()
	if defaultClient.c == nil {
		defaultClient.c = NewLocal(nil, 0)
	}
	return defaultClient.c
}

// SetDefault makes c the client of the package-level Submit (for example
// a NATS client, so that code written against Submit runs on a worker
// pool). nil restores the in-process default.
func SetDefault(c *Client) {
	defaultClient.mu.Lock()
	defer defaultClient.mu.Unlock()
	defaultClient.c = c
}

// Submit submits a task through the default client; see Client.Submit.
func Submit(ctx context.Context, name string, args any) (*Future, error) {
	return Default().Submit(ctx, name, args)
}
