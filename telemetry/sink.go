package telemetry

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sightline-dev/sightline/telemetry/internal/ratelog"
)

// Batch settings of every batch processor sightline builds. The SDK's
// OTEL_BSP_* and OTEL_BLRP_* variables are not read: these are fixed so the
// queue bound that sightline counts drops against is known. The export
// timeouts are configurable (Config.TracesExportTimeout, LogsExportTimeout,
// SyncExportTimeout).
const (
	batchQueueSize = 2048
	batchSize      = 512
	batchDelay     = time.Second
)

// sinkBase is what span and log sinks share: the endpoint, the counters,
// the health, the queue bound and the reference count.
//
// A sink is one endpoint's exporter and processor. Every pipeline generation
// that includes the endpoint uses the same sink, so counters and health
// survive reconfiguration and a span is exported once per endpoint current at
// its start. The component's mutex guards refs.
type sinkBase struct {
	signal    Signal
	ep        Endpoint
	processor string // "simple" or "batch"
	target    string // how diagnostics name the endpoint
	diag      *ratelog.Log
	refs      int

	// queueCap bounds what the batch processor holds (0 for simple); pending
	// counts items handed to the processor and not yet handed to the
	// exporter. An item that would take pending past queueCap is dropped and
	// counted here, so the SDK's queue never overflows unseen.
	queueCap int64
	pending  atomic.Int64

	queued, exported, failed, dropped atomic.Uint64
	// totals are the component's counters for the signal, which outlive
	// the sink.
	totals *signalTotals

	// aborted ends every export in flight and drops later ones. It fires
	// when a flush takes longer than its limit or the component's Shutdown
	// context ends, so no export goroutine outlives Shutdown.
	aborted   context.Context
	abort     context.CancelFunc
	isAborted atomic.Bool // set with abort; cheaper to read than aborted.Err()

	failing atomic.Bool  // mirrors !failingSince.IsZero(), read without the lock
	lastOK  atomic.Int64 // unix nanoseconds of the last successful batch export

	// timeout bounds one network export (the sync or the batch timeout).
	timeout time.Duration
	// brk is the breaker of a simple processor with a network endpoint
	// (nil otherwise): once an export fails, no export runs in the
	// caller's goroutine until a background probe succeeds.
	brk interface{ close() }

	mu           sync.Mutex
	failingSince time.Time
	lastErr      string
}

// admit reserves queue room for n items; false means drop them (counted).
// A simple processor has no queue: it does not count here (its queued count
// is what it exported, failed and dropped, summed in status).
func (s *sinkBase) admit(n int64) bool {
	if s.queueCap == 0 {
		return true
	}
	s.queued.Add(uint64(n)) // dropped or not: Queued = Exported + Failed + Dropped + Pending
	if s.pending.Add(n) > s.queueCap {
		s.pending.Add(-n)
		s.drop(int(n))
		return false
	}
	return true
}

// beginExport is called by the exporter wrapper with the batch size; false
// means the sink is aborted and the batch is dropped (counted).
func (s *sinkBase) beginExport(n int) bool {
	if s.queueCap > 0 {
		s.pending.Add(-int64(n))
	}
	if s.isAborted.Load() {
		s.drop(n)
		return false
	}
	return true
}

// refuse drops n items the sink admitted but can no longer export (its
// processor is shut down): they leave the queue, counted as dropped.
func (s *sinkBase) refuse(n int) {
	s.pending.Add(-int64(n))
	s.drop(n)
}

// drop counts n items dropped.
func (s *sinkBase) drop(n int) {
	s.dropped.Add(uint64(n))
	s.totals.dropped.Add(uint64(n))
}

// endExport records the outcome of an export of n items.
func (s *sinkBase) endExport(n int, err error) {
	if err == nil {
		// The success path is atomics only: with a simple processor it runs
		// for every span.
		s.exported.Add(uint64(n))
		s.totals.exported.Add(uint64(n))
		if s.queueCap > 0 {
			s.lastOK.Store(time.Now().UnixNano())
		}
		if s.failing.Load() {
			s.mu.Lock()
			s.recoveredLocked()
			s.mu.Unlock()
			s.diag.ExportSucceeded(s.target)
		}
		return
	}
	s.failed.Add(uint64(n))
	s.totals.failed.Add(uint64(n))
	s.mu.Lock()
	s.failedLocked(err)
	s.mu.Unlock()
	s.diag.ExportFailed(s.target, err)
}

