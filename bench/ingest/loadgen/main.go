// Command loadgen is the ingest benchmark of `sightline serve`: it starts
// the binary on a fresh data directory, pushes OTLP requests at it from
// concurrent senders (by default 4 senders of 1,000-span requests of
// 10-span traces, 8 attributes each, over OTLP/HTTP protobuf for 10 s),
// and reports the spans acknowledged per second, checked against what the
// store holds, the server's CPU time and peak RSS, and bytes on disk per
// span. With -spans it runs until that many spans are stored instead, and
// -big-traces adds traces of those sizes for bench/query. -announce RATE
// compares, side by side in one run, the load alone and the load with RATE
// heartbeats/s of open spans beside it (announce.go).
//
//	go run ./bench/ingest/loadgen -bin ./sightline
//	go run ./bench/ingest/loadgen -bin ./sightline -spans 1000000 -big-traces 10000,100000 -data /tmp/sl -keep
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/sightline-dev/sightline/bench/ingest/serveproc"
	"github.com/sightline-dev/sightline/internal/bytesize"
	"github.com/sightline-dev/sightline/internal/spangen"
	"github.com/sightline-dev/sightline/internal/store"
)

type config struct {
	bin, dir, protocol, logFile string
	keep, fsync                 bool
	senders, reqSpans, perTrace int
	duration                    time.Duration
	spans                       int64
	bigTraces                   []int
	maxInFlight                 int
	announce, rounds            int
}

// TracesFile is written into the data directory: the big traces' ids, for
// bench/query.
const TracesFile = "bench-traces.json"

func main() {
	var c config
	var big string
	flag.StringVar(&c.bin, "bin", "sightline", "the sightline binary")
	flag.StringVar(&c.dir, "data", "", "data directory, which must not exist or be empty (default: a temporary one, removed unless -keep)")
	flag.BoolVar(&c.keep, "keep", false, "keep the data directory")
	flag.StringVar(&c.protocol, "protocol", "http", "http (OTLP/HTTP protobuf) or grpc")
	flag.IntVar(&c.senders, "senders", 4, "concurrent senders")
	flag.IntVar(&c.reqSpans, "request-spans", 1000, "spans per request")
	flag.IntVar(&c.perTrace, "trace-spans", 10, "spans per trace")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "how long to send (unless -spans)")
	flag.Int64Var(&c.spans, "spans", 0, "send until this many spans are acknowledged, instead of -duration")
	flag.StringVar(&big, "big-traces", "", "after the load, also send one trace of each of these sizes (comma-separated)")
	flag.BoolVar(&c.fsync, "fsync", false, "run serve with --fsync")
	flag.IntVar(&c.maxInFlight, "max-in-flight", 0, "serve's --max-in-flight (0: its default)")
	flag.StringVar(&c.logFile, "log", "", "write serve's output to this file")
	flag.IntVar(&c.announce, "announce", 0, "compare: run the load without and with this many heartbeats/s of open spans (a multiple of 10), in -rounds pairs of phases of -duration each")
	flag.IntVar(&c.rounds, "rounds", 1, "with -announce: how many pairs of phases (A B, then B A, ...)")
	flag.Parse()
	for _, s := range strings.Split(big, ",") {
		if s = strings.TrimSpace(s); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				log.Fatalf("-big-traces: %q is not a size", s)
			}
			c.bigTraces = append(c.bigTraces, n)
		}
	}
	if c.reqSpans%c.perTrace != 0 || (c.protocol != "http" && c.protocol != "grpc") {
		log.Fatal("-request-spans must be a multiple of -trace-spans; -protocol http or grpc")
	}
	if c.announce < 0 || c.announce%10 != 0 || c.rounds < 1 || (c.announce > 0 && c.spans > 0) {
		log.Fatal("-announce must be a multiple of 10 (0: off), -rounds at least 1, and -announce runs phases of -duration, not -spans")
	}
	if err := run(c); err != nil {
		log.Fatal(err)
	}
}

