package serve_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	grpcstatus "google.golang.org/grpc/status"

	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/internal/serve"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/internal/spangen"
)

// slowSink delays every append (a slow disk), or holds it until gate is
// closed when gate is set, telling entered when one arrives.
type slowSink struct {
	otlp.Sink
	delay   time.Duration
	gate    chan struct{}
	entered chan struct{}
}

func (s *slowSink) wait(ctx context.Context) error {
	if s.entered != nil {
		select {
		case s.entered <- struct{}{}:
		default:
		}
	}
	var release <-chan time.Time
	if s.delay > 0 {
		t := time.NewTimer(s.delay)
		defer t.Stop()
		release = t.C
	}
	select {
	case <-release:
	case <-s.gate: // nil when not gated: never
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

func (s *slowSink) AppendTraces(ctx context.Context, td ptrace.Traces) (int, string, error) {
	if err := s.wait(ctx); err != nil {
		return 0, "", err
	}
	return s.Sink.AppendTraces(ctx, td)
}

func (s *slowSink) AppendLogs(ctx context.Context, ld plog.Logs) (int, string, error) {
	if err := s.wait(ctx); err != nil {
		return 0, "", err
	}
	return s.Sink.AppendLogs(ctx, ld)
}

// startHeld starts a server with cfg whose store holds every request
// until sink.gate is closed, posts a request of 600 spans (of seed) with
// post in the background, and returns once the store holds it: held then
// receives its status (0 if it failed).
func startHeld(t *testing.T, cfg serve.Config, seed byte) (ts *servetest.Server, sink *slowSink, post func() (*http.Response, error), held <-chan int) {
	t.Helper()
	sink = &slowSink{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
	ts = servetest.Start(t, cfg, serve.WithSinkWrapper(func(next otlp.Sink) otlp.Sink { sink.Sink = next; return sink }))
	body, err := spansRequest(600, 10, seed).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	post = func() (*http.Response, error) {
		return servetest.Client.Post("http://"+ts.HTTP+"/v1/traces", "application/x-protobuf", bytes.NewReader(body))
	}
	status := make(chan int, 1)
	go func() {
		resp, err := post()
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	<-sink.entered
	return ts, sink, post, status
}

// spansRequest is an OTLP request of n spans of one trace (of
// internal/spangen's shape), its own for each seed, each span with an
// attribute of attrBytes bytes.
func spansRequest(n, attrBytes int, seed byte) ptraceotlp.ExportRequest {
	td := spangen.Traces(rand.New(rand.NewPCG(uint64(seed), 1)), uint64(seed)<<20, 1, n, time.Now())
	pad := strings.Repeat(string('a'+seed%26), attrBytes)
	for _, rs := range td.ResourceSpans().All() {
		for _, sp := range rs.ScopeSpans().At(0).Spans().All() {
			sp.Attributes().PutStr("pad", pad)
		}
	}
	return ptraceotlp.NewExportRequestFromTraces(td)
}

// TestServeBackpressure: with the store held up, a request that would
// take the items in flight past --max-in-flight is refused at once, with
// 429 and Retry-After over HTTP and RESOURCE_EXHAUSTED with RetryInfo
// over gRPC, and the held request is stored when the store goes on.
func TestServeBackpressure(t *testing.T) {
	noLeaks(t)
	cfg := servetest.Config(t)
	cfg.MaxInFlightItems = 1000
	ts, sink, post, held := startHeld(t, cfg, 1) // 600 of 1000 in flight, held in the sink

	resp, err := post()
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("HTTP over the cap: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	conn, err := grpc.NewClient(ts.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = ptraceotlp.NewGRPCClient(conn).Export(t.Context(), spansRequest(600, 10, 2))
	st := grpcstatus.Convert(err)
	var retry *errdetails.RetryInfo
	for _, d := range st.Details() {
		if r, ok := d.(*errdetails.RetryInfo); ok {
			retry = r
		}
	}
	if st.Code() != codes.ResourceExhausted || retry == nil || retry.RetryDelay.AsDuration() != time.Second {
		t.Errorf("gRPC over the cap: %v, retry info %v", err, retry)
	}

	close(sink.gate)
	if code := <-held; code != http.StatusOK {
		t.Errorf("held request: %d", code)
	}
	var stats serve.Stats
	servetest.GetJSON(t, ts.UI, "/api/stats", 200, &stats)
	tr := stats.Receiver.Traces
	if tr.StoredItems != 600 || tr.RefusedRequests.QueueFull != 2 || tr.ReceivedItems != tr.StoredItems+tr.RefusedItems.Sum() || stats.Store.Spans != 600 {
		t.Errorf("stats: %+v, store %+v", tr, stats.Store)
	}
}

// TestServeMemoryBound: 8 senders push 2 MiB requests (6 each) at a
// serve whose store is slowed down; requests past --max-in-flight are
// refused, and the heap in use (client and server, one process) stays
// under 200 MiB.
func TestServeMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("pushes about 100 MiB of requests")
	}
	noLeaks(t)
	const (
		senders, perSender = 8, 6
		maxHeap            = 200 << 20
	)
	cfg := servetest.Config(t)
	cfg.MaxInFlightItems = 400 // four requests
	ts := servetest.Start(t, cfg, serve.WithSinkWrapper(func(next otlp.Sink) otlp.Sink {
		return &slowSink{Sink: next, delay: 20 * time.Millisecond}
	}))
	bodies := make([][]byte, senders)
	for i := range bodies {
		b, err := spansRequest(100, 21000, byte(i)).MarshalProto()
		if err != nil {
			t.Fatal(err)
		}
		bodies[i] = b
	}
	if n := len(bodies[0]); n < 2<<20 || n > 3<<20 {
		t.Fatalf("request of %d bytes, want about 2 MiB", n)
	}

	var peak atomic.Uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		for p := peak.Load(); ms.HeapInuse > p && !peak.CompareAndSwap(p, ms.HeapInuse); p = peak.Load() {
		}
	}
	stopSampling, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	var ok, throttled, resets atomic.Int64
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for range perSender {
				resp, err := servetest.Client.Post("http://"+ts.HTTP+"/v1/traces", "application/x-protobuf", bytes.NewReader(bodies[s]))
				if err != nil && (errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)) {
					// The receiver refused the request without reading
					// its 2 MiB body, and net/http closed the connection
					// under the client's feet: the 429 is lost.
					resets.Add(1)
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				switch resp.StatusCode {
				case http.StatusOK:
					ok.Add(1)
				case http.StatusTooManyRequests:
					throttled.Add(1)
				default:
					t.Errorf("status %d", resp.StatusCode)
				}
				sample()
			}
		})
	}
	wg.Wait()
	close(stopSampling)
	<-sampled
	t.Logf("%d requests stored, %d refused with 429, %d refused by a connection reset; peak HeapInuse %.1f MiB",
		ok.Load(), throttled.Load(), resets.Load(), float64(peak.Load())/(1<<20))
	if peak.Load() > maxHeap {
		t.Errorf("peak HeapInuse %d MiB, over %d MiB", peak.Load()>>20, maxHeap>>20)
	}
	if ok.Load() == 0 || throttled.Load()+resets.Load() == 0 || ok.Load()+throttled.Load()+resets.Load() != senders*perSender {
		t.Errorf("%d stored, %d throttled, %d reset of %d", ok.Load(), throttled.Load(), resets.Load(), senders*perSender)
	}
	var stats serve.Stats
	servetest.GetJSON(t, ts.UI, "/api/stats", 200, &stats)
	if tr := stats.Receiver.Traces; tr.RefusedRequests.QueueFull != throttled.Load()+resets.Load() || tr.StoredItems != ok.Load()*100 {
		t.Errorf("stats %+v", tr)
	}
}
