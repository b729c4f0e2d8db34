package task

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// delivery is one task message as a worker sees it, with what its
// transport can do with it.
type delivery interface {
	header() nats.Header
	data() []byte
	subject() string
	attempt() int
	// abandoned reports that nobody waits for task id any more (known
	// in process only), so it need not run.
	abandoned(id string) bool
	// reply sends an encoded result message to the submitter.
	reply(req *request, data []byte) error
	ack()
	nak()
	term()
	// heartbeat keeps the task from being redelivered while it runs; the
	// returned function stops it.
	heartbeat() (stop func())
}

// errWorkerStopped is the cause of a task context canceled because its
// worker stops: such a task is returned to the stream, not answered.
var errWorkerStopped = errors.New("task: worker stopped")

// errCanceledBySubmitter is the cause of a task context canceled through
// the cancel subject.
var errCanceledBySubmitter = errors.New("task: canceled by the submitter")

// executor runs tasks: it decodes a delivery, traces it, runs the function
// and answers. Workers of both transports use it.
type executor struct {
	common    common
	reg       *Registry
	tracer    trace.Tracer
	logger    *slog.Logger
	workerID  string
	pid       int
	host      string
	needReply bool
	system    string        // messaging.system; "" in process
	consumer  string        // messaging.consumer.group.name; "" in process
	markDelay time.Duration // see WithMarkDelay
	attempts  *attemptStore // nil in process

	// spans has the span names of the functions run so far; worker,
	// hostName and messaging are attributes of every CONSUMER span:
	// worker.id and worker.pid, host.name, and on NATS messaging.system and
	// messaging.consumer.group.name.
	spans     spanCache
	worker    [2]attribute.KeyValue
	hostName  attribute.KeyValue
	messaging [2]attribute.KeyValue

	mu      sync.Mutex
	running map[string]*runningTask
}

// executorConfig is what an executor needs of its worker's settings.
type executorConfig struct {
	common    common
	reg       *Registry
	workerID  string        // "": HOST-PID-RANDOM
	consumer  string        // messaging.consumer.group.name (NATS)
	markDelay time.Duration // NATS
	remote    bool          // NATS: tasks need a reply subject
}

func newExecutor(cfg executorConfig) *executor {
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	id := cfg.workerID
	if id == "" {
		id = fmt.Sprintf("%s-%d-%06x", host, os.Getpid(), rand.Uint32()&0xffffff)
	}
	e := &executor{
		common:    cfg.common,
		reg:       cfg.reg,
		tracer:    cfg.common.tracerProvider().Tracer(tracerName),
		logger:    cfg.common.log(),
		workerID:  id,
		pid:       os.Getpid(),
		host:      host,
		needReply: cfg.remote,
		consumer:  cfg.consumer,
		markDelay: cfg.markDelay,
		running:   make(map[string]*runningTask),
	}
	if cfg.remote {
		e.system = "nats"
	}
	e.worker = [2]attribute.KeyValue{attribute.String("worker.id", e.workerID), attribute.Int("worker.pid", e.pid)}
	e.hostName = semconv.HostName(e.host)
	e.messaging = [2]attribute.KeyValue{semconv.MessagingSystemKey.String(e.system), semconv.MessagingConsumerGroupName(e.consumer)}
	return e
}

type runningTask struct{ cancel context.CancelCauseFunc }

// handle runs one delivery to its end: answered and acknowledged,
// terminated (malformed) or returned to the stream (worker stopping).
func (e *executor) handle(base context.Context, d delivery) {
	req, err := decodeRequest(d.header(), d.data(), e.needReply)
	if err != nil {
		e.malformed(d, err)
		return
	}
	if d.abandoned(req.id) {
		d.ack()
		return
	}
	attempt := d.attempt()
	parent := e.common.propagator().Extract(base, headerCarrier(req.header))
	var earlier []attemptRecord
	if attempt > 1 && e.attempts != nil {
		earlier = e.attempts.earlier(base, req.id, attempt)
	}
	ctx, span, fs := e.startRun(parent, &req, attempt, d.subject(), earlier)
	if attempt > 1 {
		span.AddEvent("task.redelivered", trace.WithAttributes(
			attribute.Int("task.attempt", attempt),
			attribute.Int("task.previous_attempts", len(earlier))))
	}
	var mark *attemptMark
	if e.attempts != nil && span.IsRecording() {
		mark = e.markAttempt(ctx, fs, &req, attempt, earlier)
	}

	// The span ends before the result is sent, so that once a submitter
	// has the result, every span of the task has ended.
	res, stopped := e.execute(ctx, &req, attempt, d)
	mark.unmark()
	if stopped {
		span.SetStatus(codes.Error, "the worker stopped before the task finished")
		span.End()
		d.nak()
		return
	}
	if res.Error != nil {
		span.RecordError(res.Error)
		span.SetStatus(codes.Error, res.Error.Error())
		span.SetAttributes(semconv.ErrorTypeKey.String(string(res.Error.Kind)))
	}
	span.End()
	if err := e.send(d, &req, res); err != nil {
		e.logger.Warn("task: cannot send result; returning the task to the stream",
			"function", req.function, "task.id", req.id, "reply", req.reply, "error", err)
		d.nak()
		return
	}
	d.ack()
}

