package task

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

const (
	// pollWait is the longest expiry of one pull request; an idle worker
	// sends one per expiry. The expiry is also at most half the ack wait:
	// see pullExpiry.
	pollWait = 5 * time.Second
	// guardSlack: a pull request that neither delivered nor expired this
	// long after its expiry is taken as lost (a server restart).
	guardSlack = 2 * time.Second
	// maxBackoff bounds the wait between failing pull requests.
	maxBackoff = 5 * time.Second
	// unsubscribeWait bounds the wait for the pull subscription to drain.
	unsubscribeWait = 10 * time.Second
)

// pullExpiry is how long a pull request waits at the server. A pull
// request of a worker that died or stopped stays at the server until it
// expires, and nats-server 2.9 under-counts a message's deliveries
// (NumDelivered, so task.attempt) when it first tries to deliver it to
// such a request. So requests expire before a dead worker's tasks are
// redelivered (at least two thirds of the ack wait after its last
// heartbeat), and a stopping worker returns tasks with a delay longer
// than the expiry (returnDelay).
func pullExpiry(ackWait time.Duration) time.Duration {
	return max(min(pollWait, ackWait/2), 50*time.Millisecond)
}

// returnDelay is the delay of the negative acknowledgement that returns a
// task to the stream when the worker stops.
func returnDelay(ackWait time.Duration) time.Duration {
	return pullExpiry(ackWait) + 500*time.Millisecond
}

// serve pulls and runs tasks until ctx is done, then drains.
func (w *Worker) serve(ctx context.Context, ackWait time.Duration) error {
	base, stopTasks := context.WithCancelCause(context.WithoutCancel(ctx))
	defer stopTasks(nil)
	p := &puller{
		w:       w,
		subject: "$JS.API.CONSUMER.MSG.NEXT." + w.cfg.nats.stream + "." + w.cfg.consumer,
		inbox:   w.nt.nc.NewInbox(),
		in:      make(chan *nats.Msg),
		stop:    make(chan struct{}),
		slots:   make(chan struct{}, w.cfg.pool.workers()),
		expiry:  pullExpiry(ackWait),
		delay:   returnDelay(ackWait),
	}
	var wg sync.WaitGroup
	p.dispatch = func(m *nats.Msg) { // the caller holds a slot for m
		d := &natsDelivery{msg: m, nc: w.nt.nc, ackWait: ackWait, nakDelay: p.delay}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-p.slots }()
			w.exec.handle(base, d)
		}()
	}
	var err error
	if p.sub, err = w.nt.nc.Subscribe(p.inbox+".*", p.deliver); err != nil {
		return fmt.Errorf("task: worker %s: subscribe to pulled messages: %w", w.ID(), err)
	}
	err = p.run(ctx)
	w.drain(&wg, stopTasks)
	return err
}

// puller pulls messages from the consumer for free slots only, so that no
// message waits in a buffer while its ack wait runs out. It owns its pull
// subscription (rather than using jetstream's Fetch) so that, when it
// stops, the subscription is drained before any task is returned to the
// stream: the server then redelivers the task to another worker instead
// of to this worker's last pull request.
type puller struct {
	w        *Worker
	subject  string // the consumer's MSG.NEXT API subject
	inbox    string // pull request N is sent with reply subject INBOX.N
	sub      *nats.Subscription
	in       chan *nats.Msg
	stop     chan struct{} // closed when stopping: deliver naks
	slots    chan struct{}
	dispatch func(*nats.Msg)
	expiry   time.Duration // of each pull request
	delay    time.Duration // of the naks that return tasks when stopping

	seq  int // number of the last pull request
	cur  int // number of the open pull request, 0: none
	want int // messages still due on it (each holds a slot)
}

// pullRequest is the body of a JetStream pull request.
type pullRequest struct {
	Batch   int           `json:"batch"`
	Expires time.Duration `json:"expires"`
}

// deliver is the subscription's callback: it hands messages to run, or
// returns task messages to the stream once the puller stops.
func (p *puller) deliver(m *nats.Msg) {
	select {
	case p.in <- m:
	case <-p.stop:
		if !isStatus(m) {
			_ = m.NakWithDelay(p.delay)
		}
	}
}

func (p *puller) run(ctx context.Context) error {
	guard := time.NewTimer(time.Hour)
	guard.Stop()
	defer guard.Stop()
	var backoff time.Duration
	var retry <-chan time.Time
	var lastErr string
	fail := func(err error) {
		if err.Error() != lastErr { // once per run of the same error
			lastErr = err.Error()
			p.w.exec.logger.Warn("task: pull failed; retrying", "worker.id", p.w.ID(),
				"consumer", p.w.cfg.consumer, "stream", p.w.cfg.nats.stream, "error", err)
		}
		backoff = min(max(2*backoff, 100*time.Millisecond), maxBackoff)
		retry = time.After(backoff)
	}
	for {
		if p.cur == 0 && retry == nil {
			if !p.acquire(ctx) {
				return p.close()
			}
			if err := p.request(); err != nil {
				p.endRequest()
				if p.w.nt.nc.IsClosed() {
					_ = p.close()
					return fmt.Errorf("task: worker %s: pull from consumer %q: %w", p.w.ID(), p.w.cfg.consumer, err)
				}
				fail(err)
				continue
			}
			guard.Reset(p.expiry + guardSlack)
		}
		select {
		case <-ctx.Done():
			return p.close()
		case <-retry:
			retry = nil
		case <-guard.C:
			p.endRequest()
		case m := <-p.in:
			if err := p.handle(m); err != nil {
				fail(err)
			} else if !isStatus(m) {
				backoff, lastErr = 0, ""
			}
			if p.cur == 0 {
				guard.Stop()
			}
		}
	}
}

