package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	grpcstatus "google.golang.org/grpc/status"

	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/serve"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
)

// procStatus returns a "kB" field of /proc/<pid>/status (VmHWM: the peak
// resident set so far; VmRSS: the resident set now), in bytes.
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("%s: %q: %v", field, v, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// startMemoryChild builds and starts `sightline serve` on free ports with
// args, for the tests that measure its memory.
func startMemoryChild(t *testing.T, args ...string) *child {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and sends gigabytes")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skipf("no /proc to read the peak RSS from: %v", err)
	}
	bin := buildSightline(t)
	return startChild(t, bin, append([]string{"--data", t.TempDir(), "--grpc", "127.0.0.1:0", "--http", "127.0.0.1:0", "--ui", "127.0.0.1:0"}, args...)...)
}

// deepJSONTraces is an OTLP-JSON trace request whose span attribute nests
// n arrays: about 28 bytes a level (the body: n = 1,000,000, 28 MB).
func deepJSONTraces(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"deep","attributes":[{"key":"deep","value":`)
	for range n {
		b.WriteString(`{"arrayValue":{"values":[`)
	}
	b.WriteString(`{"stringValue":"x"}`)
	for range n {
		b.WriteString(`]}}`)
	}
	b.WriteString(`}]}]}]}]}`)
	return b.Bytes()
}

// postBody posts body with a content type and returns the status, the
// Retry-After header and the answer.
func postBody(url, contentType string, body io.Reader, length int64) (int, string, string, error) {
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		return 0, "", "", err
	}
	req.ContentLength = length
	req.Header.Set("Content-Type", contentType)
	resp, err := servetest.Client.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b), err
}

// TestServeDeepJSON: the body, an attribute nesting arrays a
// million levels deep (28 MB, under --max-request-bytes 32MiB), is answered
// 400 naming the depth limit, alone and six at once, without the process
// dying (it used to overflow its stack) or its peak RSS jumping (one such
// request took it from 27 MB to 840 MB, six to 4.8 GB); serve then stores
// a valid request.
func TestServeDeepJSON(t *testing.T) {
	c := startMemoryChild(t, "--max-request-bytes", "32MiB")
	pid := c.cmd.Process.Pid
	body := deepJSONTraces(1_000_000)
	url := "http://" + c.addrs.HTTP + "/v1/traces"
	base := procStatus(t, pid, "VmHWM")

	for _, tc := range []struct {
		parallel  int
		maxGrowth int64 // over the peak before the first request
	}{
		{1, 100 << 20},
		{6, 400 << 20},
	} {
		var wg sync.WaitGroup
		for range tc.parallel {
			wg.Go(func() {
				status, _, answer, err := postBody(url, "application/json", bytes.NewReader(body), int64(len(body)))
				if err != nil || status != http.StatusBadRequest ||
					!strings.Contains(answer, "decode traces JSON: JSON nests deeper than the limit of 160 levels (level 161 opens at byte") {
					t.Errorf("deep body: %d %q %v, want 400 naming the limit", status, answer, err)
				}
			})
		}
		wg.Wait()
		hwm := procStatus(t, pid, "VmHWM")
		t.Logf("%d at once: peak RSS %.0f MiB (%.0f MiB before the first)", tc.parallel, float64(hwm)/(1<<20), float64(base)/(1<<20))
		if hwm-base > tc.maxGrowth {
			t.Errorf("%d at once: peak RSS grew by %d MiB, over %d MiB", tc.parallel, (hwm-base)>>20, tc.maxGrowth>>20)
		}
	}

	valid, err := ptraceotlp.NewExportRequestFromTraces(sampleSpan(pcommon.TraceID{7, 7, 7}, 10)).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if status, _, answer, err := postBody(url, "application/json", bytes.NewReader(valid), int64(len(valid))); err != nil || status != 200 {
		t.Fatalf("valid request after the deep ones: %d %q %v (serve alive: %v)", status, answer, err, c.cmd.ProcessState == nil)
	}
	var stats serve.Stats
	servetest.GetJSON(t, c.addrs.UI, "/api/stats", 200, &stats)
	if tr := stats.Receiver.Traces; tr.RefusedRequests.Malformed != 7 || tr.StoredItems != 1 {
		t.Errorf("stats %+v: want 7 malformed requests and 1 span stored", tr)
	}
}

// sampleSpan is one span of trace tid with an attribute of pad bytes.
func sampleSpan(tid pcommon.TraceID, pad int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "memory")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(tid)
	sp.SetSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8})
	sp.SetName("big")
	now := time.Now()
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(time.Millisecond)))
	sp.Attributes().PutStr("pad", strings.Repeat("m", pad))
	return td
}

// bigRequests makes n protobuf trace requests of one span with a string
// attribute of pad bytes, each of its own trace, without holding n copies:
// each is the template's bytes with its own trace id in the middle, the
// bytes around it shared by all.
type bigRequests struct {
	before, after []byte // the template around its trace id
}

func newBigRequests(t *testing.T, pad int) *bigRequests {
	t.Helper()
	template := pcommon.TraceID{0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee}
	b, err := ptraceotlp.NewExportRequestFromTraces(sampleSpan(template, pad)).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(b, template[:])
	if at < 0 {
		t.Fatal("no trace id in the request")
	}
	return &bigRequests{before: b[:at:at], after: b[at+len(template):]}
}

// parts returns request i in three parts: the shared bytes before its
// trace id, its trace id, the shared bytes after.
func (r *bigRequests) parts(i int) [3][]byte {
	return [3][]byte{r.before, fmt.Appendf(nil, "%016d", i), r.after}
}

func (r *bigRequests) size() int64 { return int64(len(r.before) + 16 + len(r.after)) }

// partsCodec sends a request given as a mem.BufferSlice as it is, so that
// 64 requests of 15 MB share their bytes in the test process.
type partsCodec struct{}

func (partsCodec) Name() string { return "proto" }

func (partsCodec) Marshal(v any) (mem.BufferSlice, error) { return v.(mem.BufferSlice), nil }

func (partsCodec) Unmarshal(mem.BufferSlice, any) error { return nil }

// retryDelay returns a status's RetryInfo delay, or 0 without one.
func retryDelay(st *grpcstatus.Status) time.Duration {
	for _, d := range st.Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return ri.GetRetryDelay().AsDuration()
		}
	}
	return 0
}

// memoryFloodBound is the bound docs/security.md states for serve's peak
// RSS, about 100 MiB + 2 x --max-in-flight-bytes, with the default 256 MiB:
// 612 MiB. 64 clients sending a 15 MB span at once measured 358-496 MiB
// over gRPC and 262-390 MiB over HTTP.
const memoryFloodBound = 100<<20 + 2*otlp.DefaultMaxInFlightBytes

// TestServeGRPCMemoryBound: 64 gRPC clients, each on its own connection,
// send a 15 MB span at once. Every request is stored or refused with
// RESOURCE_EXHAUSTED and a retry delay, counted as memory, and serve's
// peak RSS stays under memoryFloodBound (it reached 1.3-1.6 GB before
// admission counted bytes).
func TestServeGRPCMemoryBound(t *testing.T) {
	c := startMemoryChild(t)
	reqs := newBigRequests(t, 15_000_000)
	const clients = 64
	var (
		wg                sync.WaitGroup
		mu                sync.Mutex
		stored, throttled int
	)
	start := make(chan struct{})
	for i := range clients {
		conn, err := grpc.NewClient(c.addrs.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Connect()
		wg.Go(func() {
			p := reqs.parts(i)
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var out struct{}
			err := conn.Invoke(ctx, "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
				mem.BufferSlice{mem.SliceBuffer(p[0]), mem.SliceBuffer(p[1]), mem.SliceBuffer(p[2])}, &out, grpc.ForceCodecV2(partsCodec{}))
			st := grpcstatus.Convert(err)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				stored++
			case st.Code() == codes.ResourceExhausted && retryDelay(st) > 0:
				throttled++
			default:
				t.Errorf("client %d: %v (retry delay %v), want OK or RESOURCE_EXHAUSTED with a retry delay", i, err, retryDelay(st))
			}
		})
	}
	close(start)
	wg.Wait()
	checkFlood(t, c, "gRPC", stored, throttled, clients)
}

// TestServeHTTPMemoryBound: the same over OTLP/HTTP: 64 clients post a
// 15 MB span at once; every request is stored or refused with 429 and
// Retry-After, and the peak RSS stays under memoryFloodBound.
func TestServeHTTPMemoryBound(t *testing.T) {
	c := startMemoryChild(t)
	reqs := newBigRequests(t, 15_000_000)
	const clients = 64
	var (
		wg                sync.WaitGroup
		mu                sync.Mutex
		stored, throttled int
	)
	start := make(chan struct{})
	for i := range clients {
		wg.Go(func() {
			p := reqs.parts(i)
			<-start
			status, retryAfter, answer, err := postBody("http://"+c.addrs.HTTP+"/v1/traces", "application/x-protobuf",
				io.MultiReader(bytes.NewReader(p[0]), bytes.NewReader(p[1]), bytes.NewReader(p[2])), reqs.size())
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && status == http.StatusOK:
				stored++
			case err == nil && status == http.StatusTooManyRequests && retryAfter != "":
				throttled++
			default:
				t.Errorf("client %d: %d Retry-After %q %q %v, want 200 or 429 with Retry-After", i, status, retryAfter, answer, err)
			}
		})
	}
	close(start)
	wg.Wait()
	checkFlood(t, c, "HTTP", stored, throttled, clients)
}

// checkFlood checks the outcome of a flood: everything answered, the
// counters agree, the bytes in flight return to 0, the peak RSS is under
// memoryFloodBound.
func checkFlood(t *testing.T, c *child, transport string, stored, throttled, clients int) {
	t.Helper()
	hwm := procStatus(t, c.cmd.Process.Pid, "VmHWM")
	t.Logf("%s: %d stored, %d refused for memory; peak RSS %.0f MiB", transport, stored, throttled, float64(hwm)/(1<<20))
	if stored == 0 || stored+throttled != clients {
		t.Errorf("%d stored and %d refused of %d", stored, throttled, clients)
	}
	if hwm > memoryFloodBound {
		t.Errorf("peak RSS %d MiB, over the bound of %d MiB", hwm>>20, memoryFloodBound>>20)
	}
	var stats serve.Stats
	poll.Until(t, time.Minute, "the bytes in flight to return to 0", func() bool {
		servetest.GetJSON(t, c.addrs.UI, "/api/stats", 200, &stats)
		return stats.Receiver.InFlightBytes == 0
	})
	tr := stats.Receiver.Traces
	if tr.StoredItems != int64(stored) || tr.RefusedRequests.Memory != int64(throttled) || stats.Receiver.MaxInFlightBytes != otlp.DefaultMaxInFlightBytes {
		t.Errorf("stats %+v (max in-flight bytes %d): want %d stored, %d refused for memory", tr, stats.Receiver.MaxInFlightBytes, stored, throttled)
	}
}
