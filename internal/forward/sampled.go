package forward

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/sightline-dev/sightline/internal/sampling"
)

// decideInterval is how often, at most, the sampling forwarder decides
// the complete traces while it reads.
const decideInterval = 100 * time.Millisecond

// defaultHeartbeat is a heartbeat's interval when partial.frequency is
// missing or unreadable (the convention's default).
const defaultHeartbeat = 10 * time.Second

// SamplingStats are the sampling forwarder's counters and state.
type SamplingStats struct {
	// Policies are each policy's decisions, in order, then the
	// default's (the traces no policy decided, kept).
	Policies []sampling.PolicyStats `json:"policies"`
	// BufferedTraces and BufferedSpans are what waits for a decision now.
	BufferedTraces int `json:"buffered_traces"`
	BufferedSpans  int `json:"buffered_spans"`
	// DecidedEarly counts traces decided before they were complete
	// because the buffer held sampling.DefaultMaxSpans spans.
	DecidedEarly int64 `json:"decided_early"`
	// Kept and dropped traces and spans, all policies together.
	KeptTraces    int64 `json:"kept_traces"`
	KeptSpans     int64 `json:"kept_spans"`
	DroppedTraces int64 `json:"dropped_traces"`
	DroppedSpans  int64 `json:"dropped_spans"`
	// RefusedSpans are kept spans the upstream refused for good (not
	// retried).
	RefusedSpans int64 `json:"refused_spans"`
}

// sampler is the sampling forwarder's state, owned by its goroutine.
type sampler struct {
	d    *sampling.Decider
	buf  *sampling.Buffer
	rpos position // where reading goes on, at or after the cursor
	// fifo are the batches read and not yet acknowledged, oldest first;
	// fifo[i] has sequence number base+i.
	fifo   []readBatch
	base   uint64
	traces map[pcommon.TraceID][]uint64 // undecided trace: the batches holding its spans
}

// readBatch is what is kept of a batch read ahead of the cursor.
type readBatch struct {
	start, end position
	records    int64
	payload    int64
	// undecided is the number of traces with spans in it not yet decided.
	undecided int
	// raw batches (logs, and traces that cannot be decoded) are sent as
	// they are: sent once they were.
	raw, sent bool
	logs      bool
}

func newSampler(cfg *sampling.Config) (*sampler, error) {
	d, err := sampling.New(*cfg)
	if err != nil {
		return nil, err
	}
	return &sampler{d: d, buf: sampling.NewBuffer(d, sampling.DefaultMaxSpans), traces: map[pcommon.TraceID][]uint64{}}, nil
}

// runSampled is run when sampling is configured: it reads batches ahead of
// the cursor into the buffer, forwards the traces kept once decided (and
// logs as they are), and moves the cursor past the batches whose traces
// are all decided. Undecided traces are left behind the cursor at
// Shutdown: they are read again and decided after a restart.
func (f *Forwarder) runSampled() {
	defer close(f.done)
	defer f.saveCursor()
	tick := time.NewTicker(decideInterval)
	defer tick.Stop()
	var lastDecide time.Time
	bo := newBackoff(f.cfg)
	for {
		select {
		case <-f.stop:
			return
		default:
		}
		b, err := f.q.readAt(f.smp.rpos, f.cfg.BatchBytes)
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
		if b != nil {
			f.smp.rpos = b.end
			if !f.take(b) {
				return
			}
		}
		if b == nil || time.Since(lastDecide) >= decideInterval {
			if !f.decide(time.Now()) {
				return
			}
			lastDecide = time.Now()
			f.saveCursor()
		}
		if b == nil {
			f.setState("idle")
			select {
			case <-f.stop:
				return
			case <-f.q.notify:
			case <-tick.C:
			}
		}
	}
}

// take adds batch b to the buffer (traces) or forwards it (logs, noting
// the spans they announce open); false when Shutdown came first.
func (f *Forwarder) take(b *batch) bool {
	s := f.smp
	seq := s.base + uint64(len(s.fifo))
	rb := readBatch{start: b.start, end: b.end, records: b.records, payload: int64(len(b.payload)), logs: b.signal == Logs}
	now := time.Now()
	if b.signal == Traces {
		req := ptraceotlp.NewExportRequest()
		if err := req.UnmarshalProto(b.payload); err != nil {
			rb.raw = true // the upstream says what is wrong with it
		} else {
			td := req.Traces()
			s.buf.Add(td, now)
			for _, rs := range td.ResourceSpans().All() {
				for _, ss := range rs.ScopeSpans().All() {
					for _, sp := range ss.Spans().All() {
						in := s.traces[sp.TraceID()]
						if len(in) == 0 || in[len(in)-1] != seq {
							s.traces[sp.TraceID()] = append(in, seq)
							rb.undecided++
						}
					}
				}
			}
		}
	} else {
		rb.raw = true
		req := plogotlp.NewExportRequest()
		if err := req.UnmarshalProto(b.payload); err == nil {
			s.openSpans(req, now)
		}
	}
	s.fifo = append(s.fifo, rb)
	f.publish()
	if !rb.raw {
		return true
	}
	if !f.send(b.signal, b.payload, b.records, 0) {
		return false
	}
	s.fifo[seq-s.base].sent = true
	f.pop()
	return true
}

// openSpans notes the spans announced open by heartbeats in req.
func (s *sampler) openSpans(req plogotlp.ExportRequest, now time.Time) {
	for _, rl := range req.Logs().ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if ev, ok := lr.Attributes().Get("partial.event"); !ok || ev.Str() != "heartbeat" ||
					lr.TraceID().IsEmpty() || lr.SpanID().IsEmpty() {
					continue
				}
				s.buf.Open(lr.TraceID(), lr.SpanID(), heartbeatFrequency(lr.Attributes()), now)
			}
		}
	}
}

