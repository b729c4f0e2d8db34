package sightlinetest

import (
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Span is one received span with the resource and instrumentation scope it
// was sent with. All fields are copies owned by the receiver, valid for as
// long as the test needs them; treat them as read-only. Spans of one request
// that share a resource (or scope) share one copy of it.
type Span struct {
	ptrace.Span
	Resource pcommon.Resource
	Scope    pcommon.InstrumentationScope
	// Transport is TransportGRPC or TransportHTTP.
	Transport string
}

// LogRecord is one received log record with the resource and
// instrumentation scope it was sent with. Like [Span], it is a read-only
// copy owned by the receiver.
type LogRecord struct {
	plog.LogRecord
	Resource pcommon.Resource
	Scope    pcommon.InstrumentationScope
	// Transport is TransportGRPC or TransportHTTP.
	Transport string
}

// store keeps what the receiver got and wakes up waiters on every receipt.
type store struct {
	mu    sync.Mutex
	spans []Span
	logs  []LogRecord
	// changed is closed and replaced each time data arrives, waking every
	// goroutine blocked in wait.
	changed chan struct{}
}

func (s *store) init() { s.changed = make(chan struct{}) }

// notifyLocked wakes every waiter. s.mu must be held.
func (s *store) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// addTraces copies every span of td, flattened, into the store.
func (s *store) addTraces(td ptrace.Traces, transport string) {
	var out []Span
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		rs := rss.At(i)
		res := pcommon.NewResource()
		rs.Resource().CopyTo(res)
		sss := rs.ScopeSpans()
		for j := range sss.Len() {
			ss := sss.At(j)
			scope := pcommon.NewInstrumentationScope()
			ss.Scope().CopyTo(scope)
			spans := ss.Spans()
			for k := range spans.Len() {
				sp := ptrace.NewSpan()
				spans.At(k).CopyTo(sp)
				out = append(out, Span{Span: sp, Resource: res, Scope: scope, Transport: transport})
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spans = append(s.spans, out...)
	s.notifyLocked()
}

// addLogs copies every log record of ld, flattened, into the store.
func (s *store) addLogs(ld plog.Logs, transport string) {
	var out []LogRecord
	rls := ld.ResourceLogs()
	for i := range rls.Len() {
		rl := rls.At(i)
		res := pcommon.NewResource()
		rl.Resource().CopyTo(res)
		sls := rl.ScopeLogs()
		for j := range sls.Len() {
			sl := sls.At(j)
			scope := pcommon.NewInstrumentationScope()
			sl.Scope().CopyTo(scope)
			recs := sl.LogRecords()
			for k := range recs.Len() {
				lr := plog.NewLogRecord()
				recs.At(k).CopyTo(lr)
				out = append(out, LogRecord{LogRecord: lr, Resource: res, Scope: scope, Transport: transport})
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logs = append(s.logs, out...)
	s.notifyLocked()
}

func (s *store) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spans = nil
	s.logs = nil
}

func (s *store) spanList() []Span {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.spans)
}

func (s *store) logList() []LogRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.logs)
}

// wait blocks until count (called with s.mu held) reaches n or timeout
// passes. It sleeps on the changed channel, never polls.
func (s *store) wait(n int, timeout time.Duration, count func() int) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if count() >= n {
			s.mu.Unlock()
			return
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			return
		}
	}
}

// Spans returns every span received so far, in arrival order.
func (r *Receiver) Spans() []Span { return r.sink.spanList() }

// SpanNames returns the names of every span received so far, in arrival
// order.
func (r *Receiver) SpanNames() []string {
	spans := r.sink.spanList()
	names := make([]string, len(spans))
	for i, s := range spans {
		names[i] = s.Name()
	}
	return names
}

// SpansNamed returns the received spans called name, in arrival order.
func (r *Receiver) SpansNamed(name string) []Span {
	var out []Span
	for _, s := range r.sink.spanList() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// Logs returns every log record received so far, in arrival order.
func (r *Receiver) Logs() []LogRecord { return r.sink.logList() }

// WaitForSpans blocks until at least n spans have been received or timeout
// has passed, and returns the spans received by then (possibly fewer than
// n).
func (r *Receiver) WaitForSpans(n int, timeout time.Duration) []Span {
	r.sink.wait(n, timeout, func() int { return len(r.sink.spans) })
	return r.sink.spanList()
}

// WaitForLogs blocks until at least n log records have been received or
// timeout has passed, and returns the records received by then (possibly
// fewer than n).
func (r *Receiver) WaitForLogs(n int, timeout time.Duration) []LogRecord {
	r.sink.wait(n, timeout, func() int { return len(r.sink.logs) })
	return r.sink.logList()
}

// RequireSpans is [Receiver.WaitForSpans] that fails the test given to
// [NewReceiver], naming the spans received, when fewer than n arrive within
// timeout. Like t.Fatal, call it only from the test's goroutine.
func (r *Receiver) RequireSpans(n int, timeout time.Duration) []Span {
	r.t.Helper()
	spans := r.WaitForSpans(n, timeout)
	if len(spans) < n {
		names := make([]string, len(spans))
		for i, s := range spans {
			names[i] = s.Name()
		}
		r.t.Fatalf("sightlinetest: want at least %d spans within %v, got %d: %q", n, timeout, len(spans), names)
	}
	return spans
}

// RequireLogs is [Receiver.WaitForLogs] that fails the test given to
// [NewReceiver], quoting the bodies received, when fewer than n log records
// arrive within timeout. Like t.Fatal, call it only from the test's
// goroutine.
func (r *Receiver) RequireLogs(n int, timeout time.Duration) []LogRecord {
	r.t.Helper()
	logs := r.WaitForLogs(n, timeout)
	if len(logs) < n {
		bodies := make([]string, len(logs))
		for i, l := range logs {
			bodies[i] = l.Body().AsString()
		}
		r.t.Fatalf("sightlinetest: want at least %d log records within %v, got %d: %q", n, timeout, len(logs), bodies)
	}
	return logs
}
