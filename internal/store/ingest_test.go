package store

import (
	"context"
	"encoding/hex"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func hexID(id pcommon.TraceID) string { return hex.EncodeToString(id[:]) }

func TestRejectedSpans(t *testing.T) {
	valid := func(sp ptrace.Span) {}
	tests := []struct {
		name    string
		mutate  []func(ptrace.Span)
		want    AppendResult
		spanCnt int64
	}{
		{"all valid", []func(ptrace.Span){valid, valid}, AppendResult{Accepted: 2}, 2},
		{"empty trace id and end before start", []func(ptrace.Span){
			valid,
			func(sp ptrace.Span) { sp.SetTraceID(pcommon.TraceID{}) },
			func(sp ptrace.Span) { sp.SetEndTimestamp(sp.StartTimestamp() - 1) },
		}, AppendResult{Accepted: 1, Rejected: 2, RejectMessage: "2 spans rejected: 1 with an empty trace id, 1 ending before it starts"}, 1},
		{"empty span id", []func(ptrace.Span){func(sp ptrace.Span) { sp.SetSpanID(pcommon.SpanID{}) }},
			AppendResult{Rejected: 1, RejectMessage: "1 span rejected: 1 with an empty span id"}, 0},
		{"two of a kind", []func(ptrace.Span){
			func(sp ptrace.Span) { sp.SetTraceID(pcommon.TraceID{}) },
			func(sp ptrace.Span) { sp.SetTraceID(pcommon.TraceID{}) },
			func(sp ptrace.Span) { sp.SetStartTimestamp(math.MaxUint64) },
		}, AppendResult{Rejected: 3, RejectMessage: "3 spans rejected: 2 with an empty trace id, 1 with a timestamp out of range"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t, Options{})
			td := ptrace.NewTraces()
			spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
			for i, m := range tc.mutate {
				sp := spans.AppendEmpty()
				sp.SetTraceID(traceID(1))
				sp.SetSpanID(spanID(uint64(i)))
				sp.SetStartTimestamp(ts(base))
				sp.SetEndTimestamp(ts(base.Add(time.Second)))
				m(sp)
			}
			if got := mustAppend(t, s, td); got != tc.want {
				t.Errorf("result %+v, want %+v", got, tc.want)
			}
			st, err := s.Stats(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if st.Spans != tc.spanCnt {
				t.Errorf("stored %d spans, want %d", st.Spans, tc.spanCnt)
			}
		})
	}
}

func TestDuplicatesIdempotent(t *testing.T) {
	s := openTest(t, Options{})
	td := loadTraces(rand.New(rand.NewPCG(1, 1)), 0, 20, 10, base)
	first := mustAppend(t, s, td)
	st1, _ := s.Stats(context.Background())
	page1, err := s.Trace(context.Background(), hexID(traceID(3)), Page{})
	if err != nil {
		t.Fatal(err)
	}
	// Again, whole, then concurrently twice (in one transaction or two).
	second := mustAppend(t, s, td)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { mustAppend(t, s, td) })
	}
	wg.Wait()
	if first != second || first.Accepted != 200 {
		t.Errorf("results %+v then %+v", first, second)
	}
	st2, _ := s.Stats(context.Background())
	if st1.Spans != 200 || st1.Traces != 20 || st2.Spans != st1.Spans || st2.Traces != st1.Traces {
		t.Errorf("stats %+v then %+v", st1, st2)
	}
	page2, err := s.Trace(context.Background(), hexID(traceID(3)), Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(page2.Spans) != 10 || page2.Summary.SpanCount != 10 || page1.Summary.DurationNano != page2.Summary.DurationNano {
		t.Errorf("trace after duplicates: %d spans, summary %+v", len(page2.Spans), page2.Summary)
	}
	// A batch duplicating a span within itself stores it once.
	dup := ptrace.NewTraces()
	spans := dup.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for range 2 {
		sp := spans.AppendEmpty()
		sp.SetTraceID(traceID(77))
		sp.SetSpanID(spanID(77))
		sp.SetStartTimestamp(ts(base))
		sp.SetEndTimestamp(ts(base))
	}
	if res := mustAppend(t, s, dup); res.Accepted != 2 {
		t.Errorf("in-batch duplicate: %+v", res)
	}
	if p, err := s.Trace(context.Background(), hexID(traceID(77)), Page{}); err != nil || len(p.Spans) != 1 || p.Summary.SpanCount != 1 {
		t.Errorf("in-batch duplicate stored: %v, %v", p.Summary, err)
	}
}