func run(c config) error {
	if c.dir == "" {
		d, err := os.MkdirTemp("", "sightline-ingest")
		if err != nil {
			return err
		}
		c.dir = d
	} else if entries, _ := os.ReadDir(c.dir); len(entries) > 0 {
		return fmt.Errorf("-data %s is not empty: the benchmark wants a fresh store", c.dir)
	}
	if !c.keep {
		defer os.RemoveAll(c.dir)
	}
	var logw io.Writer
	if c.logFile != "" {
		f, err := os.Create(c.logFile)
		if err != nil {
			return err
		}
		defer f.Close()
		logw = f
	}
	extra := []string{"--retention-age", "0", "--retention-size", "0"}
	if c.fsync {
		extra = append(extra, "--fsync")
	}
	if c.maxInFlight > 0 {
		extra = append(extra, "--max-in-flight", strconv.Itoa(c.maxInFlight))
	}
	srv, err := serveproc.Start(c.bin, c.dir, logw, extra...)
	if err != nil {
		return err
	}
	defer srv.Stop(time.Minute) //nolint:errcheck // stopped below; this one is for early returns
	send, closeSend, err := newSender(c.protocol, srv)
	if err != nil {
		return err
	}
	defer closeSend()

	fmt.Printf("loadgen: %s, %d senders, %d-span requests of %d-span traces, 8 attributes per span; serve %s, data %s\n",
		map[string]string{"http": "OTLP/HTTP protobuf", "grpc": "OTLP/gRPC"}[c.protocol], c.senders, c.reqSpans, c.perTrace, c.bin, c.dir)
	phases := []int{0}
	if c.announce > 0 {
		// Rounds alternate A B, B A, ...: the store grows during the run,
		// which slows later phases a little, so neither kind is always last.
		phases = nil
		for r := range c.rounds {
			if r%2 == 0 {
				phases = append(phases, 0, c.announce)
			} else {
				phases = append(phases, c.announce, 0)
			}
		}
		fmt.Printf("phases of %v: without announcements and with %d heartbeats/s (%d open spans, each heard every 10 s), %d rounds (A B, B A, ...)\n",
			c.duration, c.announce, 10*c.announce, c.rounds)
	}
	var res result
	var announced int64
	for i, rate := range phases {
		r, n, err := phase(c, srv, send, i, rate, len(phases) > 1)
		if err != nil {
			return err
		}
		res.spans += r.spans
		announced += n
	}

	ids := map[string]string{}
	for _, n := range c.bigTraces {
		tid := spangen.TraceID(bigTraceBase + uint64(n))
		t0 := time.Now()
		if err := spangen.BigTrace(tid, n, 1000, time.Now(), send); err != nil {
			return fmt.Errorf("big trace of %d spans: %w", n, err)
		}
		ids[strconv.Itoa(n)] = tid.String()
		fmt.Printf("big trace: %d spans, id %s, sent in %v\n", n, tid, time.Since(t0).Round(time.Millisecond))
	}
	if len(ids) > 0 {
		b, _ := json.MarshalIndent(map[string]any{"big_traces": ids, "sample_trace": spangen.TraceID(firstTrace(0, 1, c.reqSpans/c.perTrace)).String()}, "", "  ")
		if err := os.WriteFile(filepath.Join(c.dir, TracesFile), b, 0o600); err != nil {
			return err
		}
	}

	client := &http.Client{Timeout: time.Minute}
	st, err := srv.Stats(client)
	if err != nil {
		return err
	}
	var bigSpans int64
	for _, n := range c.bigTraces {
		bigSpans += int64(n)
	}
	verdict := "all acknowledged spans are stored"
	if st.Store.Spans != res.spans+bigSpans {
		verdict = fmt.Sprintf("MISMATCH: %d acknowledged (+%d in big traces)", res.spans, bigSpans)
	}
	fmt.Printf("stored (GET /api/stats): %d spans, %d traces: %s\n", st.Store.Spans, st.Store.Traces, verdict)
	if announced > 0 {
		av := "all acknowledged heartbeats are stored"
		if st.Store.Announcements != announced || st.Store.AnnouncementsRejected != 0 {
			av = fmt.Sprintf("MISMATCH: %d acknowledged", announced)
			verdict = av
		}
		fmt.Printf("announcements (GET /api/stats): %d received, %d rejected, %d spans open, %d lost: %s\n",
			st.Store.Announcements, st.Store.AnnouncementsRejected, st.Store.OpenSpans, st.Store.LostSpans, av)
	}
	rss, peak, err := srv.Memory()
	if err != nil {
		return err
	}
	fmt.Printf("server memory: peak RSS (VmHWM) %s, RSS now %s\n", bytesize.Human(peak), bytesize.Human(rss))
	if err := srv.Stop(time.Minute); err != nil {
		return fmt.Errorf("stop serve: %w", err)
	}
	db, err := os.Stat(filepath.Join(c.dir, store.FileName))
	if err != nil {
		return err
	}
	total, err := serveproc.DirSize(c.dir)
	if err != nil {
		return err
	}
	fmt.Printf("disk after stop: sightline.db %s, data directory %s: %.1f bytes/span (%.1f per span counting the directory; %.1f used bytes/span)\n",
		bytesize.Human(db.Size()), bytesize.Human(total), float64(db.Size())/float64(st.Store.Spans),
		float64(total)/float64(st.Store.Spans), float64(st.Store.UsedBytes)/float64(st.Store.Spans))
	if verdict != "all acknowledged spans are stored" {
		return errors.New("stored spans or announcements do not match the acknowledged ones")
	}
	return nil
}

