package store

import (
	"context"
	"encoding/hex"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/store/announcetest"
)

// fakeClock is a store's clock in tests: it moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// flight is a store with a fake clock whose lost passes the test runs
// (markLost), on one trace (traceID(1)) of spans numbered from 1: span n
// has id spanID(n), the parent spanID(1) (none for span 1), the name
// "span-n", starts at base + n ms and, finished, lasts a second.
type flight struct {
	t    *testing.T
	dir  string
	opts Options
	clk  *fakeClock
	s    *Store
}

func newFlight(t *testing.T, opts Options) *flight {
	t.Helper()
	f := &flight{t: t, dir: t.TempDir(), opts: opts, clk: &fakeClock{t: base.Add(time.Hour)}}
	f.open()
	t.Cleanup(func() {
		if err := f.s.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return f
}

func (f *flight) open() {
	f.t.Helper()
	s, err := open(context.Background(), f.dir, f.opts, seams{now: f.clk.now, manualLost: true})
	if err != nil {
		f.t.Fatal(err)
	}
	f.s = s
}

// restart closes the store and opens it again (same clock).
func (f *flight) restart() {
	f.t.Helper()
	if err := f.s.Close(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	f.open()
}

var flightTrace = traceID(1)

// spanTD is span n of the trace as one-span traces; finished gives it its
// end.
func spanTD(n int, finished bool, attrs ...string) ptrace.Traces {
	var parent pcommon.SpanID
	if n != 1 {
		parent = spanID(1)
	}
	start := base.Add(time.Duration(n) * time.Millisecond)
	var end time.Time
	if finished {
		end = start.Add(time.Second)
	}
	td := announcetest.Span("scanner", flightTrace, spanID(uint64(n)), parent, "span-"+strconv.Itoa(n), start, end)
	sp := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
	for i := 0; i+1 < len(attrs); i += 2 {
		sp.Attributes().PutStr(attrs[i], attrs[i+1])
	}
	return td
}

// heartbeat announces span n open with interval freq, emitted at the
// clock's time plus skew, with attrs (key, value, ...).
func (f *flight) heartbeat(n int, freq, skew time.Duration, attrs ...string) {
	f.t.Helper()
	f.appendLogs(announcetest.Heartbeat(spanTD(n, false, attrs...), freq, f.clk.now().Add(skew)))
}

// stop announces span n ended (the stop record carries it finished).
func (f *flight) stop(n int) {
	f.t.Helper()
	f.appendLogs(announcetest.Stop(spanTD(n, true), f.clk.now()))
}

// finish stores span n finished through the traces signal.
func (f *flight) finish(n int) {
	f.t.Helper()
	mustAppend(f.t, f.s, spanTD(n, true))
}

func (f *flight) appendLogs(ld plog.Logs) AppendResult {
	f.t.Helper()
	res, err := f.s.AppendLogs(context.Background(), ld)
	if err != nil {
		f.t.Fatal(err)
	}
	if res.Rejected != 0 {
		f.t.Fatalf("rejected: %s", res.RejectMessage)
	}
	return res
}

// pass runs a lost pass at the clock's time.
func (f *flight) pass() int {
	f.t.Helper()
	n, err := f.s.markLost(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// page returns the whole trace as one page.
func (f *flight) page() TracePage {
	f.t.Helper()
	p, err := f.s.Trace(context.Background(), hexID(flightTrace), Page{Limit: maxSpanLimit})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// span returns span n of the trace, failing if it is not stored once.
func (f *flight) span(n int) Span {
	f.t.Helper()
	id := hexSpan(spanID(uint64(n)))
	var found []Span
	for _, sp := range f.page().Spans {
		if sp.SpanID == id {
			found = append(found, sp)
		}
	}
	if len(found) != 1 {
		f.t.Fatalf("span %d stored %d times", n, len(found))
	}
	return found[0]
}

func hexSpan(id pcommon.SpanID) string { return hex.EncodeToString(id[:]) }

func (f *flight) stats() Stats {
	f.t.Helper()
	st, err := f.s.Stats(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}
