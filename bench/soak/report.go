package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/sightline-dev/sightline/bench/ingest/serveproc"
	"github.com/sightline-dev/sightline/internal/bytesize"
)

// memWatch samples the server's RSS every second and keeps the peak of
// each minute.
type memWatch struct {
	srv *serveproc.Server

	mu        sync.Mutex
	perMinute []int64
	rss, hwm  int64
}

func (m *memWatch) run(ctx context.Context) {
	start := time.Now()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		rss, hwm, err := m.srv.Memory()
		if err == nil {
			minute := int(time.Since(start) / time.Minute)
			m.mu.Lock()
			for len(m.perMinute) <= minute {
				m.perMinute = append(m.perMinute, 0)
			}
			m.perMinute[minute] = max(m.perMinute[minute], rss)
			m.rss, m.hwm = rss, hwm
			m.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (m *memWatch) last() (rss, hwm int64, err error) {
	if rss, hwm, err := m.srv.Memory(); err == nil {
		return rss, hwm, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rss, m.hwm, nil
}

// report prints the soak's summary.
func report(w io.Writer, c config, t *tally, m *memWatch, serverStats map[string]any, cpu float64,
	rss, peak int64, acked *ledger, missing []string) {
	fmt.Fprintf(w, "\n== soak: %v of mixed traffic, %d CPUs, %s\n", c.duration, runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(w, "server memory: peak RSS (VmHWM) %s, RSS at the end %s; peak RSS by minute:", bytesize.Human(peak), bytesize.Human(rss))
	m.mu.Lock()
	for _, v := range m.perMinute {
		fmt.Fprintf(w, " %s", bytesize.Human(v))
	}
	m.mu.Unlock()
	fmt.Fprintf(w, "\nserver CPU: %.1f s (%.2f cores on average)\n", cpu, cpu/c.duration.Seconds())

	fmt.Fprintln(w, "\nclient outcomes (worker, outcome, count):")
	for _, line := range t.sorted() {
		fmt.Fprintln(w, "  "+line)
	}
	fmt.Fprintln(w, "\nserver counters (GET /api/stats):")
	if rcv, ok := serverStats["receiver"].(map[string]any); ok {
		for _, sig := range []string{"traces", "logs"} {
			s, _ := rcv[sig].(map[string]any)
			fmt.Fprintf(w, "  %s: requests %v, received %v, stored %v, rejected %v\n", sig, compact(s["requests"]),
				s["received_items"], s["stored_items"], s["rejected_items"])
			fmt.Fprintf(w, "    refused requests by reason: %s\n", nonZero(s["refused_requests"]))
		}
		for k, v := range rcv {
			if k != "traces" && k != "logs" && k != "metrics" {
				fmt.Fprintf(w, "  %s: %s\n", k, compact(v))
			}
		}
	}
	if st, ok := serverStats["store"].(map[string]any); ok {
		fmt.Fprintf(w, "  store: %s\n", compact(st))
	}
	traces, spans := acked.counts()
	if len(missing) == 0 {
		fmt.Fprintf(w, "\nacknowledged: %d spans in %d traces; all stored (each trace read back from the store after serve stopped)\n", spans, traces)
		return
	}
	fmt.Fprintf(w, "\nLOST: %d of %d acknowledged traces missing or short, e.g.:\n", len(missing), traces)
	for _, s := range missing[:min(len(missing), 10)] {
		fmt.Fprintln(w, "  "+s)
	}
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// nonZero lists the non-zero entries of a reasons object, sorted.
func nonZero(v any) string {
	m, _ := v.(map[string]any)
	keys := make([]string, 0, len(m))
	for k, n := range m {
		if f, ok := n.(float64); ok && f != 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%s %v", k, m[k])
	}
	if out == "" {
		return "none"
	}
	return out
}