// phase runs the load for one phase (numbered i), with announce
// heartbeats/s beside it (0: none), and prints its figures, labelled when
// there are several phases. It returns the spans acknowledged and the
// heartbeats acknowledged.
func phase(c config, srv *serveproc.Server, send func(ptrace.Traces) error, i, announce int, label bool) (result, int64, error) {
	if label {
		what := "spans only"
		if announce > 0 {
			what = fmt.Sprintf("spans + %d heartbeats/s", announce)
		}
		fmt.Printf("-- phase %d: %s\n", i+1, what)
	}
	var wait func() announceResult
	stop := make(chan struct{})
	if announce > 0 {
		sendLogs, closeLogs, err := newLogSender(c.protocol, srv)
		if err != nil {
			return result{}, 0, err
		}
		defer closeLogs()
		wait = startAnnouncer(&announcer{rate: announce, phase: i, send: sendLogs}, stop)
	}
	cpu0, err := srv.CPUSeconds()
	if err != nil {
		return result{}, 0, err
	}
	self0 := selfCPU()
	res := load(c, send, i)
	close(stop)
	var ann announceResult
	if wait != nil {
		ann = wait()
	}
	cpu1, err := srv.CPUSeconds()
	if err != nil {
		return result{}, 0, err
	}
	self1 := selfCPU()
	rate := float64(res.spans) / res.elapsed.Seconds()
	fmt.Printf("acknowledged: %d spans in %d requests in %v: %.0f spans/s (%d retries after 429/503/errors)\n",
		res.spans, res.requests, res.elapsed.Round(time.Millisecond), rate, res.retries)
	fmt.Printf("server CPU: %.2f s (%.2f cores; %.1f µs per span); loadgen CPU: %.2f s\n",
		cpu1-cpu0, (cpu1-cpu0)/res.elapsed.Seconds(), (cpu1-cpu0)/float64(res.spans)*1e6, self1-self0)
	if label && len(res.latencies) > 0 {
		q := quantile(res.latencies)
		fmt.Printf("span requests: ack latency p50 %v, p99 %v, max %v\n", q(0.5), q(0.99), res.latencies[len(res.latencies)-1].Round(100*time.Microsecond))
	}
	if wait != nil {
		ann.report(res.elapsed, srv.UI)
	}
	return res, ann.records, nil
}

// firstTrace numbers the first trace of request seq of sender s, so that
// every trace of the run has its own id (spangen.TraceID): senders are
// 2^40 traces apart.
func firstTrace(s int, seq uint64, traces int) uint64 {
	return uint64(s+1)<<40 | seq*uint64(traces)
}

// bigTraceBase numbers the -big-traces traces, far from the load's.
const bigTraceBase = 1 << 62

type result struct {
	spans, requests, retries int64
	elapsed                  time.Duration
	latencies                []time.Duration // of the acknowledged requests, sorted
}

// load runs the senders until the duration passes or the span target is
// acknowledged. Each phase numbers its traces apart (phase << 34, below
// the senders' 2^40 spacing), so that no phase sends a trace id of
// another.
func load(c config, send func(ptrace.Traces) error, phase int) result {
	var spans, requests, retries atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	stop := make(chan struct{})
	var once sync.Once
	t0 := time.Now()
	var wg sync.WaitGroup
	for s := range c.senders {
		wg.Go(func() {
			traces := c.reqSpans / c.perTrace
			g := spangen.New(traces, c.perTrace, rand.New(rand.NewPCG(uint64(s), 42)))
			var mine []time.Duration
			defer func() {
				mu.Lock()
				latencies = append(latencies, mine...)
				mu.Unlock()
			}()
			for seq := uint64(1); ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				td := g.Next(firstTrace(s, seq, traces)+uint64(phase)<<34, time.Now())
				sent := time.Now()
				for err := send(td); err != nil; err = send(td) {
					retries.Add(1)
					time.Sleep(20 * time.Millisecond)
					sent = time.Now()
				}
				mine = append(mine, time.Since(sent))
				requests.Add(1)
				if n := spans.Add(int64(c.reqSpans)); c.spans > 0 && n >= c.spans {
					once.Do(func() { close(stop) })
				}
			}
		})
	}
	if c.spans == 0 {
		time.AfterFunc(c.duration, func() { once.Do(func() { close(stop) }) })
	}
	wg.Wait()
	slices.Sort(latencies)
	return result{spans.Load(), requests.Load(), retries.Load(), time.Since(t0), latencies}
}

// newSender returns a function that sends one request and fails unless it
// is acknowledged.
func newSender(protocol string, srv *serveproc.Server) (func(ptrace.Traces) error, func(), error) {
	if protocol == "grpc" {
		conn, err := grpc.NewClient(srv.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return nil, nil, err
		}
		client := ptraceotlp.NewGRPCClient(conn)
		return func(td ptrace.Traces) error {
			_, err := client.Export(context.Background(), ptraceotlp.NewExportRequestFromTraces(td))
			return err
		}, func() { _ = conn.Close() }, nil
	}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	url := "http://" + srv.HTTP + "/v1/traces"
	return func(td ptrace.Traces) error {
		body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
		if err != nil {
			return err
		}
		resp, err := client.Post(url, "application/x-protobuf", bytes.NewReader(body))
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s", resp.Status)
		}
		return nil
	}, client.CloseIdleConnections, nil
}

// selfCPU is this process's CPU time (user and system) in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime)).Seconds()
}
