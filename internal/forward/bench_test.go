package forward_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/poll"
)

// BenchmarkAppend appends requests of 1 KiB and 64 KiB, with and without
// fsync, to a queue bounded at 256 MiB that drops its oldest segments
// (so that the disk used stays bounded however long it runs).
func BenchmarkAppend(b *testing.B) {
	for _, size := range []int{1 << 10, 64 << 10} {
		for _, fsync := range []bool{false, true} {
			b.Run(fmt.Sprintf("size=%dKiB/fsync=%v", size>>10, fsync), func(b *testing.B) {
				cfg := testConfig(b, "http://127.0.0.1:1")
				cfg.MaxBytes, cfg.WhenFull, cfg.Fsync = 256<<20, forward.DropOldest, fsync
				f := newForwarder(b, cfg)
				payload := make([]byte, size)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					if err := f.Append(forward.Traces, payload); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

// BenchmarkAppendParallel appends 1 KiB requests with fsync from 8 x
// GOMAXPROCS goroutines at once, as a busy receiver does: they share fsyncs.
func BenchmarkAppendParallel(b *testing.B) {
	cfg := testConfig(b, "http://127.0.0.1:1")
	cfg.MaxBytes, cfg.WhenFull, cfg.Fsync = 256<<20, forward.DropOldest, true
	f := newForwarder(b, cfg)
	payload := make([]byte, 1<<10)
	b.SetBytes(int64(len(payload)))
	b.SetParallelism(8) // x GOMAXPROCS goroutines
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := f.Append(forward.Traces, payload); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkForward forwards 100,000 queued requests of 1 KiB (an
// operation) to an OTLP/HTTP upstream that reads and discards them: from
// Start until the queue is empty.
func BenchmarkForward(b *testing.B) {
	const perOp = 100_000
	for _, compression := range []string{"none", "gzip"} {
		b.Run("compression="+compression, func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
			}))
			b.Cleanup(srv.Close)
			payload := make([]byte, 1<<10)
			for i := range payload {
				payload[i] = byte(i * 7)
			}
			b.SetBytes(perOp * int64(len(payload)))
			b.ReportAllocs()
			var requests int64
			for range b.N {
				b.StopTimer()
				cfg := testConfig(b, srv.URL)
				cfg.Compression = compression
				f := newForwarder(b, cfg)
				for range perOp {
					if err := f.Append(forward.Traces, payload); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				start(b, f)
				poll.Until(b, time.Minute, "an empty queue", func() bool { return f.Stats().QueueRecords == 0 })
				b.StopTimer()
				requests += f.Stats().ForwardedRequests
				if err := f.Shutdown(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(perOp*b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(perOp*b.N)/float64(requests), "records/request")
		})
	}
}
