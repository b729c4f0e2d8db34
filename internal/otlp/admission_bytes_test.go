package otlp

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sightline-dev/sightline/internal/bytesize"
)

// TestReservation drives the byte budget through reserve, shrink and
// release and checks what is held after each step.
func TestReservation(t *testing.T) {
	type step struct {
		op   string // "reserve", "shrink", "release"
		res  int    // which reservation (index into the ones reserved)
		n    int64
		ok   bool  // reserve: whether it fits
		held int64 // bytes in flight after the step
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"fits, then does not", []step{
			{"reserve", 0, 60, true, 60}, {"reserve", 1, 41, false, 60}, {"reserve", 1, 40, true, 100}, {"reserve", 2, 1, false, 100},
		}},
		{"shrink makes room", []step{
			{"reserve", 0, 100, true, 100}, {"reserve", 1, 30, false, 100}, {"shrink", 0, 70, false, 70}, {"reserve", 1, 30, true, 100},
		}},
		{"shrink never grows", []step{
			{"reserve", 0, 50, true, 50}, {"shrink", 0, 80, false, 50}, {"shrink", 0, 0, false, 0}, {"release", 0, 0, false, 0},
		}},
		{"release is idempotent", []step{
			{"reserve", 0, 50, true, 50}, {"reserve", 1, 20, true, 70}, {"release", 0, 0, false, 20}, {"release", 0, 0, false, 20}, {"shrink", 0, 10, false, 20},
		}},
		{"zero bytes always fit", []step{
			{"reserve", 0, 100, true, 100}, {"reserve", 1, 0, true, 100}, {"release", 1, 0, false, 100},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAdmission(10, 100, 1)
			var held []*reservation
			for i, s := range tt.steps {
				switch s.op {
				case "reserve":
					r := a.reserve(s.n)
					if (r != nil) != s.ok {
						t.Fatalf("step %d: reserve(%d) fits %v, want %v", i, s.n, r != nil, s.ok)
					}
					if r != nil {
						held = append(held, r)
					}
				case "shrink":
					held[s.res].shrink(s.n)
				case "release":
					held[s.res].release()
				}
				if got := a.inFlightBytes(); got != s.held {
					t.Fatalf("step %d (%s %d): %d bytes in flight, want %d", i, s.op, s.n, got, s.held)
				}
			}
		})
	}

	var none *reservation // a refused reservation: its methods do nothing
	none.shrink(1)
	none.release()
	if none.held() != 0 {
		t.Error("a nil reservation holds bytes")
	}
}

// TestReservationConcurrent: concurrent reservations, shrinks and releases
// never take the bytes in flight over the bound, and return them all.
func TestReservationConcurrent(t *testing.T) {
	a := newAdmission(10, 1000, 1)
	var wg sync.WaitGroup
	var over atomic.Bool
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				r := a.reserve(int64(100 + g))
				if r == nil {
					continue
				}
				if a.inFlightBytes() > 1000 {
					over.Store(true)
				}
				r.shrink(int64(i % 50))
				// shrink and release racing on one reservation
				var inner sync.WaitGroup
				inner.Go(r.release)
				r.shrink(1)
				r.release()
				inner.Wait()
			}
		})
	}
	wg.Wait()
	if over.Load() || a.inFlightBytes() != 0 {
		t.Errorf("over the bound %v, %d bytes in flight at the end", over.Load(), a.inFlightBytes())
	}
}

// padded is a trace request of one span with an attribute of n bytes.
func padded(n int) ptraceotlp.ExportRequest {
	td := sampleTraces(1)
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutStr("pad", strings.Repeat("p", n))
	return ptraceotlp.NewExportRequestFromTraces(td)
}