// blockWriter queues a job that holds the writer until the returned
// function is called.
func blockWriter(t *testing.T, s *Store) func() {
	t.Helper()
	started, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.submit(context.Background(), &request{job: func(*wconn, *txCounts) error {
			close(started)
			<-release
			return nil
		}})
	}()
	<-started
	return func() {
		close(release)
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// waitQueued waits until n requests are queued.
func waitQueued(s *Store, n int) {
	for len(s.queue) < n {
		runtime.Gosched()
	}
}

func TestGroupCommit(t *testing.T) {
	s := openTest(t, Options{})
	const senders, batches = 8, 25
	release := blockWriter(t, s)
	tx0 := s.txs.Load()
	var wg sync.WaitGroup
	for g := range senders {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 9))
			for b := range batches {
				mustAppend(t, s, loadTraces(r, uint64(g*batches+b)*10, 10, 10, base.Add(time.Duration(b)*time.Second)))
			}
		})
	}
	// The first batch of every sender waits behind the blocked writer,
	// and then all of them are committed in one transaction.
	waitQueued(s, senders)
	release()
	wg.Wait()
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(senders * batches * 100); st.Spans != want || st.Traces != want/10 {
		t.Errorf("stored %d spans in %d traces, want %d", st.Spans, st.Traces, want)
	}
	txs := s.txs.Load() - tx0
	if txs >= senders*batches {
		t.Errorf("%d transactions for %d batches: none grouped", txs, senders*batches)
	}
	if g := s.maxGroup.Load(); g < senders {
		t.Errorf("at most %d batches in a transaction; the %d queued behind the blocked writer were not grouped", g, senders)
	}
	t.Logf("%d batches in %d transactions, at most %d in one", senders*batches, txs, s.maxGroup.Load())
	for i := uint64(0); i < senders*batches*10; i += 7 {
		p, err := s.Trace(context.Background(), hexID(traceID(i)), Page{})
		if err != nil || len(p.Spans) != 10 {
			t.Fatalf("trace %d: %d spans, %v", i, len(p.Spans), err)
		}
	}
}

func TestAppendHonoursContext(t *testing.T) {
	s := openTest(t, Options{QueueLength: 1})
	release := blockWriter(t, s)
	defer release()
	td := loadTraces(rand.New(rand.NewPCG(1, 1)), 0, 1, 1, base)
	// Fill the queue's one slot; the next Append cannot be queued.
	go func() { _, _ = s.AppendTraces(context.Background(), td) }()
	waitQueued(s, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.AppendTraces(ctx, td); !errors.Is(err, context.Canceled) {
		t.Errorf("append with a canceled context while the queue is full: %v", err)
	}
}

func TestClose(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir(), Options{QueueLength: 16})
	if err != nil {
		t.Fatal(err)
	}
	release := blockWriter(t, s)
	// Queued batches are committed by Close, and their callers get
	// results.
	results := make(chan error, 4)
	for i := range 4 {
		go func() {
			_, err := s.AppendTraces(context.Background(), loadTraces(rand.New(rand.NewPCG(1, 1)), uint64(i)*10, 10, 2, base))
			results <- err
		}()
	}
	waitQueued(s, 4)
	closed := make(chan error)
	go func() { closed <- s.Close(context.Background()) }()
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if err := <-results; err != nil {
			t.Errorf("queued append: %v", err)
		}
	}
	if err := s.Close(context.Background()); err != nil {
		t.Errorf("second close: %v", err)
	}
	if _, err := s.AppendTraces(context.Background(), fullTraces()); !errors.Is(err, ErrClosed) {
		t.Errorf("append after close: %v", err)
	}
	if _, err := s.SearchTraces(context.Background(), TraceQuery{}); !errors.Is(err, ErrClosed) {
		t.Errorf("search after close: %v", err)
	}
	s2, err := Open(context.Background(), s.Dir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close(context.Background())
	if st, _ := s2.Stats(context.Background()); st.Spans != 80 {
		t.Errorf("after close and reopen: %d spans, want 80", st.Spans)
	}
}

