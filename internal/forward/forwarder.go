package forward

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// cursorInterval is how often, at most, the cursor file is rewritten while
// batches keep being forwarded; it is also written whenever the forwarder
// has nothing left to send, and at Shutdown.
const cursorInterval = 100 * time.Millisecond

// Forwarder is the durable queue and the goroutine that forwards it
// upstream. Append queues a request (before the receiver acknowledges
// it); Start starts forwarding and Shutdown stops it and closes the queue.
// Its methods are safe for concurrent use.
type Forwarder struct {
	cfg Config
	up  upstream
	q   *queue
	exp exporter
	smp *sampler // nil without Config.Sampling

	// sendCtx is the context of sends; abort cancels it when Shutdown's
	// deadline passes.
	sendCtx context.Context
	abort   context.CancelFunc
	stop    chan struct{} // closed by Shutdown: stop reading and waiting
	done    chan struct{} // closed when run returns

	lifeMu   sync.Mutex // Start and Shutdown
	started  bool
	stopped  bool
	closeErr error

	mu sync.Mutex // what follows
	st Stats      // the forwarder's counters and state (not the queue's)
}

// New opens (or creates) the queue in cfg.Dir, repairing a torn tail, and
// prepares the upstream client; it sends nothing until Start. It fails if
// cfg is not valid, or the directory cannot be used (or is used by another
// Forwarder).
func New(cfg Config) (*Forwarder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("forward: %w", err)
	}
	up, _ := parseUpstream(cfg.URL)
	var (
		exp exporter
		err error
	)
	if up.grpc {
		exp, err = newGRPCExporter(cfg, up)
	} else {
		exp, err = newHTTPExporter(cfg, up)
	}
	if err != nil {
		return nil, fmt.Errorf("forward: %w", err)
	}
	var smp *sampler
	if cfg.Sampling != nil {
		if smp, err = newSampler(cfg.Sampling); err != nil {
			exp.close()
			return nil, fmt.Errorf("forward: %w", err)
		}
	}
	q, err := openQueue(cfg.queueOptions())
	if err != nil {
		exp.close()
		return nil, err
	}
	f := &Forwarder{cfg: cfg, up: up, q: q, exp: exp, smp: smp, stop: make(chan struct{}), done: make(chan struct{})}
	f.sendCtx, f.abort = context.WithCancel(context.Background())
	f.st.Upstream, f.st.State = up.display, "not_started"
	if smp != nil {
		f.st.Sampling = &SamplingStats{}
	}
	if q.warning != "" {
		f.st.LastError, f.st.LastErrorUnixNano = "queue: "+q.warning, time.Now().UnixNano()
	}
	return f, nil
}

// Append queues one serialized OTLP request of sig (an
// ExportTraceServiceRequest or ExportLogsServiceRequest, protobuf) and
// returns once it is written (on disk with Config.Fsync): a receiver may
// then acknowledge it. It fails with ErrFull (wrapped) when the queue is
// full under the Block policy, ErrTooLarge for a request that can never
// fit, and ErrClosed after Shutdown; nothing was queued then. payload is
// not kept.
func (f *Forwarder) Append(sig Signal, payload []byte) error {
	return f.q.append(sig, payload, time.Now())
}

// AppendTraces queues td as one ExportTraceServiceRequest, like Append.
// Empty data is not queued.
func (f *Forwarder) AppendTraces(td ptrace.Traces) error {
	if td.SpanCount() == 0 {
		return nil
	}
	b, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		return fmt.Errorf("forward: marshal traces: %w", err)
	}
	return f.Append(Traces, b)
}

// AppendLogs queues ld as one ExportLogsServiceRequest, like Append.
// Empty data is not queued.
func (f *Forwarder) AppendLogs(ld plog.Logs) error {
	if ld.LogRecordCount() == 0 {
		return nil
	}
	b, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		return fmt.Errorf("forward: marshal logs: %w", err)
	}
	return f.Append(Logs, b)
}

// Start starts the forwarding goroutine, which runs until Shutdown. ctx
// only bounds starting. It fails after Shutdown or a second Start.
func (f *Forwarder) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("forward: start: %w", err)
	}
	f.lifeMu.Lock()
	defer f.lifeMu.Unlock()
	switch {
	case f.stopped:
		return errors.New("forward: start: already shut down")
	case f.started:
		return errors.New("forward: start: already started")
	}
	f.started = true
	f.setState("idle")
	if f.smp != nil {
		go f.runSampled()
	} else {
		go f.run()
	}
	return nil
}

// Shutdown stops forwarding: it stops reading the queue, lets a send in
// flight finish until ctx ends and abandons it then (it is sent again
// after a restart), saves the cursor and closes the queue and the
// upstream client. Appends fail from then on. It returns ctx's error if a
// send was abandoned. Later calls return what the first returned.
func (f *Forwarder) Shutdown(ctx context.Context) error {
	f.lifeMu.Lock()
	defer f.lifeMu.Unlock()
	if f.stopped {
		return f.closeErr
	}
	f.stopped = true
	close(f.stop)
	var errs []error
	if f.started {
		select {
		case <-f.done:
		case <-ctx.Done():
			f.abort()
			<-f.done // a canceled send returns at once
			errs = append(errs, fmt.Errorf("forward: shutdown: a send in flight was abandoned (it will be sent again): %w", ctx.Err()))
		}
	}
	f.abort()
	if err := f.q.close(); err != nil {
		errs = append(errs, err)
	}
	f.exp.close()
	f.setState("stopped")
	f.closeErr = errors.Join(errs...)
	return f.closeErr
}