func paddedProto(t *testing.T, n int) []byte {
	t.Helper()
	b, err := padded(n).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// costOf is what the protobuf request body costs once decoded (cost.go).
func costOf(t *testing.T, body []byte, sig signal) int64 {
	t.Helper()
	c, err := protoCost(body, sig)
	if err != nil {
		t.Fatal(err)
	}
	return c.bytes
}

// TestHTTPByteAdmission: an HTTP request holds its Content-Length while it
// is read, and MaxRequestBytes while a body of unknown size (chunked,
// gzipped) or a gRPC message is read, then its decoded cost until the sink
// returns; one that does not fit is refused at once with 429 /
// RESOURCE_EXHAUSTED and a retry delay, counted as memory, and passes once
// the bytes are released.
func TestHTTPByteAdmission(t *testing.T) {
	cfg := testConfig()
	cfg.MaxRequestBytes = 64 << 10
	cfg.MaxInFlightBytes = 96 << 10
	sink := newFakeSink()
	gate := make(chan struct{})
	sink.set(sinkBehavior{gate: gate})
	r := startReceiver(t, cfg, sink)
	conn := dial(t, r)
	_, addr := r.Addrs()

	// A 40 KiB body is held in the sink, with its decoded cost.
	big := paddedProto(t, 40<<10)
	bigCost := costOf(t, big, signalTraces)
	held := make(chan httpResult, 2)
	go func() { held <- postQuiet(r, pathTraces, big) }()
	sink.waitEntered(t)
	if got := r.Stats().InFlightBytes; got != bigCost {
		t.Fatalf("in-flight bytes %d while a %d-byte body is stored, want its cost %d", got, len(big), bigCost)
	}

	small := paddedProto(t, 100)
	wantMsg := "receiver is busy: " + bytesize.Human(bigCost) + " of requests in flight, 64 KiB more would exceed the limit of 96 KiB; retry after 1s"
	refusals := []struct {
		name string
		send func() httpResult
	}{
		{"chunked", func() httpResult {
			return post(t, r, pathTraces, contentTypeProto, "", unknownLength{bytes.NewReader(small)})
		}},
		{"gzipped", func() httpResult {
			return post(t, r, pathTraces, contentTypeProto, "gzip", bytes.NewReader(gzipped(t, small)))
		}},
	}
	for _, rf := range refusals {
		res := rf.send()
		if res.status != 429 || res.header.Get("Retry-After") != "1" || res.rpcStatus(t).GetMessage() != wantMsg {
			t.Errorf("%s: %d Retry-After %q %q, want 429, 1 and %q", rf.name, res.status, res.header.Get("Retry-After"), res.rpcStatus(t).GetMessage(), wantMsg)
		}
	}
	_, err := ptraceotlp.NewGRPCClient(conn).Export(context.Background(), padded(100))
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted || retryInfo(st) != time.Second || st.Message() != wantMsg {
		t.Errorf("gRPC: %v %q RetryInfo %v, want ResourceExhausted %q with RetryInfo 1s", st.Code(), st.Message(), retryInfo(st), wantMsg)
	}

	// A body whose Content-Length fits is admitted beside it.
	mid := paddedProto(t, 20<<10)
	go func() { held <- httpClientPostOK("http://"+addr+pathTraces, mid) }()
	sink.waitEntered(t)
	if got, want := r.Stats().InFlightBytes, bigCost+costOf(t, mid, signalTraces); got != want {
		t.Errorf("in-flight bytes %d, want %d", got, want)
	}

	close(gate)
	for range 2 {
		if res := <-held; res.status != 200 {
			t.Errorf("held request: status %d %q", res.status, res.body)
		}
	}
	if got := r.Stats().InFlightBytes; got != 0 {
		t.Errorf("in-flight bytes %d after the sink returned, want 0", got)
	}
	// Released: the refused kinds pass.
	for _, rf := range refusals {
		if res := rf.send(); res.status != 200 {
			t.Errorf("%s after release: status %d %q", rf.name, res.status, res.body)
		}
	}
	if _, err := ptraceotlp.NewGRPCClient(conn).Export(context.Background(), padded(100)); err != nil {
		t.Errorf("gRPC after release: %v", err)
	}

	s := r.Stats().Traces
	if s.RefusedRequests.Memory != 3 || s.RefusedItems.Memory != 0 || s.Requests.HTTP != 6 || s.Requests.GRPC != 2 || s.StoredItems != 5 {
		t.Errorf("stats %+v: want 3 requests refused for memory (no items), 6 HTTP and 2 gRPC requests, 5 spans stored", s)
	}
	checkBalance(t, s)
}

// httpClientPostOK is postQuiet by URL.
func httpClientPostOK(url string, body []byte) httpResult {
	res, err := httpClientPost(url, body)
	if err != nil {
		return httpResult{status: -1, body: []byte(err.Error())}
	}
	return res
}

// TestHTTPBytesRefusedAtOnce: when the bytes in flight leave no room, an
// HTTP request is refused at once, before its body is read.
func TestHTTPBytesRefusedAtOnce(t *testing.T) {
	cfg := testConfig()
	cfg.MaxRequestBytes = 64 << 10
	cfg.MaxInFlightBytes = 64 << 10
	r, err := New(cfg, newFakeSink())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Shutdown(context.Background()) }()
	for range cap(r.admission.decodeSlot) {
		r.admission.decodeSlot <- struct{}{} // every decode slot busy
	}
	held := r.admission.reserve(60 << 10)
	defer held.release()

	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, pathLogs, bytes.NewReader(paddedProto(t, 8<<10)))
	req.Header.Set("Content-Type", contentTypeProto)
	w := httptest.NewRecorder()
	r.httpHandler().ServeHTTP(w, req)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" || ctx.Err() != nil {
		t.Errorf("status %d Retry-After %q (context %v), want 429 and 1 at once", w.Code, w.Header().Get("Retry-After"), ctx.Err())
	}
	if got := r.Stats().Logs.RefusedRequests.Memory; got != 1 {
		t.Errorf("memory refusals %d, want 1", got)
	}
}
