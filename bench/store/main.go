// Command store measures internal/store as `sightline serve` uses it:
// concurrent senders of OTLP requests (by default 4 senders of 1,000-span
// requests: 100 traces of 10 spans with 8 attributes each) until a number
// of spans is stored, then trace fetches and searches. It prints spans/s,
// bytes per span on disk, the process's peak RSS, and query latencies.
//
//	go run ./bench/store -spans 1000000 -dir /tmp/sightline-bench
package main

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sightline-dev/sightline/internal/spangen"
	"github.com/sightline-dev/sightline/internal/store"
)

func main() {
	spans := flag.Int("spans", 1_000_000, "spans to store")
	senders := flag.Int("senders", 4, "concurrent senders")
	perTrace := flag.Int("trace-spans", 10, "spans per trace")
	perReq := flag.Int("request-spans", 1000, "spans per request")
	dir := flag.String("dir", "", "data directory (default: a new temporary one, removed at the end)")
	fsync := flag.Bool("fsync", false, "Options.Fsync")
	capBytes := flag.Int64("cap", 0, "Options.RetentionBytes (0: no cap), to measure ingest while retention deletes")
	flag.Parse()
	if *dir == "" {
		d, err := os.MkdirTemp("", "sightline-bench")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	ctx := context.Background()
	s, err := store.Open(ctx, *dir, store.Options{Fsync: *fsync, RetentionBytes: *capBytes})
	if err != nil {
		log.Fatal(err)
	}
	tracesPerReq := *perReq / *perTrace
	requests := *spans / (tracesPerReq * *perTrace)
	t0 := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for g := range *senders {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for {
				n := next.Add(1) - 1
				if n >= int64(requests) {
					return
				}
				start := t0.Add(time.Duration(n) * 100 * time.Millisecond)
				td := spangen.Traces(r, uint64(n)*uint64(tracesPerReq), tracesPerReq, *perTrace, start)
				res, err := s.AppendTraces(ctx, td)
				if err != nil || res.Rejected != 0 {
					log.Fatalf("append: %+v, %v", res, err)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(t0)
	stored := requests * tracesPerReq * *perTrace
	fmt.Printf("ingest: %d spans in %v: %.0f spans/s (%d senders, %d-span requests, %d-span traces)\n",
		stored, elapsed.Round(time.Millisecond), float64(stored)/elapsed.Seconds(), *senders, *perReq, *perTrace)
	runtime.GC()
	fmt.Printf("memory after ingest: %s\n", rss())
	if st, err := s.Stats(ctx); err == nil {
		fmt.Printf("stored: %d spans, %d traces, %d bytes used\n", st.Spans, st.Traces, st.UsedBytes)
	}

	// Query latencies over the stored data, then two big traces.
	mid := hexID(uint64(requests*tracesPerReq) / 2)
	timeIt("trace of 10 spans", 100, func() error { _, err := s.Trace(ctx, mid, store.Page{}); return err })
	timeIt("search, no filter", 100, func() error { _, err := s.SearchTraces(ctx, store.TraceQuery{}); return err })
	timeIt("search by service", 100, func() error {
		_, err := s.SearchTraces(ctx, store.TraceQuery{Service: "pricing"})
		return err
	})
	timeIt("search by span name", 100, func() error {
		_, err := s.SearchTraces(ctx, store.TraceQuery{Service: "orders", SpanName: "SELECT order_items"})
		return err
	})
	timeIt("search errors over 4ms", 100, func() error {
		_, err := s.SearchTraces(ctx, store.TraceQuery{ErrorsOnly: true, MinDuration: 4 * time.Millisecond})
		return err
	})
	timeIt("search by attribute", 20, func() error {
		_, err := s.SearchTraces(ctx, store.TraceQuery{Service: "orders", Attributes: map[string]string{"http.response.status_code": "500"}})
		return err
	})
	fmt.Printf("memory after queries: %s\n", rss())
	for _, n := range []int{10_000, 100_000} {
		id := uint64(1 << 40)
		if n == 100_000 {
			id++
		}
		if _, err := s.AppendTraces(ctx, spangen.Traces(rand.New(rand.NewPCG(9, 9)), id, 1, n, t0)); err != nil {
			log.Fatal(err)
		}
		page := store.Page{Limit: 10_000}
		what := "fetch whole 10,000-span trace"
		if n == 100_000 {
			page, what = store.Page{}, "first page (1,000 spans) of a 100,000-span trace"
		}
		timeIt(what, 10, func() error { _, err := s.Trace(ctx, hexID(id), page); return err })
	}
	st, err := s.Stats(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("memory at the end (with the generator's 100,000-span request): %s\n", rss())
	if err := s.Close(ctx); err != nil {
		log.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(*dir, store.FileName))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("disk: %d spans, %d traces in %d bytes: %.1f bytes/span (%.1f used)\n",
		st.Spans, st.Traces, fi.Size(), float64(fi.Size())/float64(st.Spans), float64(st.UsedBytes)/float64(st.Spans))
}

func timeIt(what string, n int, f func() error) {
	var worst time.Duration
	t0 := time.Now()
	for range n {
		t := time.Now()
		if err := f(); err != nil {
			log.Fatalf("%s: %v", what, err)
		}
		worst = max(worst, time.Since(t))
	}
	fmt.Printf("%-52s mean %8v  max %8v\n", what+":", (time.Since(t0) / time.Duration(n)).Round(time.Microsecond), worst.Round(time.Microsecond))
}

// rss returns the process's current and peak resident set sizes.
func rss() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	var cur, peak string
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			cur = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			peak = strings.TrimSpace(v)
		}
	}
	return fmt.Sprintf("RSS %s, peak %s", cur, peak)
}

// hexID is trace n's id as the store's queries take it.
func hexID(n uint64) string { id := spangen.TraceID(n); return hex.EncodeToString(id[:]) }
