package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/internal/demo"
	"github.com/sightline-dev/sightline/internal/serve"
)

const demoUsage = `usage: sightline demo [flags]

Starts the collector, store and viewer in this process, runs a simulated
experiment whose telemetry goes over OTLP to that collector, and prints the
viewer's address and a link to each trace: first a count that lasts about a
minute (--long), whose link is printed as it starts so you can watch its
trace grow while it runs, then a count, a 1-D scan, a grid scan and a scan
whose motor faults. It keeps serving until interrupted; with --once it exits
after the experiment: 0 when every trace is stored, 1 if not.

flags:
`

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sightline demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := serve.DefaultConfig()
	cfg.GRPCAddr, cfg.HTTPAddr, cfg.DataDir = "127.0.0.1:0", "127.0.0.1:0", ""
	cfg.StatsInterval = time.Hour
	fs.StringVar(&cfg.UIAddr, "ui", serve.DefaultUIAddr, "viewer and API address (127.0.0.1:0 picks a free port)")
	fs.StringVar(&cfg.GRPCAddr, "grpc", cfg.GRPCAddr, "OTLP/gRPC address (\"\" disables)")
	fs.StringVar(&cfg.HTTPAddr, "http", cfg.HTTPAddr, "OTLP/HTTP address (the demo's telemetry uses it)")
	fs.StringVar(&cfg.DataDir, "data", "", "data directory (default: a temporary one, removed at exit)")
	once := fs.Bool("once", false, "exit after the experiment: 0 when every expected trace is stored")
	speedup := fs.Float64("speedup", 20, "run the simulated hardware this many times faster than real time")
	long := fs.Duration("long", time.Minute, "run first a count lasting about this long (real time), to watch live in the viewer; 0 skips it")
	fs.Usage = func() { fmt.Fprint(stderr, demoUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 || cfg.HTTPAddr == "" || *speedup <= 0 || *long < 0 || *long > time.Hour {
		fmt.Fprintln(stderr, "sightline demo: takes no arguments; --http must be set; --speedup must be > 0; --long from 0 to 1h")
		return exitUsage
	}
	if cfg.DataDir == "" {
		dir, err := os.MkdirTemp("", "sightline-demo-")
		if err != nil {
			fmt.Fprintf(stderr, "sightline demo: %v\n", err)
			return exitRefused
		}
		defer os.RemoveAll(dir)
		cfg.DataDir = dir
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "sightline demo: %v\n", err)
		return exitUsage
	}
	if err := demoRun(ctx, cfg, demoRunOptions{once: *once, speedup: *speedup, long: *long}, stdout); err != nil {
		fmt.Fprintf(stderr, "sightline demo: %v\n", err)
		return exitRefused
	}
	return exitOK
}

// demoRunOptions are the demo's flags beside the collector's.
type demoRunOptions struct {
	once    bool          // exit after the experiment
	speedup float64       // simulated hardware speed
	long    time.Duration // the long scan's length; 0 skips it
}

// demoRun serves, runs the experiment, prints the links and, unless once,
// serves on until ctx ends.
func demoRun(ctx context.Context, cfg serve.Config, o demoRunOptions, out io.Writer) (err error) {
	srv, err := serve.New(cfg, serve.WithOutput(out))
	if err != nil {
		return err
	}
	if err := srv.Start(ctx); err != nil {
		return fmt.Errorf("start the collector: %w", err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		err = errors.Join(err, srv.Shutdown(stopCtx))
	}()
	addrs := srv.Addrs()
	fmt.Fprintf(out, "\nviewer: %s/\n", addrs.UI)
	started := func(e demo.Experiment) {
		if e.Name == demo.LongScanName {
			fmt.Fprintf(out, "\nwatch a scan run live (about %v): %s/trace/%s\n", o.long, addrs.UI, e.TraceID)
		}
	}
	exps, err := runExperiment(ctx, demo.Config{OTLPEndpoint: "http://" + addrs.HTTP, Speedup: o.speedup,
		Out: out, LongScan: o.long, Started: started})
	if err != nil {
		return err
	}
	if err := waitStored(ctx, addrs.UI, exps); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nviewer: %s/\n", addrs.UI)
	for _, e := range exps {
		mark := ""
		if e.Failed {
			mark = "  (fails on purpose: an error trace)"
		}
		fmt.Fprintf(out, "  %-36s %s/trace/%s%s\n", e.Name, addrs.UI, e.TraceID, mark)
	}
	if o.once {
		fmt.Fprintln(out, "every expected trace is stored")
		return nil
	}
	fmt.Fprintln(out, "\nserving until interrupted (Ctrl-C)")
	return srv.Wait(ctx)
}

// runExperiment starts the demo's other processes (a device server with the
// simulated hardware, and a task worker on an embedded NATS server), runs
// the experiment and stops them, so their telemetry is flushed.
func runExperiment(ctx context.Context, dc demo.Config) (exps []demo.Experiment, err error) {
	natsDir, err := os.MkdirTemp("", "sightline-demo-nats-")
	if err != nil {
		return nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	defer os.RemoveAll(natsDir)
	ns, err := demo.StartNATS(natsDir)
	if err != nil {
		return nil, err
	}
	defer ns.Stop()
	devices, err := startDevices(dc.OTLPEndpoint, dc.Speedup)
	if err != nil {
		return nil, err
	}
	// The children flush their telemetry as they stop.
	defer func() { err = errors.Join(err, devices.stop()) }()
	worker, err := startWorker(ns.URL(), dc.OTLPEndpoint)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, worker.stop()) }()
	fmt.Fprintf(dc.Out, "\ndevice server: %s (sightline devices, pid %d)\n", devices.addr, devices.pid)
	fmt.Fprintf(dc.Out, "task worker:   %s (sightline worker, pid %d) on NATS %s (embedded, JetStream)\n", strings.TrimSuffix(worker.addr, " ready"), worker.pid, ns.URL())
	fmt.Fprintf(dc.Out, "running the simulated experiment (telemetry over OTLP/HTTP to %s) ...\n", dc.OTLPEndpoint)
	dc.Devices, dc.NATS = devices.addr, ns.URL()
	return demo.Run(ctx, dc)
}

// waitStored polls the query API until every experiment's trace holds its
// expected spans, for at most 30 s.
func waitStored(ctx context.Context, ui string, exps []demo.Experiment) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		missing := ""
		for _, e := range exps {
			n, err := storedSpans(ctx, ui, e.TraceID)
			if err != nil || n < e.Spans {
				missing = fmt.Sprintf("%s (trace %s: %d of at least %d spans stored)", e.Name, e.TraceID, n, e.Spans)
				break
			}
		}
		if missing == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not every trace was stored: %s", missing)
		case <-tick.C:
		}
	}
}

func storedSpans(ctx context.Context, ui, traceID string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ui+"/api/v1/traces/"+traceID+"?limit=1", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET trace %s: %s", traceID, resp.Status)
	}
	var page struct {
		Summary struct {
			SpanCount int `json:"span_count"`
		} `json:"summary"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return 0, err
	}
	return page.Summary.SpanCount, nil
}
