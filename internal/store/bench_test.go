package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAppendTraces is the ingest load of `sightline serve`'s target:
// 4 concurrent senders of 1,000-span requests (100 traces of 10 spans,
// 8 attributes each). One op is one request. It reports spans/s durably
// committed and the database file's bytes per span after Close.
func BenchmarkAppendTraces(b *testing.B) { appendTracesLoad(b, 0) }

// appendTracesLoad runs BenchmarkAppendTraces's load, with heartbeats
// heartbeats/s of open spans beside it (bench_inflight_test.go) when not
// 0.
func appendTracesLoad(b *testing.B, heartbeats int) {
	const senders, traces, spansPer = 4, 100, 10
	dir := b.TempDir()
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	stopBeats := beside(b, s, heartbeats)
	for g := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			td := loadTraces(r, 0, traces, spansPer, base)
			var last int64
			for {
				n := next.Add(1) - 1
				if n >= int64(b.N) {
					return
				}
				// Request n is the traces started in the n-th 100ms.
				relabel(td, uint64(n)*traces, time.Duration(n-last)*100*time.Millisecond)
				last = n
				res, err := s.AppendTraces(context.Background(), td)
				if err != nil || res.Accepted != traces*spansPer {
					b.Errorf("append: %+v, %v", res, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopBeats(elapsed)
	b.StopTimer()
	spans := float64(b.N * traces * spansPer)
	b.ReportMetric(spans/elapsed.Seconds(), "spans/s")
	b.ReportMetric(float64(s.txs.Load())/float64(b.N), "tx/op")
	if st, err := s.Stats(context.Background()); err != nil || st.Spans != int64(spans) {
		b.Fatalf("stored %d spans (%v), want %d", st.Spans, err, int64(spans))
	}
	if err := s.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(fi.Size())/spans, "disk-B/span")
}

// bigTrace stores one trace of n spans (the benchmark's span shape) and
// returns its id.
func bigTrace(b *testing.B, s *Store, n int) string {
	b.Helper()
	td := loadTraces(rand.New(rand.NewPCG(7, 7)), 0, 1, n, base)
	res, err := s.AppendTraces(context.Background(), td)
	if err != nil || res.Accepted != n {
		b.Fatalf("append: %+v, %v", res, err)
	}
	return hexID(traceID(0))
}

// BenchmarkTraceFetch10k fetches a whole 10,000-span trace in one page,
// as the viewer does (target: < 100 ms).
func BenchmarkTraceFetch10k(b *testing.B) {
	s := openTest(b, Options{})
	id := bigTrace(b, s, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, err := s.Trace(context.Background(), id, Page{Limit: 10000})
		if err != nil || len(p.Spans) != 10000 {
			b.Fatalf("%d spans, %v", len(p.Spans), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/fetch")
}

// BenchmarkTraceOTLP10k fetches a 10,000-span trace as pdata (OTLP
// download, Tempo's endpoint).
func BenchmarkTraceOTLP10k(b *testing.B) {
	s := openTest(b, Options{})
	id := bigTrace(b, s, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		td, err := s.TraceOTLP(context.Background(), id)
		if err != nil || td.SpanCount() != 10000 {
			b.Fatalf("%d spans, %v", td.SpanCount(), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/fetch")
}

// BenchmarkTraceOTLPProto10k fetches a 10,000-span trace as OTLP
// protobuf (Tempo's endpoint for Grafana), written without pdata.
func BenchmarkTraceOTLPProto10k(b *testing.B) {
	s := openTest(b, Options{})
	id := bigTrace(b, s, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, err := s.TraceOTLPProto(context.Background(), id)
		if err != nil || len(p) < 10000*100 {
			b.Fatalf("%d bytes, %v", len(p), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/fetch")
}

// BenchmarkTraceFirstPage100k fetches the first page (1,000 spans) of a
// 100,000-span trace (target: < 100 ms).
func BenchmarkTraceFirstPage100k(b *testing.B) {
	s := openTest(b, Options{})
	id := bigTrace(b, s, 100000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, err := s.Trace(context.Background(), id, Page{})
		if err != nil || len(p.Spans) != 1000 || p.Cursor == "" {
			b.Fatalf("%d spans, %v", len(p.Spans), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/fetch")
}

// BenchmarkTraceOTLPWide fetches as pdata a trace of one span with 10,000
// and with 100,000 attributes: the time per attribute stays flat (linear
// decoding; building the map key by key was quadratic).
func BenchmarkTraceOTLPWide(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("attrs=%d", n), func(b *testing.B) {
			s := openTest(b, Options{MaxAttributes: n})
			if res, err := s.AppendTraces(context.Background(), wideTrace(0, n)); err != nil || res.Accepted != 1 {
				b.Fatalf("append: %+v, %v", res, err)
			}
			id := hexID(traceID(0))
			b.ReportAllocs()
			for b.Loop() {
				td, err := s.TraceOTLP(context.Background(), id)
				if err != nil || td.SpanCount() != 1 {
					b.Fatalf("%d spans, %v", td.SpanCount(), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/attr")
		})
	}
}