func TestOpenLocked(t *testing.T) {
	s := openTest(t, Options{})
	if s2, err := Open(context.Background(), s.Dir(), Options{}); err == nil {
		s2.Close(context.Background())
		t.Fatal("a second store opened the same directory")
	} else if want := "in use by another store"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q lacks %q", err, want)
	}
}

// TestLateRoot appends a trace's children first and its root later (as an
// SDK's batch processor does): the summary's start moves earlier, and
// searches by service and span name see the new start.
func TestLateRoot(t *testing.T) {
	s := openTest(t, Options{})
	td := loadTraces(rand.New(rand.NewPCG(1, 1)), 0, 1, 6, base)
	children, root := ptrace.NewTraces(), ptrace.NewTraces()
	td.CopyTo(children)
	td.CopyTo(root)
	onlyRoot := func(keep bool) func(ptrace.Span) bool {
		return func(sp ptrace.Span) bool { return sp.ParentSpanID().IsEmpty() != keep }
	}
	for _, x := range []struct {
		td   ptrace.Traces
		keep bool
	}{{children, false}, {root, true}} {
		rss := x.td.ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			rss.At(i).ScopeSpans().At(0).Spans().RemoveIf(onlyRoot(x.keep))
		}
	}
	mustAppend(t, s, children)
	sum1, err := s.SearchTraces(context.Background(), TraceQuery{Service: "orders"})
	if err != nil || len(sum1.Traces) != 1 || sum1.Traces[0].RootName != "" {
		t.Fatalf("before the root: %+v, %v", sum1, err)
	}
	mustAppend(t, s, root)
	for _, q := range []TraceQuery{{Service: "orders"}, {Service: "frontend", SpanName: "GET /api/v1/orders/{id}"}, {}} {
		got, err := s.SearchTraces(context.Background(), q)
		if err != nil || len(got.Traces) != 1 {
			t.Fatalf("%+v: %+v, %v", q, got, err)
		}
		tr := got.Traces[0]
		if tr.StartUnixNano != base.UnixNano() || tr.RootName != "GET /api/v1/orders/{id}" || tr.RootService != "frontend" || tr.SpanCount != 6 {
			t.Errorf("%+v: %+v", q, tr)
		}
		// The time range sees the new start too.
		q.Start, q.End = base, base.Add(time.Nanosecond)
		if got, err := s.SearchTraces(context.Background(), q); err != nil || len(got.Traces) != 1 {
			t.Errorf("%+v: %+v, %v", q, got, err)
		}
	}
}

// TestCloseContextEnds: when Close's context ends before the queue is
// drained, the batches still queued fail with ErrClosed, and Close still
// leaves nothing running.
func TestCloseContextEnds(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	release := blockWriter(t, s)
	results := make(chan error, 3)
	for i := range 3 {
		go func() {
			_, err := s.AppendTraces(context.Background(), loadTraces(rand.New(rand.NewPCG(1, 1)), uint64(i), 1, 1, base))
			results <- err
		}()
	}
	waitQueued(s, 3)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	closed := make(chan error)
	go func() { closed <- s.Close(ctx) }()
	for !s.aborted() {
		runtime.Gosched()
	}
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := <-results; !errors.Is(err, ErrClosed) {
			t.Errorf("queued append after Close's context ended: %v", err)
		}
	}
}
