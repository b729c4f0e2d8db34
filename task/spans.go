package task

import (
	"context"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// producerStart and consumerStart are the start options of the PRODUCER
// and CONSUMER spans, made once: an option made per task, and the slice of
// options, would each be an allocation. The attributes are set after the
// start, with one SetAttributes of a reused buffer (trace.WithAttributes
// costs two allocations more: the option, and the SDK's copy into its
// SpanConfig).
var (
	producerStart = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindProducer)}
	consumerStart = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindConsumer)}
)

// maxCachedFunctions bounds the functions a client or an executor keeps a
// fnSpans of; tasks of functions beyond are traced the same, with their
// names and attributes made anew.
const maxCachedFunctions = 4096

// fnSpans is what the spans of one function's tasks share, made once per
// client or executor and function instead of on every task. A client fills
// submit, subject and producer; an executor run, start and function.
type fnSpans struct {
	submit string // "<function> task.submit"
	run    string // "<function> task.run"
	start  string // "<function> task.start"

	subject  string               // where the client sends the function's tasks
	producer []attribute.KeyValue // task.function, then messaging.system and messaging.destination.name on NATS; shared: do not change
	function attribute.KeyValue   // task.function
}

// spanCache holds the fnSpans of the functions seen so far. The zero
// value is ready to use.
type spanCache struct {
	mu sync.RWMutex
	m  map[string]*fnSpans
}

// get is the fnSpans of function, made by mk when it is not cached.
func (c *spanCache) get(function string, mk func(function string) *fnSpans) *fnSpans {
	c.mu.RLock()
	f := c.m[function]
	c.mu.RUnlock()
	if f != nil {
		return f
	}
	f = mk(function)
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev := c.m[function]; prev != nil {
		return prev
	}
	if c.m == nil {
		c.m = make(map[string]*fnSpans)
	}
	if len(c.m) < maxCachedFunctions {
		c.m[function] = f
	}
	return f
}

// newSubmitSpans is the fnSpans of a client's tasks of function, sent to
// subject; system is messaging.system, "" in process (no messaging
// attributes).
func newSubmitSpans(function, subject, system string) *fnSpans {
	f := &fnSpans{submit: function + " task.submit", subject: subject}
	n := 1
	if system != "" {
		n = 3
	}
	f.producer = make([]attribute.KeyValue, 0, n)
	f.producer = append(f.producer, attribute.String("task.function", function))
	if system != "" {
		f.producer = append(f.producer, semconv.MessagingSystemKey.String(system), semconv.MessagingDestinationName(subject))
	}
	return f
}

// newRunSpans is the fnSpans of an executor's tasks of function.
func newRunSpans(function string) *fnSpans {
	return &fnSpans{
		run:      function + " task.run",
		start:    function + " task.start",
		function: attribute.String("task.function", function),
	}
}

// attrBufs are the buffers span attributes are built in, only for spans
// that record. SetAttributes copies what it gets (the SDK appends it to
// the span's own slice), so a buffer serves task after task.
var attrBufs = sync.Pool{New: func() any {
	b := make([]attribute.KeyValue, 0, 12) // the most a span gets at once: 9
	return &b
}}

func getAttrBuf() *[]attribute.KeyValue { return attrBufs.Get().(*[]attribute.KeyValue) }

// putAttrBuf empties buf (it keeps no value alive) and returns it.
func putAttrBuf(buf *[]attribute.KeyValue) {
	clear(*buf)
	*buf = (*buf)[:0]
	attrBufs.Put(buf)
}

// startSubmit starts the PRODUCER span of task id of function name, with
// the attributes task.function, task.id, then on NATS messaging.system and
// messaging.destination.name (set only when the span records), and returns
// it with its context and the function's fnSpans.
func (c *Client) startSubmit(ctx context.Context, name, id string) (context.Context, trace.Span, *fnSpans) {
	fs := c.spans.get(name, c.newSpans)
	ctx, span := c.tracer.Start(ctx, fs.submit, producerStart...)
	if span.IsRecording() {
		// One SetAttributes of a reused buffer: the span copies it.
		buf := getAttrBuf()
		kv := append(*buf, fs.producer[0], attribute.String("task.id", id))
		*buf = append(kv, fs.producer[1:]...)
		span.SetAttributes(*buf...)
		putAttrBuf(buf)
	}
	return ctx, span, fs
}

// startRun starts the CONSUMER span of attempt of req, delivered on
// subject, linked to the earlier attempts, with the attributes of
// appendRunAttrs (set only when the span records), and returns it with
// its context and the function's fnSpans.
func (e *executor) startRun(parent context.Context, req *request, attempt int, subject string, earlier []attemptRecord) (context.Context, trace.Span, *fnSpans) {
	var fs *fnSpans
	if _, ok := e.reg.lookup(req.function); ok {
		fs = e.spans.get(req.function, newRunSpans)
	} else {
		// A name no function has (execute fails it) is not cached: anyone
		// who can publish could otherwise fill the cache with junk.
		fs = newRunSpans(req.function)
	}
	start := consumerStart
	if len(earlier) > 0 {
		start = []trace.SpanStartOption{consumerStart[0], trace.WithLinks(attemptLinks(earlier)...)}
	}
	ctx, span := e.tracer.Start(parent, fs.run, start...)
	if span.IsRecording() {
		buf := getAttrBuf()
		*buf = e.appendRunAttrs(*buf, fs, req, attempt, subject)
		span.SetAttributes(*buf...)
		putAttrBuf(buf)
	}
	return ctx, span, fs
}

// appendRunAttrs appends the attributes of the CONSUMER span of attempt
// of req, a task of fs's function delivered on subject: task.function,
// task.id, task.attempt, worker.id, worker.pid, host.name, then on NATS
// messaging.system, messaging.destination.name and
// messaging.consumer.group.name.
func (e *executor) appendRunAttrs(kv []attribute.KeyValue, fs *fnSpans, req *request, attempt int, subject string) []attribute.KeyValue {
	kv = e.appendAttemptAttrs(kv, fs, req, attempt)
	kv = append(kv, e.hostName)
	if e.system != "" {
		kv = append(kv, e.messaging[0], semconv.MessagingDestinationName(subject), e.messaging[1])
	}
	return kv
}

// appendAttemptAttrs appends the attributes of attempt of req, a task of
// fs's function, that its task.start span has too: task.function, task.id,
// task.attempt, worker.id and worker.pid.
func (e *executor) appendAttemptAttrs(kv []attribute.KeyValue, fs *fnSpans, req *request, attempt int) []attribute.KeyValue {
	return append(kv, fs.function, attribute.String("task.id", req.id), attribute.Int("task.attempt", attempt),
		e.worker[0], e.worker[1])
}
