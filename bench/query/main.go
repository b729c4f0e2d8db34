// Command query is the query benchmark of `sightline serve`: it serves a
// data directory filled by bench/ingest/loadgen (with -keep and
// -big-traces 10000,100000) and measures, over HTTP, the latency of
// typical searches, of fetching a whole 10,000-span trace and of the first
// page of a 100,000-span trace (targets: under 100 ms each).
//
//	go run ./bench/query -bin ./sightline -data /tmp/sl
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/sightline-dev/sightline/bench/ingest/serveproc"
	"github.com/sightline-dev/sightline/internal/bytesize"
)

func main() {
	bin := flag.String("bin", "sightline", "the sightline binary")
	dir := flag.String("data", "", "data directory written by bench/ingest/loadgen -keep -big-traces 10000,100000 (required)")
	n := flag.Int("n", 20, "timed runs of each query (after one untimed cold run)")
	logFile := flag.String("log", "", "write serve's output to this file")
	flag.Parse()
	if *dir == "" {
		log.Fatal("-data is required: run bench/ingest/loadgen -keep -data DIR -spans 1000000 -big-traces 10000,100000 first")
	}
	if err := run(*bin, *dir, *logFile, *n); err != nil {
		log.Fatal(err)
	}
}

type query struct {
	what, path, accept string
	target             time.Duration // 0: none
	runs               int           // timed runs; 0: -n
}