// execute runs the function of req and returns its result message;
// stopped reports that the worker's stop interrupted it.
func (e *executor) execute(ctx context.Context, req *request, attempt int, d delivery) (res resultMsg, stopped bool) {
	res = resultMsg{ID: req.id, Attempt: attempt, Worker: e.workerID}
	ent, ok := e.reg.lookup(req.function)
	if !ok {
		res.Error = &Error{Kind: KindUnknownFunction, Function: req.function, TaskID: req.id,
			Message: fmt.Sprintf("worker %s has no function %q (registered: %s)", e.workerID, req.function, nameList(e.reg.Names()))}
		return res, false
	}
	if !req.deadline.IsZero() && !time.Now().Before(req.deadline) {
		res.Error = &Error{Kind: KindDeadline, Function: req.function, TaskID: req.id,
			Message: fmt.Sprintf("deadline %s passed before the task started", formatDeadline(req.deadline))}
		return res, false
	}
	taskCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if !req.deadline.IsZero() {
		var cancelDeadline context.CancelFunc
		taskCtx, cancelDeadline = context.WithDeadline(taskCtx, req.deadline)
		defer cancelDeadline()
	}
	taskCtx = withInfo(taskCtx, Info{ID: req.id, Function: req.function, Attempt: attempt, WorkerID: e.workerID})
	untrack := e.track(req.id, cancel)
	stop := d.heartbeat()
	out, callErr, fnErr := callEntry(taskCtx, ent, req.args)
	stop()
	untrack()

	switch {
	case callErr != nil:
		callErr.Function, callErr.TaskID = req.function, req.id
		res.Error = callErr
	case fnErr != nil && errors.Is(context.Cause(taskCtx), errWorkerStopped):
		return res, true
	case fnErr != nil && taskCtx.Err() != nil:
		res.Error = ctxError(taskCtx, req.function, req.id)
		res.Error.Message = fnErr.Error()
	case fnErr != nil:
		res.Error = &Error{Kind: KindFailed, Function: req.function, TaskID: req.id, Message: fnErr.Error()}
	default:
		res.Result = out
	}
	return res, false
}

// callEntry calls the function, turning a panic into an *Error.
func callEntry(ctx context.Context, ent *entry, args json.RawMessage) (out json.RawMessage, callErr *Error, fnErr error) {
	defer func() {
		if v := recover(); v != nil {
			out, fnErr = nil, nil
			callErr = &Error{Kind: KindPanic, Message: fmt.Sprint(v), Stack: panicStack()}
		}
	}()
	out, err := ent.call(ctx, args)
	if ee, ok := err.(*entryError); ok {
		return nil, ee.err, nil // the entry's own decode or encode failure
	}
	return out, nil, err
}

// send publishes the result; a result too large for the server is
// replaced by a KindBadResult error.
func (e *executor) send(d delivery, req *request, res resultMsg) error {
	data := encodeResult(res)
	err := d.reply(req, data)
	if errors.Is(err, nats.ErrMaxPayload) {
		res.Result = nil
		res.Error = &Error{Kind: KindBadResult, Function: req.function, TaskID: req.id,
			Message: fmt.Sprintf("result message of %d bytes is larger than the server's maximum payload", len(data))}
		err = d.reply(req, encodeResult(res))
	}
	return err
}

// malformed terminates a message that does not follow the wire format and
// logs it once (it is not redelivered). When the message names a task id
// and a valid reply subject, the submitter gets the error too.
func (e *executor) malformed(d delivery, err error) {
	e.logger.Warn("task: malformed task message terminated", "subject", d.subject(), "error", err)
	var te *Error
	if reply := headerCarrier(d.header()).Get(HeaderReply); errors.As(err, &te) && te.TaskID != "" && validSubject(reply) == nil {
		req := &request{id: te.TaskID, function: te.Function, reply: reply}
		_ = d.reply(req, encodeResult(resultMsg{ID: te.TaskID, Attempt: d.attempt(), Worker: e.workerID, Error: te}))
	}
	d.term()
}

// track registers a running task for cancellation through the cancel
// subject; the returned function unregisters it.
func (e *executor) track(id string, cancel context.CancelCauseFunc) func() {
	rt := &runningTask{cancel: cancel}
	e.mu.Lock()
	e.running[id] = rt
	e.mu.Unlock()
	return func() {
		e.mu.Lock()
		if e.running[id] == rt {
			delete(e.running, id)
		}
		e.mu.Unlock()
	}
}

// cancel cancels the running task id, if this executor runs it.
func (e *executor) cancel(id string) {
	e.mu.Lock()
	rt := e.running[id]
	e.mu.Unlock()
	if rt != nil {
		rt.cancel(errCanceledBySubmitter)
	}
}