// acquire takes one slot, waiting for it, and then every free one.
func (p *puller) acquire(ctx context.Context) bool {
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	p.want = 1
	for p.want < cap(p.slots) {
		select {
		case p.slots <- struct{}{}:
			p.want++
		default:
			return true
		}
	}
	return true
}

// request sends a pull request for the slots held.
func (p *puller) request() error {
	data, err := json.Marshal(pullRequest{Batch: p.want, Expires: p.expiry})
	if err != nil {
		return err
	}
	p.seq++
	p.cur = p.seq
	return p.w.nt.nc.PublishRequest(p.subject, p.inbox+"."+strconv.Itoa(p.seq), data)
}

// endRequest closes the open pull request and frees its unused slots.
func (p *puller) endRequest() {
	for ; p.want > 0; p.want-- {
		<-p.slots
	}
	p.cur = 0
}

// handle takes a message of a pull request: a task, or a status that ends
// the request (408 expired, 404 none; others are errors). A status comes
// on INBOX.N, so it is told apart from an earlier request's; a task
// message keeps its own subject, so it counts against the open request,
// and one beyond it (a late message of an earlier request) runs if a slot
// is free and goes back to the stream otherwise.
func (p *puller) handle(m *nats.Msg) error {
	if isStatus(m) {
		code := m.Header.Get("Status")
		if lastToken(m.Subject) != strconv.Itoa(p.cur) || code == "100" {
			return nil // an earlier request's status, or a heartbeat
		}
		p.endRequest()
		if code == "404" || code == "408" {
			return nil
		}
		return fmt.Errorf("pull request to %s: status %s %s", p.subject, code, m.Header.Get("Description"))
	}
	if p.want > 0 {
		p.want--
		if p.want == 0 {
			p.cur = 0
		}
		p.dispatch(m)
		return nil
	}
	select {
	case p.slots <- struct{}{}:
		p.dispatch(m)
	default:
		_ = m.Nak()
	}
	return nil
}

// close stops pulling: it drains the subscription (the server learns that
// nobody takes this worker's pull requests any more) and returns every
// task message received meanwhile to the stream.
func (p *puller) close() error {
	close(p.stop)
	p.endRequest()
	closed := p.sub.StatusChanged(nats.SubscriptionClosed)
	if err := p.sub.Drain(); err != nil {
		_ = p.sub.Unsubscribe()
	}
	timeout := time.NewTimer(unsubscribeWait)
	defer timeout.Stop()
	for {
		select {
		case m := <-p.in:
			if !isStatus(m) {
				_ = m.NakWithDelay(p.delay)
			}
		case <-closed:
			return nil
		case <-timeout.C:
			_ = p.sub.Unsubscribe()
			return nil
		}
	}
}

// isStatus reports a status message (no payload, a Status header).
func isStatus(m *nats.Msg) bool {
	return len(m.Data) == 0 && m.Header.Get("Status") != ""
}

// drain waits for running tasks; after the drain timeout, or when a
// Shutdown's deadline passed, it cancels them (they are returned to the
// stream) and waits for them to return.
func (w *Worker) drain(wg *sync.WaitGroup, stopTasks context.CancelCauseFunc) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(w.cfg.drainTimeout)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
		w.exec.logger.Warn("task: drain timeout; canceling running tasks and returning them to the stream",
			"worker.id", w.ID(), "drain_timeout", w.cfg.drainTimeout)
	case <-w.hurry:
		w.exec.logger.Warn("task: shutdown deadline; canceling running tasks and returning them to the stream",
			"worker.id", w.ID())
	}
	stopTasks(errWorkerStopped)
	<-done
}

// natsDelivery is a message pulled from the consumer.
type natsDelivery struct {
	msg      *nats.Msg
	nc       *nats.Conn
	ackWait  time.Duration
	nakDelay time.Duration
}

func (d *natsDelivery) header() nats.Header   { return d.msg.Header }
func (d *natsDelivery) data() []byte          { return d.msg.Data }
func (d *natsDelivery) subject() string       { return d.msg.Subject }
func (d *natsDelivery) abandoned(string) bool { return false }
func (d *natsDelivery) ack()                  { _ = d.msg.Ack() }
func (d *natsDelivery) nak()                  { _ = d.msg.NakWithDelay(d.nakDelay) }
func (d *natsDelivery) term()                 { _ = d.msg.Term() }

// attempt is JetStream's delivery count of the message.
func (d *natsDelivery) attempt() int {
	md, err := d.msg.Metadata()
	if err != nil || md.NumDelivered == 0 {
		return 1
	}
	return int(md.NumDelivered)
}

// reply publishes the result on the submitter's reply subject (core NATS:
// nobody listening is not an error).
func (d *natsDelivery) reply(req *request, data []byte) error {
	return d.nc.Publish(req.reply, data)
}

// heartbeat tells the server, every third of the ack wait, that the task
// is in progress, so that only a dead worker's tasks are redelivered.
func (d *natsDelivery) heartbeat() func() {
	every := max(d.ackWait/3, 10*time.Millisecond)
	var mu sync.Mutex
	stopped := false
	mu.Lock()
	var t *time.Timer
	t = time.AfterFunc(every, func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		_ = d.msg.InProgress()
		t.Reset(every)
	})
	mu.Unlock()
	return func() {
		mu.Lock()
		stopped = true
		t.Stop()
		mu.Unlock()
	}
}
