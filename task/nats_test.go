package task

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/syncbuf"
)

// TestNATS runs tasks through a real nats-server with an in-process worker.
func TestNATS(t *testing.T) {
	tp, exp := newTracing(t)
	c, _ := natsClient(t, WithTracerProvider(tp))
	b := newBlocker()
	w := mustWorker(t, c, WithRegistry(testRegistry(t, b)), WithConcurrency(4))
	runWorker(t, w)
	ctx := context.Background()

	t.Run("round trip and spans", func(t *testing.T) {
		f, err := c.Submit(ctx, "add", pair{20, 22})
		if err != nil {
			t.Fatal(err)
		}
		if s, err := Get[sum](ctx, f); err != nil || s.Sum != 42 {
			t.Fatalf("add = %v, %v", s, err)
		}
		if f.WorkerID() != w.ID() || f.Attempt() != 1 {
			t.Errorf("served by %q attempt %d, want %q attempt 1", f.WorkerID(), f.Attempt(), w.ID())
		}
		prod := onlySpan(t, exp, "add task.submit")
		run := onlySpan(t, exp, "add task.run")
		if prod.SpanKind != trace.SpanKindProducer || run.SpanKind != trace.SpanKindConsumer {
			t.Errorf("kinds %v %v", prod.SpanKind, run.SpanKind)
		}
		if run.Parent.SpanID() != prod.SpanContext.SpanID() || run.SpanContext.TraceID() != prod.SpanContext.TraceID() {
			t.Error("want task.submit -> task.run in one trace")
		}
		for key, want := range map[string]any{
			"messaging.system":              "nats",
			"messaging.destination.name":    "sightline.tasks.run.add",
			"messaging.consumer.group.name": "workers",
			"task.function":                 "add",
			"task.id":                       f.ID(),
			"task.attempt":                  int64(1),
			"worker.id":                     w.ID(),
		} {
			if got := attrOf(run, key); got != want {
				t.Errorf("task.run %s = %v, want %v", key, got, want)
			}
		}
		if got := attrOf(prod, "messaging.destination.name"); got != "sightline.tasks.run.add" {
			t.Errorf("task.submit messaging.destination.name = %v", got)
		}
		if len(run.Links) != 0 {
			t.Errorf("a first attempt has links: %v", run.Links)
		}
		// A task shorter than the mark delay leaves no marks.
		if n := len(spansNamed(exp, "add task.start")); n != 0 {
			t.Errorf("%d task.start spans for a short task", n)
		}
		if _, err := readAttempts(t, c, f.ID()); !errors.Is(err, jetstream.ErrKeyNotFound) {
			t.Errorf("attempt record of a short task: %v, want none", err)
		}
	})

	t.Run("deadline travels", func(t *testing.T) {
		dctx, cancel := context.WithTimeout(ctx, time.Hour)
		defer cancel()
		want, _ := dctx.Deadline()
		f, _ := c.Submit(dctx, "deadline", struct{}{})
		if got, err := Get[time.Time](ctx, f); err != nil || !got.Equal(want) {
			t.Errorf("deadline at the worker = %v, %v; want %v", got, err, want)
		}
	})

	t.Run("deadline exceeded", func(t *testing.T) {
		dctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		f, _ := c.Submit(dctx, "block", "deadline")
		<-b.started
		err := f.Wait(ctx, nil)
		wantKind(t, err, KindDeadline)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("errors.Is(%v, context.DeadlineExceeded) = false", err)
		}
		if cause := <-b.stopped; !errors.Is(cause, context.DeadlineExceeded) {
			t.Errorf("the worker ran the task until %v, want its deadline", cause)
		}
		// A task longer than the mark delay is marked: a zero-length
		// task.start span under its run span, and an attempt record.
		poll.Until(t, 5*time.Second, "the run span", func() bool { return len(spansNamed(exp, "block task.run")) == 1 })
		start := onlySpan(t, exp, "block task.start")
		run := onlySpan(t, exp, "block task.run")
		if start.Parent.SpanID() != run.SpanContext.SpanID() || !start.StartTime.Equal(start.EndTime) ||
			start.StartTime.Sub(run.StartTime) > DefaultMarkDelay {
			t.Errorf("task.start: parent %v (run %v), %v to %v (run from %v)", start.Parent.SpanID(),
				run.SpanContext.SpanID(), start.StartTime, start.EndTime, run.StartTime)
		}
		rec, err := readAttempts(t, c, f.ID())
		if err != nil || len(rec) != 1 || rec[0].SpanID != run.SpanContext.SpanID().String() || rec[0].Attempt != 1 {
			t.Errorf("attempt record %+v, %v; want attempt 1 of span %v", rec, err, run.SpanContext.SpanID())
		}
	})

	t.Run("cancel reaches the worker", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		f, _ := c.Submit(cctx, "block", "cancel")
		<-b.started
		cancel()
		wantKind(t, f.Wait(ctx, nil), KindCanceled)
		if cause := <-b.stopped; !errors.Is(cause, errCanceledBySubmitter) {
			t.Errorf("the worker's task ended with %v, want the submitter's cancel", cause)
		}
	})
}

