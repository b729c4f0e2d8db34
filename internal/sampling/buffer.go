package sampling

import (
	"container/heap"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// DefaultMaxSpans bounds the spans a Buffer holds undecided.
const DefaultMaxSpans = 1_000_000

// Buffer holds the spans of each trace until the trace is complete, then
// decides it: a trace is complete DecisionWait after its last span
// arrived, once none of its spans is open (announced in flight and not yet
// finished, and heard from within three of its heartbeat intervals: a
// span whose process died stops holding its trace back when it would be
// marked lost). Bounded: past maxSpans, the traces whose last span came
// earliest are decided at once (counted in Early). A Buffer is not safe
// for concurrent use; its owner serialises calls.
type Buffer struct {
	d        *Decider
	wait     time.Duration
	maxSpans int
	traces   map[pcommon.TraceID]*pending
	due      dueHeap
	spans    int
	// Early counts traces decided before they were complete because the
	// buffer was full.
	Early int64
}

// pending is an undecided trace.
type pending struct {
	id    pcommon.TraceID
	sum   Summary
	td    ptrace.Traces
	open  map[pcommon.SpanID]time.Time // open spans: until when they hold the trace back
	last  time.Time                    // when its latest span or announcement arrived
	index int                          // in the heap
}

// Result is a decided trace and its spans.
type Result struct {
	Decision
	ID     pcommon.TraceID
	Traces ptrace.Traces
	Spans  int
	Early  bool // decided because the buffer was full
}

// NewBuffer makes a Buffer deciding with d; maxSpans <= 0 means
// DefaultMaxSpans.
func NewBuffer(d *Decider, maxSpans int) *Buffer {
	if maxSpans <= 0 {
		maxSpans = DefaultMaxSpans
	}
	return &Buffer{d: d, wait: d.DecisionWait(), maxSpans: maxSpans, traces: map[pcommon.TraceID]*pending{}}
}

// Len returns the traces and spans held.
func (b *Buffer) Len() (traces, spans int) { return len(b.traces), b.spans }

// get returns trace id's pending entry, made if missing, its arrival
// time moved to now.
func (b *Buffer) get(id pcommon.TraceID, now time.Time) *pending {
	p := b.traces[id]
	if p == nil {
		p = &pending{id: id, td: ptrace.NewTraces(), last: now}
		b.traces[id] = p
		heap.Push(&b.due, p)
		return p
	}
	p.last = now
	heap.Fix(&b.due, p.index)
	return p
}

// Add takes finished spans received at now. A span announced open before
// stops holding its trace back.
func (b *Buffer) Add(td ptrace.Traces, now time.Time) {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				p := b.get(sp.TraceID(), now)
				b.d.Add(&p.sum, rs.Resource(), sp)
				delete(p.open, sp.SpanID())
				// One resource and scope per span: simple, and the
				// forwarder's batches merge them anyway.
				nrs := p.td.ResourceSpans().AppendEmpty()
				rs.Resource().CopyTo(nrs.Resource())
				nrs.SetSchemaUrl(rs.SchemaUrl())
				nss := nrs.ScopeSpans().AppendEmpty()
				ss.Scope().CopyTo(nss.Scope())
				nss.SetSchemaUrl(ss.SchemaUrl())
				sp.CopyTo(nss.Spans().AppendEmpty())
				b.spans++
			}
		}
	}
}

// Open notes span of trace id announced open at now, heard every
// frequency: it holds its trace back until it finishes or three
// frequencies pass without another announcement.
func (b *Buffer) Open(id pcommon.TraceID, span pcommon.SpanID, frequency time.Duration, now time.Time) {
	p := b.get(id, now)
	if p.open == nil {
		p.open = map[pcommon.SpanID]time.Time{}
	}
	p.open[span] = now.Add(3 * frequency)
}

// Decide decides the traces complete at now, and, while more than
// maxSpans are held, the traces whose last span came earliest.
func (b *Buffer) Decide(now time.Time) []Result {
	var out []Result
	var later []*pending // complete by time, held back by open spans
	for b.due.Len() > 0 {
		p := b.due[0]
		full := b.spans > b.maxSpans
		if !full && p.last.Add(b.wait).After(now) {
			break
		}
		heap.Pop(&b.due)
		if !full && p.holds(now) {
			later = append(later, p)
			continue
		}
		if r := b.decide(p, now, full); r.Spans > 0 { // announced spans only: nothing to forward
			out = append(out, r)
		}
	}
	for _, p := range later { // back in, as if heard now: they are looked at again after a wait
		p.last = now
		heap.Push(&b.due, p)
	}
	return out
}

// holds reports whether an open span holds p back at now.
func (p *pending) holds(now time.Time) bool {
	for id, until := range p.open {
		if until.After(now) {
			return true
		}
		delete(p.open, id)
	}
	return false
}

func (b *Buffer) decide(p *pending, now time.Time, early bool) Result {
	delete(b.traces, p.id)
	n := p.td.SpanCount()
	if n == 0 {
		return Result{ID: p.id}
	}
	b.spans -= n
	if early {
		b.Early++
	}
	return Result{Decision: b.d.Decide(&p.sum, now), ID: p.id, Traces: p.td, Spans: n, Early: early}
}

// dueHeap orders pending traces by their last arrival.
type dueHeap []*pending

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].last.Before(h[j].last) }
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *dueHeap) Push(x any) {
	p := x.(*pending)
	p.index = len(*h)
	*h = append(*h, p)
}
func (h *dueHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return p
}
