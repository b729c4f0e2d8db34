// Command forward measures what forwarding costs a sightline agent: it
// starts an upstream `sightline serve`, an agent without forwarding (A) and
// an agent with `--forward` to the upstream (B), and sends the same load to
// A and B in alternating phases (A B B A ...), side by side in one run. It
// reports per phase the spans acknowledged per second, the agent's CPU time
// per span, the acknowledgement latency, and for B the forwarding lag
// (the oldest unforwarded request's age, read from /api/stats every
// 100 ms), then checks that every span B acknowledged reached the
// upstream.
//
//	go build -o /tmp/sightline ./cmd/sightline
//	go run ./bench/forward -bin /tmp/sightline                    # as fast as the agent takes it
//	go run ./bench/forward -bin /tmp/sightline -rate 20000        # at 20,000 spans/s
//	go run ./bench/forward -bin /tmp/sightline -protocol grpc     # forward over OTLP/gRPC
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/sightline-dev/sightline/bench/ingest/serveproc"
	"github.com/sightline-dev/sightline/internal/spangen"
)

type config struct {
	bin, protocol, dir       string
	compression              string
	rate                     int
	senders, reqSpans, trace int
	duration                 time.Duration
	rounds                   int
}

func main() {
	var c config
	flag.StringVar(&c.bin, "bin", "sightline", "the sightline binary")
	flag.StringVar(&c.protocol, "protocol", "http", "how agent B forwards: http (OTLP/HTTP protobuf) or grpc")
	flag.StringVar(&c.compression, "compression", "", "agent B's --forward-compression (default: serve's)")
	flag.StringVar(&c.dir, "data", "", "where the three data directories go (default: a temporary directory, removed)")
	flag.IntVar(&c.rate, "rate", 0, "spans/s sent to the agent in each phase; 0: as fast as it acknowledges")
	flag.IntVar(&c.senders, "senders", 4, "concurrent senders")
	flag.IntVar(&c.reqSpans, "request-spans", 1000, "spans per request")
	flag.IntVar(&c.trace, "trace-spans", 10, "spans per trace")
	flag.DurationVar(&c.duration, "duration", 20*time.Second, "length of a phase")
	flag.IntVar(&c.rounds, "rounds", 1, "pairs of phases (A B, then B A, ...)")
	flag.Parse()
	if err := run(c); err != nil {
		log.Fatal(err)
	}
}

// phaseResult is one phase's figures.
type phaseResult struct {
	agent          string
	spans          int64
	elapsed        time.Duration
	cpu            float64 // the agent's CPU seconds during the phase
	ackP99         time.Duration
	lagP50, lagP99 time.Duration
	lagMax         time.Duration
}

