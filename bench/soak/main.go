// Command soak runs `sightline serve` under mixed valid and hostile
// traffic for a while (10 minutes by default) and reports what a hostile
// peer cost it: peak RSS, refusals by reason (as the clients saw them and
// as the server counted them), and whether every span the server
// acknowledged to a valid sender was stored.
//
// Valid senders push 10-span traces over OTLP/HTTP protobuf, OTLP/HTTP
// JSON and OTLP/gRPC at a paced rate, retrying what is refused with a
// retry delay. Hostile workers send, in a loop: malformed bodies and
// messages, bodies over the size limit and gzip bombs, JSON and protobuf
// values nested far too deep, spans with 100,000 attributes, bursts of 64
// concurrent 15 MB gRPC requests, slow clients that trickle their headers
// or bodies, and queries for the wide traces that they cancel midway.
//
//	go run ./bench/soak -bin ./sightline                 # 10 minutes
//	go run ./bench/soak -bin ./sightline -duration 1m    # a quick look
//
// It is not run in CI; bench/soak/README.md has the figures.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/sightline-dev/sightline/bench/ingest/serveproc"
)

type config struct {
	bin, dir, logFile string
	duration          time.Duration
	validRate         int // valid requests per second, over all senders
	validSenders      int
	slowClients       int
	burstEvery        time.Duration
	keep              bool
	serveArgs         []string
}

func main() {
	var c config
	flag.StringVar(&c.bin, "bin", "sightline", "the sightline binary")
	flag.StringVar(&c.dir, "data", "", "data directory (default: a temporary one, removed unless -keep)")
	flag.StringVar(&c.logFile, "log", "", "file for serve's output (default: serve.log in the data directory's parent)")
	flag.DurationVar(&c.duration, "duration", 10*time.Minute, "how long the mixed traffic runs")
	flag.IntVar(&c.validRate, "valid-rate", 40, "valid requests (of 100 spans) per second, over all senders")
	flag.IntVar(&c.validSenders, "valid-senders", 6, "valid senders: a third each over OTLP/HTTP protobuf, OTLP/HTTP JSON and OTLP/gRPC")
	flag.IntVar(&c.slowClients, "slow-clients", 32, "slow HTTP clients held open at once")
	flag.DurationVar(&c.burstEvery, "burst-every", 30*time.Second, "time between bursts of 64 concurrent 15 MB gRPC requests")
	flag.BoolVar(&c.keep, "keep", false, "keep the data directory")
	flag.Parse()
	c.serveArgs = flag.Args()
	log.SetFlags(0)
	if err := run(c); err != nil {
		log.Fatalf("soak: %v", err)
	}
}

func run(c config) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if c.dir == "" {
		tmp, err := os.MkdirTemp("", "sightline-soak-")
		if err != nil {
			return err
		}
		c.dir = filepath.Join(tmp, "data")
		if !c.keep {
			defer func() { _ = os.RemoveAll(tmp) }()
		}
	}
	if c.logFile == "" {
		c.logFile = filepath.Join(filepath.Dir(c.dir), "serve.log")
	}
	logf, err := os.Create(c.logFile)
	if err != nil {
		return err
	}
	defer func() { _ = logf.Close() }()
	args := append([]string{"--retention-age", "0", "--retention-size", "0"}, c.serveArgs...)
	srv, err := serveproc.Start(c.bin, c.dir, logf, args...)
	if err != nil {
		return err
	}
	defer func() { _ = srv.Stop(time.Minute) }()
	fmt.Printf("serve pid %d: grpc %s, http %s, ui %s; %v of mixed traffic\n", srv.PID(), srv.GRPC, srv.HTTP, srv.UI, c.duration)

	t := newTally()
	acked := newLedger()
	mem := &memWatch{srv: srv}
	load, cancelLoad := context.WithTimeout(ctx, c.duration)
	defer cancelLoad()

	var wg sync.WaitGroup
	wg.Go(func() { mem.run(load) })
	pace := newPacer(load, c.validRate)
	for i := range c.validSenders {
		s := newValidSender(i, srv, t, acked)
		wg.Go(func() { s.run(load, pace) })
	}
	h := newHostile(srv, t, acked, c)
	h.start(load, &wg)
	wg.Wait()
	if ctx.Err() != nil {
		return errors.New("interrupted")
	}

	fmt.Println("load stopped; waiting for the receiver to settle")
	serverStats, err := settle(ctx, srv.UI)
	if err != nil {
		return err
	}
	cpu, _ := srv.CPUSeconds()
	rss, peak, _ := mem.last()
	if err := srv.Stop(time.Minute); err != nil {
		return fmt.Errorf("stop serve: %w", err)
	}
	missing, _, err := acked.verify(context.Background(), c.dir)
	if err != nil {
		return err
	}
	report(os.Stdout, c, t, mem, serverStats, cpu, rss, peak, acked, missing)
	if len(missing) > 0 {
		return fmt.Errorf("%d acknowledged traces are missing or short", len(missing))
	}
	return nil
}

// settle waits until no request is in flight and returns /api/stats.
func settle(ctx context.Context, ui string) (map[string]any, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, err := getStats(ctx, ui)
		if err == nil {
			if rcv, ok := st["receiver"].(map[string]any); !ok || rcv["in_flight_items"] == 0.0 {
				return st, nil
			}
		}
		if time.Now().After(deadline) {
			return st, fmt.Errorf("receiver still busy after 2 minutes: %v", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func getStats(ctx context.Context, ui string) (map[string]any, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ui+"/api/stats", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	var st map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st); err != nil {
		return nil, fmt.Errorf("GET /api/stats: %w", err)
	}
	return st, nil
}

// tally counts outcomes by worker and outcome ("deep-json 400").
type tally struct {
	mu sync.Mutex
	m  map[string]int64
}

func newTally() *tally { return &tally{m: map[string]int64{}} }

func (t *tally) add(worker, outcome string) {
	t.mu.Lock()
	t.m[worker+"\t"+outcome]++
	t.mu.Unlock()
}

func (t *tally) sorted() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := make([]string, 0, len(t.m))
	for k := range t.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%-14s %8d", k, t.m[k])
	}
	return out
}