// failedLocked marks the sink failing (since now, unless it already was)
// with err as its last error. s.mu held.
func (s *sinkBase) failedLocked(err error) {
	if s.failingSince.IsZero() {
		s.failingSince = time.Now()
		s.failing.Store(true)
	}
	s.lastErr = err.Error()
}

// recoveredLocked marks the sink ok. s.mu held.
func (s *sinkBase) recoveredLocked() {
	s.failingSince = time.Time{}
	s.failing.Store(false)
}

// signalTotals are a component's export counters for one signal, summed
// over its endpoints (an item sent to two endpoints counts twice).
type signalTotals struct {
	exported, failed, dropped atomic.Uint64
}

// EndpointStatus is the health and counters of one endpoint.
type EndpointStatus struct {
	Signal    Signal   `json:"signal"`
	Endpoint  Endpoint `json:"endpoint"`
	Processor string   `json:"processor"`
	// State is "ok" (last export succeeded, or none yet) or "failing".
	State        string     `json:"state"`
	FailingSince *time.Time `json:"failing_since,omitempty"`
	LastError    string     `json:"last_error,omitempty"`
	// LastSuccess is the time of the last successful export of a batch
	// processor (simple processors do not stamp every span).
	LastSuccess *time.Time `json:"last_success,omitempty"`
	// Queued items were handed to the processor; Exported were accepted by
	// the endpoint; Failed were lost to export errors; Dropped were refused
	// because the queue was full, or the endpoint was failing (a simple
	// processor's), or the endpoint was shut down; Pending wait in the
	// queue, or (simple processor, failing endpoint) are the batch kept to
	// probe the endpoint with. Queued = Exported + Failed + Dropped + Pending
	// once nothing is in flight.
	Queued   uint64 `json:"queued"`
	Exported uint64 `json:"exported"`
	Failed   uint64 `json:"failed"`
	Dropped  uint64 `json:"dropped"`
	Pending  int64  `json:"pending"`
	// Active is false for an endpoint that is no longer configured but still
	// drains spans started before it was removed.
	Active bool `json:"active"`
}

func (s *sinkBase) status(active bool) EndpointStatus {
	st := EndpointStatus{
		Signal: s.signal, Endpoint: s.ep, Processor: s.processor, State: "ok",
		Queued: s.queued.Load(), Exported: s.exported.Load(), Failed: s.failed.Load(),
		Dropped: s.dropped.Load(), Pending: max(s.pending.Load(), 0), Active: active,
	}
	if s.queueCap == 0 {
		st.Queued = st.Exported + st.Failed + st.Dropped + uint64(st.Pending)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.failingSince.IsZero() {
		since := s.failingSince
		st.State, st.FailingSince, st.LastError = "failing", &since, s.lastErr
	}
	if ns := s.lastOK.Load(); ns != 0 {
		ok := time.Unix(0, ns)
		st.LastSuccess = &ok
	}
	return st
}

// cancel aborts the sink's exports.
func (s *sinkBase) cancel() {
	s.isAborted.Store(true)
	s.abort()
}

// exportContext is ctx bounded by the sink's timeout and also ended when
// the sink is aborted. Only network exports can block long enough to need
// it; the others skip its cost.
func (s *sinkBase) exportContext(ctx context.Context) (context.Context, func()) {
	if !isNetwork(s.ep) {
		return ctx, func() {}
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	stop := context.AfterFunc(s.aborted, cancel)
	return ctx, func() { stop(); cancel() }
}

// shutdown flushes and stops the sink's processor. Exports still running
// after limit are aborted, so shutdown returns soon after limit at the
// latest, with the processor's goroutines and the breaker's prober gone.
func (s *sinkBase) shutdown(limit time.Duration, procShutdown func(context.Context) error) error {
	t := time.AfterFunc(limit, s.cancel)
	defer t.Stop()
	defer s.cancel()
	if s.brk != nil {
		// A simple processor holds nothing to flush but the breaker's probe
		// batch, which is dropped (counted) with the prober stopped.
		s.brk.close()
	}
	// The processor waits for its own goroutine only while its context
	// lives; the abort above bounds how long that takes.
	return procShutdown(context.Background())
}

// shutdownWithin runs f with a deadline, so a hung step cannot hold a
// reconfiguration or a shutdown forever.
func shutdownWithin(ctx context.Context, d time.Duration, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return f(ctx)
}
