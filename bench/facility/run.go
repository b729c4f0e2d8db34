package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sightline-dev/sightline/bench/ingest/serveproc"
)

// stats is what the benchmark reads of GET /api/stats.
type stats struct {
	Store struct {
		Spans int64 `json:"spans"`
	} `json:"store"`
	Forward *struct {
		Lag          time.Duration `json:"lag_ns"`
		QueueRecords int64         `json:"queue_records"`
	} `json:"forward"`
}

var client = &http.Client{Timeout: 10 * time.Second}

func getStats(s *serveproc.Server) (stats, error) {
	var st stats
	err := serveproc.GetJSON(client, s.UI+"/api/stats", &st)
	return st, err
}

// proc is a started emitter.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  bytes.Buffer
	done chan error
}

func run(c config) (result, error) {
	var res result
	dir := c.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "bench-facility-")
		if err != nil {
			return res, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	logf, err := os.Create(filepath.Join(dir, "bench.log"))
	if err != nil {
		return res, err
	}
	defer logf.Close()
	up, err := serveproc.Start(c.bin, filepath.Join(dir, "upstream"), logf)
	if err != nil {
		return res, fmt.Errorf("upstream: %w", err)
	}
	defer up.Stop(time.Minute)
	var agents []*serveproc.Server
	defer func() {
		for _, a := range agents {
			_ = a.Stop(time.Minute)
		}
	}()
	for h := range c.hosts {
		a, err := serveproc.Start(c.bin, filepath.Join(dir, fmt.Sprintf("agent-%d", h)), logf, "--forward", "http://"+up.HTTP)
		if err != nil {
			return res, fmt.Errorf("agent %d: %w", h, err)
		}
		agents = append(agents, a)
	}
	fmt.Fprintf(os.Stderr, "upstream %s; %d agents; %d emitters per host; logs in %s\n", up.UI, len(agents), c.emitters, logf.Name())

	// Every emitter sets up, then emits from startAt to endAt.
	n := c.hosts * c.emitters
	startAt := time.Now().Add(3*time.Second + time.Duration(n)*150*time.Millisecond)
	endAt := startAt.Add(c.duration)
	self, err := os.Executable()
	if err != nil {
		return res, err
	}
	var procs []*proc
	defer func() {
		for _, p := range procs {
			_ = p.cmd.Process.Kill() // those that did not exit on their own
		}
	}()
	for h, a := range agents {
		for e := range c.emitters {
			name := "h" + strconv.Itoa(h) + "e" + strconv.Itoa(e)
			p := &proc{name: name, cmd: exec.Command(self), done: make(chan error, 1)}
			p.cmd.Env = append(os.Environ(),
				envEmitter+"="+name,
				envRate+"="+strconv.FormatFloat(c.rate, 'g', -1, 64),
				envComponents+"="+strings.Join(c.components, ","),
				envStart+"="+strconv.FormatInt(startAt.UnixNano(), 10),
				envEnd+"="+strconv.FormatInt(endAt.UnixNano(), 10),
				"SIGHTLINE_TELEMETRY_ENABLE=on",
				"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS=http",
				"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS=http://"+a.HTTP,
				"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS=http",
				"SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS=http://"+a.HTTP,
			)
			p.cmd.Stdout, p.cmd.Stderr = &p.out, logf
			if err := p.cmd.Start(); err != nil {
				return res, fmt.Errorf("emitter: %w", err)
			}
			go func() { p.done <- p.cmd.Wait() }()
			procs = append(procs, p)
		}
	}
	if d := time.Until(startAt); d < 0 {
		return res, fmt.Errorf("starting %d emitters took %v longer than allowed", n, -d)
	} else {
		time.Sleep(d)
	}

	cpu0, spans0, up0, err := snapshot(agents, up)
	if err != nil {
		return res, err
	}
	lags := make(chan []time.Duration, 1)
	go func() { lags <- sampleLag(agents, endAt) }()
	time.Sleep(time.Until(endAt))
	cpu1, spans1, up1, err := snapshot(agents, up)
	if err != nil {
		return res, err
	}
	res.window = c.duration
	res.agentCPU, res.agentSpans, res.upstream = cpu1-cpu0, spans1-spans0, up1-up0
	lag := <-lags
	res.lagP50, res.lagP99 = quantile(lag, 0.5), quantile(lag, 0.99)
	for _, a := range agents {
		_, peak, err := a.Memory()
		if err != nil {
			return res, err
		}
		res.maxRSS = max(res.maxRSS, peak)
	}

	// The emitters stop at endAt, flush and exit.
	for _, p := range procs {
		select {
		case err := <-p.done:
			if err != nil {
				return res, fmt.Errorf("emitter %s: %w (see %s)", p.name, err, logf.Name())
			}
		case <-time.After(time.Until(endAt.Add(time.Minute))):
			return res, errors.New("an emitter did not exit within a minute of the end")
		}
		var made, errs int64
		if _, err := fmt.Sscanf(p.out.String(), "spans %d errors %d", &made, &errs); err != nil {
			return res, fmt.Errorf("emitter printed %q: %w", p.out.String(), err)
		}
		res.made += made
		res.emitterErrors += errs
	}
	procs = nil
	res.agentTotal, res.upstreamTotal, err = drain(agents, up)
	return res, err
}

// snapshot reads the agents' CPU seconds and stored spans (summed) and the
// upstream's stored spans.
func snapshot(agents []*serveproc.Server, up *serveproc.Server) (cpu float64, spans, upSpans int64, err error) {
	for _, a := range agents {
		s, err := a.CPUSeconds()
		if err != nil {
			return 0, 0, 0, err
		}
		st, err := getStats(a)
		if err != nil {
			return 0, 0, 0, err
		}
		cpu += s
		spans += st.Store.Spans
	}
	st, err := getStats(up)
	return cpu, spans, st.Store.Spans, err
}

// sampleLag reads every agent's forwarding lag every 200 ms until end.
func sampleLag(agents []*serveproc.Server, end time.Time) []time.Duration {
	var mu sync.Mutex
	var out []time.Duration
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for now := range tick.C {
		if now.After(end) {
			break
		}
		var wg sync.WaitGroup
		for _, a := range agents {
			wg.Go(func() {
				st, err := getStats(a)
				if err != nil || st.Forward == nil {
					return
				}
				mu.Lock()
				out = append(out, st.Forward.Lag)
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	return out
}

// drain waits until every agent's forwarding queue is empty and the
// upstream holds as many spans as the agents together (or, after the
// queues emptied, for 10 s more), and returns both totals.
func drain(agents []*serveproc.Server, up *serveproc.Server) (agentTotal, upTotal int64, err error) {
	deadline := time.Now().Add(2 * time.Minute)
	var emptySince time.Time
	var empty bool
	for {
		agentTotal, empty = 0, true
		for _, a := range agents {
			st, err := getStats(a)
			if err != nil {
				return 0, 0, err
			}
			agentTotal += st.Store.Spans
			if st.Forward == nil || st.Forward.QueueRecords > 0 {
				empty = false
			}
		}
		st, err := getStats(up)
		if err != nil {
			return 0, 0, err
		}
		upTotal = st.Store.Spans
		switch {
		case !empty:
			emptySince = time.Time{}
		case emptySince.IsZero():
			emptySince = time.Now()
		}
		if empty && (upTotal == agentTotal || time.Since(emptySince) > 10*time.Second) || time.Now().After(deadline) {
			return agentTotal, upTotal, nil
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// quantile is the q quantile of ds (sorting it), 0 when empty.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}