// heartbeatFrequency reads partial.frequency: a Go duration ("10000ms")
// or milliseconds; 10s when missing or unreadable.
func heartbeatFrequency(attrs pcommon.Map) time.Duration {
	v, ok := attrs.Get("partial.frequency")
	if !ok {
		return defaultHeartbeat
	}
	var d time.Duration
	switch v.Type() {
	case pcommon.ValueTypeInt:
		d = time.Duration(v.Int()) * time.Millisecond
	default:
		str := strings.TrimSpace(v.AsString())
		var err error
		if d, err = time.ParseDuration(str); err != nil {
			ms, err := strconv.ParseInt(str, 10, 64)
			if err != nil {
				return defaultHeartbeat
			}
			d = time.Duration(ms) * time.Millisecond
		}
	}
	if d <= 0 {
		return defaultHeartbeat
	}
	return min(max(d, 10*time.Millisecond), 24*time.Hour)
}

// decide decides the traces complete at now, forwards those kept and
// acknowledges the batches that are done; false when Shutdown came
// first (nothing decided then is acknowledged: it is decided again after
// a restart).
func (f *Forwarder) decide(now time.Time) bool {
	s := f.smp
	results := s.buf.Decide(now)
	if len(results) == 0 {
		f.publish()
		return true
	}
	var kept, dropped Count // traces and spans
	req := ptrace.NewTraces()
	var reqSpans int64
	var size int
	var m ptrace.ProtoMarshaler
	for _, r := range results {
		if !r.Keep {
			dropped.Records++
			dropped.Bytes += int64(r.Spans)
			continue
		}
		kept.Records++
		kept.Bytes += int64(r.Spans)
		n := m.TracesSize(r.Traces)
		if reqSpans > 0 && int64(size+n) > f.cfg.BatchBytes {
			if !f.sendTraces(req, reqSpans) {
				return false
			}
			req, reqSpans, size = ptrace.NewTraces(), 0, 0
		}
		r.Traces.ResourceSpans().MoveAndAppendTo(req.ResourceSpans())
		reqSpans += int64(r.Spans)
		size += n
	}
	if reqSpans > 0 && !f.sendTraces(req, reqSpans) {
		return false
	}
	for _, r := range results {
		for _, seq := range s.traces[r.ID] {
			if seq >= s.base {
				s.fifo[seq-s.base].undecided--
			}
		}
		delete(s.traces, r.ID)
	}
	f.mu.Lock()
	st := f.st.Sampling
	st.KeptTraces += kept.Records
	st.KeptSpans += kept.Bytes
	st.DroppedTraces += dropped.Records
	st.DroppedSpans += dropped.Bytes
	f.mu.Unlock()
	f.pop()
	return true
}

// sendTraces marshals and sends td, spans spans; false when Shutdown came
// first.
func (f *Forwarder) sendTraces(td ptrace.Traces, spans int64) bool {
	payload, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil { // pdata's marshaler does not fail on valid pdata
		f.noteError(fmt.Errorf("marshal traces kept: %w", err))
		return true
	}
	return f.send(Traces, payload, 0, spans)
}

// pop acknowledges the batches at the front that are done: their traces
// all decided (and sent when kept), or, raw, sent.
func (f *Forwarder) pop() {
	s := f.smp
	for len(s.fifo) > 0 {
		rb := s.fifo[0]
		if rb.undecided > 0 || (rb.raw && !rb.sent) {
			break
		}
		acked := f.q.ackRange(rb.start, rb.end, rb.records, rb.payload)
		f.mu.Lock()
		if acked {
			f.st.ForwardedRecords += rb.records
		}
		f.mu.Unlock()
		if !acked && rb.raw {
			// Dropped to make room after it was read, and sent after all.
			f.q.undropRange(rb.records, rb.payload)
		}
		s.fifo[0] = readBatch{}
		s.fifo = s.fifo[1:]
		s.base++
	}
	f.publish()
}

// publish updates the sampling part of Stats.
func (f *Forwarder) publish() {
	t, n := f.smp.buf.Len()
	f.mu.Lock()
	f.st.Sampling.BufferedTraces, f.st.Sampling.BufferedSpans = t, n
	f.st.Sampling.DecidedEarly = f.smp.buf.Early
	f.mu.Unlock()
}

// send sends payload of sig until the upstream accepts or refuses it for
// good, with the retries of deliver; false when Shutdown came first.
// records are the queued records it is (raw batches), spans the kept
// spans it holds (decided traces).
func (f *Forwarder) send(sig Signal, payload []byte, records, spans int64) bool {
	bo := newBackoff(f.cfg)
	for {
		f.setState("sending")
		out := f.exp.export(f.sendCtx, sig, payload)
		if out.err == nil {
			f.noteAccepted(sig, len(payload), 0, out) // records count when acknowledged (pop)
			return true
		}
		if f.sendCtx.Err() != nil {
			return false // abandoned by Shutdown
		}
		if !out.retryable {
			f.mu.Lock()
			f.st.Connected, f.st.BackoffUntilUnixNano = out.reached, 0
			f.st.Dropped.Rejected.Records += records
			f.st.Dropped.Rejected.Bytes += int64(len(payload))
			f.st.Sampling.RefusedSpans += spans
			f.setErrorLocked(fmt.Errorf("dropped a request of %s the upstream refused: %w", sig, out.err))
			f.mu.Unlock()
			return true
		}
		if !f.backOff(bo, out) {
			return false
		}
	}
}