// Stats returns the counters and the queue's state now.
func (f *Forwarder) Stats() Stats {
	f.mu.Lock()
	st := f.st
	if st.Sampling != nil {
		smp := *st.Sampling
		smp.Policies = f.smp.d.Stats()
		st.Sampling = &smp
	}
	f.mu.Unlock()
	f.q.stats(&st, time.Now())
	return st
}

// run forwards batches from the cursor until stop is closed.
func (f *Forwarder) run() {
	defer close(f.done)
	defer f.saveCursor()
	var lastSave time.Time
	bo := newBackoff(f.cfg)
	for {
		select {
		case <-f.stop:
			return
		default:
		}
		b, err := f.q.next(f.cfg.BatchBytes)
		if err != nil {
			if errors.Is(err, ErrClosed) {
				return
			}
			f.noteError(fmt.Errorf("read queue: %w", err))
			if !f.wait(bo.next()) {
				return
			}
			continue
		}
		bo = newBackoff(f.cfg)
		if b == nil {
			f.saveCursor()
			lastSave = time.Now()
			f.setState("idle")
			select {
			case <-f.stop:
				return
			case <-f.q.notify:
			}
			continue
		}
		if !f.deliver(b) {
			return
		}
		if time.Since(lastSave) >= cursorInterval {
			f.saveCursor()
			lastSave = time.Now()
		}
	}
}

// deliver sends b until the upstream accepts or refuses it for good, and
// acknowledges it in the queue; false when Shutdown came first. A batch
// whose segment was dropped to make room (drop-oldest) while it waited to
// be retried is given up: its records are counted as dropped, and only
// there. One dropped while its send was under way, and accepted, is
// counted as forwarded instead: Dropped.Full counts exactly the records
// the upstream did not get.
func (f *Forwarder) deliver(b *batch) bool {
	bo := newBackoff(f.cfg)
	for {
		if !f.q.atCursor(b) {
			return true // dropped meanwhile, and counted
		}
		f.setState("sending")
		out := f.exp.export(f.sendCtx, b.signal, b.payload)
		if out.err == nil {
			if !f.q.ack(b) {
				f.q.undrop(b) // delivered after all
			}
			f.noteAccepted(b.signal, len(b.payload), b.records, out)
			return true
		}
		if f.sendCtx.Err() != nil {
			return false // abandoned by Shutdown
		}
		if !out.retryable {
			acked := f.q.ack(b) // else dropped meanwhile, and counted then
			f.mu.Lock()
			f.st.Connected, f.st.BackoffUntilUnixNano = out.reached, 0
			if acked {
				f.st.Dropped.Rejected.Records += b.records
				f.st.Dropped.Rejected.Bytes += int64(len(b.payload))
			}
			f.setErrorLocked(fmt.Errorf("dropped %d %s records the upstream refused: %w", b.records, b.signal, out.err))
			f.mu.Unlock()
			return true
		}
		if !f.backOff(bo, out) {
			return false
		}
	}
}

// noteAccepted counts a request of sig (n bytes, records queued records)
// the upstream accepted, and what its partial success refused.
func (f *Forwarder) noteAccepted(sig Signal, n int, records int64, out outcome) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st.Connected, f.st.BackoffUntilUnixNano = true, 0
	f.st.ForwardedRequests++
	f.st.ForwardedRecords += records
	f.st.ForwardedBytes += int64(n)
	if out.rejected > 0 {
		if sig == Logs {
			f.st.UpstreamRejectedLogs += out.rejected
		} else {
			f.st.UpstreamRejectedSpans += out.rejected
		}
		f.setErrorLocked(fmt.Errorf("the upstream refused %d of the %s sent: %s", out.rejected, sig, out.message))
	}
}

// backOff counts a failed attempt that will be retried and waits before
// the retry: the upstream's delay when it gave one, else bo's next; false
// when Shutdown came first.
func (f *Forwarder) backOff(bo *backoff, out outcome) bool {
	wait := bo.next()
	if out.delay > 0 {
		wait = out.delay
	}
	f.mu.Lock()
	f.st.Retries++
	f.st.Connected = out.reached
	f.st.State, f.st.BackoffUntilUnixNano = "backing_off", time.Now().Add(wait).UnixNano()
	f.setErrorLocked(out.err)
	f.mu.Unlock()
	return f.wait(wait)
}

// wait waits d, or until Shutdown (then false).
func (f *Forwarder) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-f.stop:
		return false
	case <-t.C:
		return true
	}
}

func (f *Forwarder) saveCursor() {
	if err := f.q.saveCursor(); err != nil {
		f.noteError(err)
	}
}

func (f *Forwarder) setState(s string) {
	f.mu.Lock()
	f.st.State = s
	if s != "backing_off" {
		f.st.BackoffUntilUnixNano = 0
	}
	f.mu.Unlock()
}

func (f *Forwarder) noteError(err error) {
	f.mu.Lock()
	f.setErrorLocked(err)
	f.mu.Unlock()
}

func (f *Forwarder) setErrorLocked(err error) {
	f.st.LastError, f.st.LastErrorUnixNano = err.Error(), time.Now().UnixNano()
}