func run(bin, dir, logFile string, n int) error {
	var ids struct {
		Big    map[string]string `json:"big_traces"`
		Sample string            `json:"sample_trace"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "bench-traces.json"))
	if err != nil {
		return fmt.Errorf("%w (run loadgen with -big-traces 10000,100000 -keep)", err)
	}
	if err := json.Unmarshal(b, &ids); err != nil {
		return err
	}
	big10k, big100k := ids.Big["10000"], ids.Big["100000"]
	if big10k == "" || big100k == "" {
		return fmt.Errorf("bench-traces.json lacks the 10000- and 100000-span traces: %s", b)
	}
	var logw io.Writer
	if logFile != "" {
		f, err := os.Create(logFile)
		if err != nil {
			return err
		}
		defer f.Close()
		logw = f
	}
	srv, err := serveproc.Start(bin, dir, logw, "--retention-age", "0", "--retention-size", "0")
	if err != nil {
		return err
	}
	defer srv.Stop(time.Minute) //nolint:errcheck // stopped below; this one is for early returns
	client := &http.Client{Timeout: 2 * time.Minute}
	var stats struct {
		Store struct {
			Spans          int64 `json:"spans"`
			Traces         int64 `json:"traces"`
			OldestUnixNano int64 `json:"oldest_unix_nano"`
			NewestUnixNano int64 `json:"newest_unix_nano"`
		} `json:"store"`
	}
	if err := serveproc.GetJSON(client, srv.UI+"/api/stats", &stats); err != nil {
		return err
	}
	mid := (stats.Store.OldestUnixNano + stats.Store.NewestUnixNano) / 2
	fmt.Printf("query: %d spans, %d traces in %s; %d timed runs per query after a cold one\n", stats.Store.Spans, stats.Store.Traces, dir, n)

	queries := []query{
		{"services", "/api/v1/services", "", 0, 0},
		{"span names of orders", "/api/v1/services/orders/span-names", "", 0, 0},
		{"search, no filter (20 newest)", "/api/v1/traces", "", 0, 0},
		{"search service=pricing", "/api/v1/traces?service=pricing", "", 0, 0},
		{"search service+span_name", "/api/v1/traces?service=orders&span_name=" + url.QueryEscape("SELECT order_items"), "", 0, 0},
		{"search errors=true&min_duration=4ms", "/api/v1/traces?errors=true&min_duration=4ms", "", 0, 0},
		{"search service+attr status=500", "/api/v1/traces?service=orders&attr=http.response.status_code%3D500", "", 0, 0},
		// A rare value and one no trace has: before the attribute index
		// (issue 17) these decoded every candidate trace's spans.
		{"search service+attr rare user.id", "/api/v1/traces?service=orders&attr=user.id%3Duser-123456", "", 0, 3},
		{"search attr rare user.id", "/api/v1/traces?attr=user.id%3Duser-123456", "", 100 * time.Millisecond, 3},
		{"search attr user.id no trace has", "/api/v1/traces?attr=user.id%3Dno-such-user", "", 100 * time.Millisecond, 3},
		{"search attr common (method=POST)", "/api/v1/traces?attr=http.request.method%3DPOST", "", 100 * time.Millisecond, 0},
		{"search 2 attrs (status 500, cache.hit)", "/api/v1/traces?attr=http.response.status_code%3D500&attr=cache.hit%3Dtrue", "", 100 * time.Millisecond, 0},
		// TraceQL through Tempo's search (Grafana's Tempo data source).
		{"TraceQL user.id rare", tempoSearch(`{ span.user.id = "user-123456" }`), "", 100 * time.Millisecond, 3},
		{"TraceQL user.id no trace has", tempoSearch(`{ span.user.id = "no-such-user" }`), "", 100 * time.Millisecond, 3},
		{"TraceQL service && status_code=500", tempoSearch(`{ resource.service.name = "orders" && span.http.response.status_code = 500 }`), "", 100 * time.Millisecond, 0},
		{"TraceQL name && duration > 5ms", tempoSearch(`{ name = "SELECT prices" && duration > 5ms }`), "", 100 * time.Millisecond, 0},
		{"TraceQL root > error child", tempoSearch(`{ name = "GET /api/v1/orders/{id}" } > { status = error }`), "", 100 * time.Millisecond, 0},
		{"TraceQL range db.rows > 498", tempoSearch(`{ span.db.rows > 498 }`), "", 100 * time.Millisecond, 3},
		{"TraceQL regex user.id (not indexed)", tempoSearch(`{ span.user.id =~ "user-12345[0-9]" }`), "", 0, 3},
		{"search 1 s time range mid-data", "/api/v1/traces?start=" + strconv.FormatInt(mid, 10) + "&end=" + strconv.FormatInt(mid+1e9, 10), "", 0, 0},
		{"search, 1000 traces", "/api/v1/traces?limit=1000", "", 0, 0},
		{"trace of 10 spans", "/api/v1/traces/" + ids.Sample, "", 0, 0},
		{"10,000-span trace, whole (limit=10000)", "/api/v1/traces/" + big10k + "?limit=10000", "", 100 * time.Millisecond, 0},
		{"100,000-span trace, first page (1000)", "/api/v1/traces/" + big100k, "", 100 * time.Millisecond, 0},
		{"100,000-span trace, page of 10000", "/api/v1/traces/" + big100k + "?limit=10000", "", 0, 0},
		{"10,000-span trace as OTLP-JSON download", "/api/v1/traces/" + big10k + "/otlp", "", 0, 0},
		{"10,000-span trace, Tempo protobuf", "/api/traces/" + big10k, "application/protobuf", 0, 0},
	}
	fmt.Printf("%-42s %10s %10s %10s %10s %10s  %s\n", "query", "cold", "p50", "p95", "max", "bytes", "target")
	for _, q := range queries {
		cold, _, err := timed(client, srv.UI+q.path, q.accept)
		if errors.Is(err, errNotFound) {
			fmt.Printf("%-42s not served by this binary (404)\n", q.what)
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", q.what, err)
		}
		var runs []time.Duration
		var size int
		reps := n
		if q.runs > 0 {
			reps = q.runs
		}
		for range reps {
			d, sz, err := timed(client, srv.UI+q.path, q.accept)
			if err != nil {
				return fmt.Errorf("%s: %w", q.what, err)
			}
			runs, size = append(runs, d), sz
		}
		slices.Sort(runs)
		verdict := ""
		if q.target > 0 {
			verdict = fmt.Sprintf("< %v: ", q.target) + map[bool]string{true: "met", false: "MISSED"}[runs[len(runs)/2] < q.target]
		}
		fmt.Printf("%-42s %10v %10v %10v %10v %10d  %s\n", q.what, ms(cold), ms(runs[len(runs)/2]), ms(runs[len(runs)*95/100]), ms(runs[len(runs)-1]), size, verdict)
	}

	t0 := time.Now()
	pages, spans := 0, 0
	for cursor := ""; ; pages++ {
		var page struct {
			Spans  []json.RawMessage `json:"spans"`
			Cursor string            `json:"cursor"`
		}
		if err := serveproc.GetJSON(client, srv.UI+"/api/v1/traces/"+big100k+"?limit=10000&cursor="+url.QueryEscape(cursor), &page); err != nil {
			return err
		}
		spans += len(page.Spans)
		if cursor = page.Cursor; cursor == "" {
			pages++
			break
		}
	}
	fmt.Printf("paging through the 100,000-span trace: %d spans in %d pages of 10000 in %v\n", spans, pages, ms(time.Since(t0)))
	rss, peak, err := srv.Memory()
	if err != nil {
		return err
	}
	fmt.Printf("server memory after the queries: RSS %s, peak %s\n", bytesize.Human(rss), bytesize.Human(peak))
	return srv.Stop(time.Minute)
}

// timed GETs u and returns how long until the whole body was read.
func timed(c *http.Client, u, accept string) (time.Duration, int, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	d := time.Since(t0)
	if err == nil && resp.StatusCode == http.StatusNotFound {
		err = fmt.Errorf("GET %s: %w", u, errNotFound)
	} else if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return d, int(n), err
}

var errNotFound = errors.New("404 not found")

// tempoSearch is Tempo's search route for a TraceQL query over the last
// year (Grafana sends start and end in unix seconds).
func tempoSearch(q string) string {
	now := time.Now().Unix()
	return fmt.Sprintf("/api/search?q=%s&limit=20&spss=3&start=%d&end=%d", url.QueryEscape(q), now-365*24*3600, now+3600)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
