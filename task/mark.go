package task

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// attemptMark is the pending mark of a running attempt (see markAttempt).
// Marks are pooled with their timer, so that marking an attempt later,
// which every traced attempt on NATS arranges, allocates nothing.
type attemptMark struct {
	timer *time.Timer    // runs fire; made once, reset for each attempt
	wg    sync.WaitGroup // done when fire has run, or the timer stopped before

	e       *executor
	ctx     context.Context // the CONSUMER span's
	sc      trace.SpanContext
	fs      *fnSpans
	req     *request
	attempt int
	earlier []attemptRecord
	start   time.Time
}

var attemptMarks = sync.Pool{New: func() any {
	m := new(attemptMark)
	m.timer = time.AfterFunc(time.Hour, m.fire)
	m.timer.Stop()
	return m
}}

// markAttempt leaves the marks of a running attempt that outlive a worker
// killed during it: the attempt's record in the attempt bucket (so that a
// later attempt links to this one's CONSUMER span) and the zero-length
// span "<function> task.start", a child of that CONSUMER span, which is
// exported at once, while the CONSUMER span of a killed attempt never is.
// Both are made when the attempt has run for the mark delay (at once when
// it is 0) and are stamped with its start; an attempt that ends sooner
// needs neither, since its CONSUMER span is exported. The returned mark's
// unmark cancels marks not made yet and waits for one being made (nil when
// they are made already).
func (e *executor) markAttempt(ctx context.Context, fs *fnSpans, req *request, attempt int, earlier []attemptRecord) *attemptMark {
	m := attemptMarks.Get().(*attemptMark)
	m.e, m.ctx, m.sc, m.fs, m.req, m.attempt, m.earlier = e, ctx, trace.SpanContextFromContext(ctx), fs, req, attempt, earlier
	m.start = time.Now()
	if e.markDelay <= 0 {
		m.mark()
		m.release()
		return nil
	}
	m.wg.Add(1)
	m.timer.Reset(e.markDelay)
	return m
}

func (m *attemptMark) fire() {
	defer m.wg.Done()
	m.mark()
}

// mark makes the task.start span and the attempt record.
func (m *attemptMark) mark() {
	e := m.e
	// The span first: with a synchronous span processor it is exported
	// once the record can be read.
	_, s := e.tracer.Start(m.ctx, m.fs.start, trace.WithTimestamp(m.start))
	if s.IsRecording() {
		buf := getAttrBuf()
		*buf = e.appendAttemptAttrs(*buf, m.fs, m.req, m.attempt)
		s.SetAttributes(*buf...)
		putAttrBuf(buf)
	}
	s.End(trace.WithTimestamp(m.start))
	e.attempts.record(m.req.id, m.earlier, e.newRecord(m.attempt, m.sc, m.start))
}

// unmark cancels the marks when the timer has not fired yet, else waits
// for them to be made, then returns m to the pool: m must not be used
// after. A nil m does nothing.
func (m *attemptMark) unmark() {
	if m == nil {
		return
	}
	if m.timer.Stop() {
		m.wg.Done()
	} else {
		m.wg.Wait()
	}
	m.release()
}

// release forgets the attempt (the mark keeps no value alive) and returns
// m to the pool.
func (m *attemptMark) release() {
	m.e, m.ctx, m.sc, m.fs, m.req, m.earlier = nil, nil, trace.SpanContext{}, nil, nil, nil
	m.start = time.Time{}
	attemptMarks.Put(m)
}
