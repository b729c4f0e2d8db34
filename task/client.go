package task

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of the package's spans.
const tracerName = "github.com/sightline-dev/sightline/task"

// Client submits tasks and routes their results to Futures. Make one with
// NewLocal (in-process workers) or DialNATS (workers in other processes,
// see NewWorker), and end it with Shutdown. It is safe for concurrent use.
type Client struct {
	common common
	tracer trace.Tracer
	t      transport
	// startErr, when not nil, fails every Submit: Default's client, whose
	// startup hook was unknown or failed.
	startErr error

	// spans has the span names, subjects and attributes of the functions
	// submitted so far.
	spans spanCache

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
	// shutdown refuses new tasks and releases the transport; it may be
	// called again, to wait again.
	shutdown(ctx context.Context) error
}

func newClient(c common) *Client {
	return &Client{
		common:  c,
		tracer:  c.tracerProvider().Tracer(tracerName),
		pending: make(map[string]*Future),
	}
}

// newSpans is the fnSpans of c's tasks of function.
func (c *Client) newSpans(function string) *fnSpans {
	return newSubmitSpans(function, c.t.subject(function), c.t.system())
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
	if c.startErr != nil {
		return nil, fmt.Errorf("task: submit %q: %w", name, c.startErr)
	}
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
	sctx, span, fs := c.startSubmit(ctx, name, id)
	defer span.End()
	subject := fs.subject

	h := nats.Header{HeaderTaskID: {id}, HeaderFunction: {name}}
	if reply := c.t.replyTo(id); reply != "" {
		h[HeaderReply] = []string{reply}
	}
	if d, ok := ctx.Deadline(); ok {
		h[HeaderDeadline] = []string{formatDeadline(d)}
	}
	c.common.propagator().Inject(sctx, headerCarrier(h))

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

// Shutdown ends the client: Submit fails with ErrClosed from then on, the
// Futures still waiting fail with KindClosed, and the transport is
// released. In process it cancels the running tasks and waits for their
// goroutines to return; on NATS it stops receiving results and, when
// DialNATS made the connection, flushes it (for at most ctx's deadline, or
// a second without one) and closes it. Shut down workers made from the
// client first.
//
// It returns ctx's error, wrapped, when ctx ends before the in-process
// tasks returned (a function that ignores its ctx); they still end on
// their own. Shutdown may be called more than once: a later call waits
// again for what the first one started.
func (c *Client) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	c.closed = true
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, f := range pending {
		f.finish(resultMsg{ID: f.id, Error: &Error{Kind: KindClosed, Function: f.function, TaskID: f.id,
			Message: "the client was shut down before the result arrived"}})
	}
	if err := c.t.shutdown(ctx); err != nil {
		return fmt.Errorf("task: shut down client: %w", err)
	}
	return nil
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
		c.common.log().Warn("task: malformed result message dropped", "task.id", idHint, "error", err)
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
// that exist only while tasks run, so it needs no Shutdown.
//
// Made on first use, it runs the startup hook HookEnv names, as NewLocal
// does (register hooks before the first Submit, in init or at the top of
// main). When that name is unknown, or the hook fails, every Submit of the
// client fails with that error.
func Default() *Client {
	defaultClient.mu.Lock()
	c := defaultClient.c
	defaultClient.mu.Unlock()
	if c != nil {
		return c
	}
	// The hook runs without the lock held (it is user code); it runs once
	// however many goroutines get here first, and one client is kept.
	c, err := NewLocal()
	if err != nil {
		c = newLocalClient(localConfig{})
		c.startErr = err
	}
	defaultClient.mu.Lock()
	defer defaultClient.mu.Unlock()
	if defaultClient.c == nil {
		defaultClient.c = c
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
