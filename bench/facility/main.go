// Command facility simulates a facility's telemetry: one upstream
// `sightline serve` (the facility pipeline's stand-in), H hosts each with
// its own agent (`sightline serve --forward` to the upstream), and on each
// host C emitting processes, each a real child process (this program run
// again in emitter mode) with several components built from sightline's
// packages: a plan engine scanning simulated devices, an HTTP service
// behind httptrace's middleware and its client, and a device server called
// through a remote proxy, all sending OTLP/HTTP to their host's agent.
//
// It measures over the run the spans stored upstream per second, the
// agents' CPU and RSS, the forwarding lag, and after the emitters have
// flushed and the agents' queues drained, the loss: spans stored by the
// agents minus spans stored upstream. It prints one markdown table row.
//
//	go build -o /tmp/slf ./cmd/sightline
//	go run ./bench/facility -bin /tmp/slf -hosts 2 -emitters 5 -rate 200 -duration 20s
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"time"
)

type config struct {
	bin, dir   string
	hosts      int
	emitters   int // per host
	rate       float64
	components []string
	duration   time.Duration
	header     bool
}

func main() {
	if name := os.Getenv(envEmitter); name != "" {
		if err := emitter(name); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	var c config
	var comps string
	flag.StringVar(&c.bin, "bin", "sightline", "the sightline binary")
	flag.StringVar(&c.dir, "data", "", "where the data directories and logs go (default: a temporary directory, removed)")
	flag.IntVar(&c.hosts, "hosts", 2, "simulated hosts, each with its own agent")
	flag.IntVar(&c.emitters, "emitters", 5, "emitting processes per host")
	flag.Float64Var(&c.rate, "rate", 200, "target spans/s per emitter (approximate: each component paces its loop)")
	flag.StringVar(&comps, "components", strings.Join(allComponents, ","), "components per emitter: plan, http, device")
	flag.DurationVar(&c.duration, "duration", 20*time.Second, "how long the emitters emit")
	flag.BoolVar(&c.header, "header", true, "print the table's header")
	flag.Parse()
	c.components = strings.Split(comps, ",")
	for _, k := range c.components {
		if !slices.Contains(allComponents, k) {
			log.Fatalf("unknown component %q: want plan, http or device", k)
		}
	}
	if c.hosts < 1 || c.emitters < 1 || c.rate <= 0 || c.duration <= 0 {
		log.Fatal("-hosts, -emitters, -rate and -duration must be positive")
	}
	res, err := run(c)
	if err != nil {
		log.Fatal(err)
	}
	if c.header {
		fmt.Println("| hosts | emitters | components | offered spans/s (target / made) | end-to-end spans/s | agent CPU cores per 10k spans/s | agent RSS MiB (max) | lag p50 / p99 | loss |")
		fmt.Println("|---|---|---|---|---|---|---|---|---|")
	}
	fmt.Println(res.row(c))
}

// result is one run's figures.
type result struct {
	made           int64         // spans the emitters counted during the window
	window         time.Duration // the emitting window
	upstream       int64         // spans stored upstream during the window
	agentSpans     int64         // spans stored by the agents during the window
	agentCPU       float64       // the agents' CPU seconds during the window
	maxRSS         int64         // the largest agent's peak RSS, bytes
	lagP50, lagP99 time.Duration
	agentTotal     int64 // spans stored by all agents, after the drain
	upstreamTotal  int64 // spans stored upstream, after the drain
	emitterErrors  int64
}

func (r result) row(c config) string {
	secs := r.window.Seconds()
	agentRate := float64(r.agentSpans) / secs
	cores := r.agentCPU / secs
	perTenK := 0.0
	if agentRate > 0 {
		perTenK = cores / (agentRate / 10000)
	}
	loss := fmt.Sprintf("%d", r.agentTotal-r.upstreamTotal)
	if r.agentTotal == r.upstreamTotal {
		loss = fmt.Sprintf("0 (%d = %d)", r.agentTotal, r.upstreamTotal)
	}
	if r.emitterErrors > 0 {
		loss += fmt.Sprintf("; %d emitter errors", r.emitterErrors)
	}
	return fmt.Sprintf("| %d | %d × %d = %d | %d: %s | %.0f / %.0f | %.0f | %.3f (%.2f cores at %.0f spans/s) | %.1f | %v / %v | %s |",
		c.hosts, c.hosts, c.emitters, c.hosts*c.emitters, len(c.components), strings.Join(c.components, "+"),
		c.rate*float64(c.hosts*c.emitters), float64(r.made)/secs, float64(r.upstream)/secs,
		perTenK, cores, agentRate, float64(r.maxRSS)/(1<<20),
		r.lagP50.Round(time.Millisecond), r.lagP99.Round(time.Millisecond), loss)
}