func run(c config) error {
	dir := c.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "bench-forward-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	up, err := serveproc.Start(c.bin, filepath.Join(dir, "upstream"), logf)
	if err != nil {
		return fmt.Errorf("upstream: %w", err)
	}
	defer up.Stop(time.Minute)
	target := "http://" + up.HTTP
	if c.protocol == "grpc" {
		target = "grpc://" + up.GRPC
	}
	off, err := serveproc.Start(c.bin, filepath.Join(dir, "agent-off"), logf)
	if err != nil {
		return fmt.Errorf("agent A: %w", err)
	}
	defer off.Stop(time.Minute)
	extra := []string{"--forward", target}
	if c.compression != "" {
		extra = append(extra, "--forward-compression", c.compression)
	}
	on, err := serveproc.Start(c.bin, filepath.Join(dir, "agent-on"), logf, extra...)
	if err != nil {
		return fmt.Errorf("agent B: %w", err)
	}
	defer on.Stop(time.Minute)
	fmt.Printf("upstream %s; agent A %s (no forwarding); agent B %s %v\n", up.UI, off.UI, on.UI, extra)
	rate := "as fast as acknowledged"
	if c.rate > 0 {
		rate = fmt.Sprintf("%d spans/s", c.rate)
	}
	fmt.Printf("load: %d senders, %d-span requests of %d-span traces, %s, phases of %v\n", c.senders, c.reqSpans, c.trace, rate, c.duration)

	var results []phaseResult
	var sentToB int64
	for r := range c.rounds {
		order := []*serveproc.Server{off, on}
		if r%2 == 1 {
			order = []*serveproc.Server{on, off}
		}
		for _, srv := range order {
			res, err := phase(c, srv, srv == on, len(results))
			if err != nil {
				return err
			}
			if srv == on {
				sentToB += res.spans
			}
			results = append(results, res)
		}
	}
	fmt.Printf("\n| phase | agent | spans/s | agent CPU per span | ack p99 | forwarding lag p50 / p99 / max |\n|---|---|---|---|---|---|\n")
	for i, r := range results {
		lag := ""
		if r.agent == "B" {
			lag = fmt.Sprintf("%v / %v / %v", r.lagP50.Round(time.Millisecond), r.lagP99.Round(time.Millisecond), r.lagMax.Round(time.Millisecond))
		}
		fmt.Printf("| %d | %s | %.0f | %.2f µs | %v | %s |\n", i+1, r.agent, float64(r.spans)/r.elapsed.Seconds(),
			r.cpu/float64(r.spans)*1e6, r.ackP99.Round(time.Millisecond), lag)
	}
	// Every span B acknowledged must reach the upstream.
	deadline := time.Now().Add(2 * time.Minute)
	client := &http.Client{Timeout: 10 * time.Second}
	for {
		st, err := up.Stats(client)
		if err != nil {
			return err
		}
		if st.Store.Spans >= sentToB {
			fmt.Printf("\nupstream holds %d spans: every one of the %d agent B acknowledged\n", st.Store.Spans, sentToB)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("upstream holds %d spans of the %d agent B acknowledged, 2 minutes after the load", st.Store.Spans, sentToB)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// phase sends the load to srv for the phase's duration and measures it;
// with forwarding it samples the lag meanwhile and until the queue has
// drained.
func phase(c config, srv *serveproc.Server, forwarding bool, n int) (phaseResult, error) {
	res := phaseResult{agent: "A"}
	if forwarding {
		res.agent = "B"
	}
	cpu0, err := srv.CPUSeconds()
	if err != nil {
		return res, err
	}
	stopLag := make(chan struct{})
	lags := make(chan []time.Duration, 1)
	go func() { lags <- sampleLag(srv, forwarding, stopLag) }()
	spans, elapsed, acks, err := load(c, srv, n)
	if err != nil {
		close(stopLag)
		return res, err
	}
	cpu1, err := srv.CPUSeconds()
	if err != nil {
		close(stopLag)
		return res, err
	}
	close(stopLag)
	lag := <-lags
	res.spans, res.elapsed, res.cpu = spans, elapsed, cpu1-cpu0
	res.ackP99 = quantile(acks, 0.99)
	res.lagP50, res.lagP99, res.lagMax = quantile(lag, 0.5), quantile(lag, 0.99), quantile(lag, 1)
	fmt.Printf("phase %d (agent %s): %d spans in %v\n", n+1, res.agent, spans, elapsed.Round(time.Millisecond))
	return res, nil
}

// forwardStats is what the benchmark reads of /api/stats's "forward".
type forwardStats struct {
	Forward *struct {
		Lag          time.Duration `json:"lag_ns"`
		QueueRecords int64         `json:"queue_records"`
	} `json:"forward"`
}

// sampleLag reads the forwarding lag every 100 ms until stop, then until
// the queue is empty; without forwarding it returns nil.
func sampleLag(srv *serveproc.Server, forwarding bool, stop <-chan struct{}) []time.Duration {
	if !forwarding {
		<-stop
		return nil
	}
	client := &http.Client{Timeout: 5 * time.Second}
	var out []time.Duration
	stopped := false
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			stopped = true
			stop = nil
		case <-tick.C:
		}
		var st forwardStats
		if err := serveproc.GetJSON(client, srv.UI+"/api/stats", &st); err != nil || st.Forward == nil {
			continue
		}
		out = append(out, st.Forward.Lag)
		if stopped && st.Forward.QueueRecords == 0 {
			return out
		}
	}
}

// load runs the senders for the phase's duration, each pacing itself to
// its share of the rate, and returns the spans acknowledged, the time and
// the acknowledgement latencies. Trace ids are apart per phase and sender.
func load(c config, srv *serveproc.Server, phase int) (int64, time.Duration, []time.Duration, error) {
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	defer client.CloseIdleConnections()
	url := "http://" + srv.HTTP + "/v1/traces"
	var spans atomic.Int64
	var mu sync.Mutex
	var acks []time.Duration
	var firstErr error
	deadline := time.Now().Add(c.duration)
	t0 := time.Now()
	var wg sync.WaitGroup
	for s := range c.senders {
		wg.Go(func() {
			traces := c.reqSpans / c.trace
			g := spangen.New(traces, c.trace, rand.New(rand.NewPCG(uint64(s), uint64(phase))))
			var every time.Duration
			if c.rate > 0 {
				every = time.Duration(float64(time.Second) * float64(c.reqSpans) * float64(c.senders) / float64(c.rate))
			}
			next := time.Now()
			var mine []time.Duration
			for seq := uint64(1); time.Now().Before(deadline); seq++ {
				if every > 0 {
					time.Sleep(time.Until(next))
					next = next.Add(every)
				}
				first := uint64(phase)<<40 | uint64(s)<<32 | seq*uint64(traces)
				body, err := ptraceotlp.NewExportRequestFromTraces(g.Next(first, time.Now())).MarshalProto()
				if err != nil {
					panic(err) // pdata marshalling its own data
				}
				sent := time.Now()
				for {
					resp, err := client.Post(url, "application/x-protobuf", bytes.NewReader(body))
					if err == nil {
						_ = resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							break
						}
						err = fmt.Errorf("agent answered %s", resp.Status)
					}
					if time.Since(sent) > time.Minute {
						mu.Lock()
						firstErr = err
						mu.Unlock()
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
				mine = append(mine, time.Since(sent))
				spans.Add(int64(c.reqSpans))
			}
			mu.Lock()
			acks = append(acks, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(acks)
	return spans.Load(), time.Since(t0), acks, firstErr
}

// quantile is the q quantile of ds (sorting it), 0 when empty.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}