// TestNATSBadInput: typed errors reach the submitter and the same worker
// goes on serving; malformed messages are terminated and logged once.
func TestNATSBadInput(t *testing.T) {
	c, _ := natsClient(t)
	var logs syncbuf.Buffer
	w := mustWorker(t, c, WithRegistry(testRegistry(t, nil)), WithConcurrency(1), WithLogger(textLogger(&logs)))
	runWorker(t, w)
	ctx := context.Background()
	wait := func(name string, args any) (*Future, error) {
		t.Helper()
		f, err := c.Submit(ctx, name, args)
		if err != nil {
			t.Fatal(err)
		}
		return f, f.Wait(ctx, nil)
	}

	f, err := wait("nope", 1)
	wantKind(t, err, KindUnknownFunction)
	f2, err := wait("add", "not a pair")
	te := wantKind(t, err, KindBadArguments)
	if te.Function != "add" || te.TaskID != f2.ID() {
		t.Errorf("bad arguments error names %q/%q, want add/%s", te.Function, te.TaskID, f2.ID())
	}
	f3, err := wait("boom", "over NATS")
	te = wantKind(t, err, KindPanic)
	if te.Message != "boom: over NATS" || te.Stack == "" {
		t.Errorf("panic: %+v", te)
	}

	// Malformed messages: no headers at all; and a bad deadline with a
	// usable reply subject, whose sender hears why.
	nt := c.t.(*natsTransport)
	if _, err := nt.js.Publish(ctx, "sightline.tasks.run.add", []byte(`{"A":1}`)); err != nil {
		t.Fatal(err)
	}
	reply := nt.nc.NewInbox()
	sub, err := nt.nc.SubscribeSync(reply)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	msg := natsMsg("sightline.tasks.run.add", map[string]string{
		HeaderTaskID: "bad-deadline", HeaderFunction: "add", HeaderReply: reply, HeaderDeadline: "tomorrow",
	})
	if _, err := nt.js.PublishMsg(ctx, msg); err != nil {
		t.Fatal(err)
	}
	got, err := sub.NextMsg(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	res, err := decodeResult(got.Data)
	if err != nil || res.Error == nil || res.Error.Kind != KindMalformed || res.ID != "bad-deadline" {
		t.Errorf("reply to a malformed message: %+v, %v", res, err)
	}

	f4, err := wait("add", pair{1, 1})
	if err != nil {
		t.Fatalf("good task after bad input: %v", err)
	}
	for _, f := range []*Future{f, f2, f3, f4} {
		if f.WorkerID() != w.ID() {
			t.Errorf("task %s served by %q, want %q", f.Function(), f.WorkerID(), w.ID())
		}
	}
	poll.Until(t, 10*time.Second, "all messages acknowledged or terminated", func() bool {
		info, err := nt.js.Consumer(ctx, DefaultStream, DefaultConsumer)
		if err != nil {
			return false
		}
		ci, err := info.Info(ctx)
		return err == nil && ci.NumAckPending == 0 && ci.NumPending == 0
	})
	cons, _ := nt.js.Consumer(ctx, DefaultStream, DefaultConsumer)
	if ci, _ := cons.Info(ctx); ci.NumRedelivered != 0 {
		t.Errorf("%d messages were redelivered", ci.NumRedelivered)
	}
	if n := countLines(logs.String(), "malformed task message terminated"); n != 2 {
		t.Errorf("logged %d malformed messages, want 2:\n%s", n, logs.String())
	}
}

// TestNATSDrain: a stopping worker lets a running task finish within the
// drain timeout, and returns to the stream a task that outlives it, which
// another worker then runs as attempt 2, linked to attempt 1.
func TestNATSDrain(t *testing.T) {
	tp, exp := newTracing(t)
	// A short ack wait: a stopping worker returns tasks with a delay of
	// about half of it (see returnDelay).
	c, _ := natsClient(t, WithTracerProvider(tp))
	ackWait := WithAckWait(2 * time.Second) // given to every worker
	started := make(chan int, 4)
	release := make(chan struct{})
	reg := NewRegistry()
	if err := RegisterIn(reg, "wait", func(ctx context.Context, _ int) (int, error) {
		i, _ := FromContext(ctx)
		started <- i.Attempt
		if i.Attempt > 1 {
			return i.Attempt, nil
		}
		select {
		case <-release:
			return i.Attempt, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	// Finishes within the drain timeout.
	w1 := mustWorker(t, c, ackWait, WithRegistry(reg), WithDrainTimeout(time.Minute))
	stop1 := runWorker(t, w1)
	f, _ := c.Submit(ctx, "wait", 0)
	<-started
	stopped := make(chan struct{})
	go func() { stop1(); close(stopped) }()
	close(release)
	if n, err := Get[int](ctx, f); err != nil || n != 1 {
		t.Fatalf("task finished during drain = %d, %v", n, err)
	}
	<-stopped

	// Outlives a zero drain timeout: returned, then run by another worker.
	release = make(chan struct{})
	var logs syncbuf.Buffer
	w2 := mustWorker(t, c, ackWait, WithRegistry(reg), WithDrainTimeout(0), WithMarkDelay(0), WithLogger(textLogger(&logs)))
	stop2 := runWorker(t, w2)
	f, _ = c.Submit(ctx, "wait", 0)
	<-started
	stop2()
	if !strings.Contains(logs.String(), "drain timeout") {
		t.Errorf("the stopping worker did not log its drain timeout: %q", logs.String())
	}
	w3 := mustWorker(t, c, ackWait, WithRegistry(reg))
	runWorker(t, w3)
	if n, err := Get[int](ctx, f); err != nil || n != 2 || f.WorkerID() != w3.ID() {
		t.Fatalf("returned task = %d, %v from %q; want attempt 2 from %q", n, err, f.WorkerID(), w3.ID())
	}
	var first, second trace.SpanContext
	for _, s := range spansNamed(exp, "wait task.run") {
		if attrOf(s, "task.id") == f.ID() {
			if attrOf(s, "task.attempt") == int64(1) {
				first = s.SpanContext
			} else {
				second = s.SpanContext
				if len(s.Links) != 1 || s.Links[0].SpanContext.SpanID() != first.SpanID() {
					t.Errorf("attempt 2 links %v, want attempt 1's span %v", s.Links, first.SpanID())
				}
			}
		}
	}
	if !first.IsValid() || !second.IsValid() {
		t.Errorf("want run spans of both attempts, have %v and %v", first, second)
	}
}

// TestNATSWorkerSetup: startup hooks and configuration errors.
func TestNATSWorkerSetup(t *testing.T) {
	c, _ := natsClient(t)
	ctx := context.Background()
	var runs atomic.Int32
	errHook := errors.New("collector unreachable")
	// Hooks are process-wide and outlive -count runs: names of this run.
	id := newID()
	count, fail := "test.hook.count."+id, "test.hook.fail."+id
	for name, fn := range map[string]func(context.Context) error{
		count: func(context.Context) error { runs.Add(1); return nil },
		fail:  func(context.Context) error { return errHook },
	} {
		if err := RegisterHook(name, fn); err != nil {
			t.Fatal(err)
		}
	}

	_, err := NewWorker(c, WithHook("test.hook.nope"))
	names := HookNames()
	if err == nil || !containsAll(err.Error(), `unknown startup hook "test.hook.nope" (registered: `,
		strings.Join(names, ", ")+")", count, fail, "from WithHook") || !slices.IsSorted(names) {
		t.Errorf("unknown hook: %v", err)
	}
	env := WithEnv(func(name string) (string, bool) { return "test.hook.nope", name == HookEnv })
	if _, err := NewWorker(c, env); err == nil || !containsAll(err.Error(), "from "+HookEnv) {
		t.Errorf("unknown hook from the environment: %v", err)
	}

	w := mustWorker(t, c, WithHook(fail))
	if err := w.Run(ctx); !errors.Is(err, errHook) || !containsAll(err.Error(), `startup hook "`+fail+`"`) {
		t.Errorf("Run with a failing hook = %v", err)
	}
	if err := w.Run(ctx); err == nil {
		t.Error("a second Run succeeded")
	}

	// Two workers in one process: the hook runs once.
	for range 2 {
		runWorker(t, mustWorker(t, c, WithHook(count), WithRegistry(testRegistry(t, nil))))
	}
	nt := c.t.(*natsTransport)
	poll.Until(t, 10*time.Second, "both workers pulling", func() bool {
		cons, err := nt.js.Consumer(ctx, DefaultStream, DefaultConsumer)
		if err != nil {
			return false
		}
		ci, err := cons.Info(ctx)
		return err == nil && ci.NumWaiting >= 2
	})
	if n := runs.Load(); n != 1 {
		t.Errorf("hook ran %d times for two workers, want 1", n)
	}

	// Bad settings, and a client that is not a NATS client.
	for _, opt := range []WorkerOption{WithAckWait(time.Millisecond), WithConcurrency(-1), WithStream("a.b"),
		WithConsumer(""), WithMaxDeliver(0), WithSubjectPrefix("a.>"), WithDrainTimeout(-1), WithMarkDelay(-1)} {
		if _, err := NewWorker(c, opt); err == nil {
			t.Errorf("NewWorker accepted a bad setting (%v)", newWorkerConfig(defaultWorkerConfig(), []WorkerOption{opt}).check())
		}
	}
	local := mustLocal(t, WithConcurrency(1))
	defer local.Shutdown(context.Background())
	if _, err := NewWorker(local); err == nil {
		t.Error("NewWorker on an in-process client succeeded")
	}

	// The stream is created or updated idempotently.
	c2, err := NewNATSClient(ctx, nt.nc)
	if err != nil {
		t.Fatal(err)
	}
	_ = c2.Shutdown(ctx)
	s, err := nt.js.Stream(ctx, DefaultStream)
	if err != nil {
		t.Fatal(err)
	}
	if cfg := s.CachedInfo().Config; cfg.Retention != jetstream.WorkQueuePolicy || len(cfg.Subjects) != 1 || cfg.Subjects[0] != "sightline.tasks.run.>" {
		t.Errorf("stream config: %v %v", cfg.Retention, cfg.Subjects)
	}
}

// readAttempts reads the attempt records of task id.
func readAttempts(t *testing.T, c *Client, id string) ([]attemptRecord, error) {
	t.Helper()
	ctx := context.Background()
	kv, err := c.t.(*natsTransport).js.KeyValue(ctx, DefaultAttemptBucket)
	if err != nil {
		return nil, err
	}
	e, err := kv.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return decodeAttempts(e.Value())
}
