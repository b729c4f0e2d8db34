package forward_test

import (
	"encoding/binary"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/otlphttp/otlphttptest"
	"github.com/sightline-dev/sightline/internal/poll"
)

// padRequest is request i: one span, span id i, padded to about 200 KiB.
func padRequest(i int) ptrace.Traces {
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName("pad")
	sp.SetTraceID([16]byte{1})
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], uint64(i+1))
	sp.SetSpanID(id)
	sp.Attributes().PutStr("pad", strings.Repeat("x", 200<<10))
	return td
}

// TestDropOldestBatchOut: under drop-oldest, the batch the forwarder holds
// (waiting to retry, or being sent) may have its segment dropped to make
// room. Dropped.Full then counts exactly the records the upstream never
// got: a batch waiting to retry is given up, one whose send was under way
// and accepted counts as forwarded, not dropped.
func TestDropOldestBatchOut(t *testing.T) {
	for _, tc := range []struct {
		name string
		// inFlight holds the first request open while the queue drops its
		// segment, then accepts it; otherwise the upstream answers 503
		// until every append is done.
		inFlight bool
	}{{"retrying", false}, {"sending", true}} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				mu       sync.Mutex
				accept   bool
				accepted = map[int]bool{}
			)
			entered, release := make(chan struct{}), make(chan struct{})
			srv := otlphttptest.NewServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
				if tc.inFlight && n == 1 {
					close(entered)
					<-release
				} else {
					mu.Lock()
					ok := accept
					mu.Unlock()
					if !ok {
						w.WriteHeader(http.StatusServiceUnavailable)
						return
					}
				}
				mu.Lock()
				accepted[n] = true
				mu.Unlock()
			})
			cfg := testConfig(t, srv.URL)
			cfg.MaxBytes, cfg.WhenFull, cfg.Compression = forward.MinMaxBytes, forward.DropOldest, "none"
			f := newForwarder(t, cfg)
			if err := f.AppendTraces(padRequest(0)); err != nil {
				t.Fatal(err)
			}
			start(t, f)
			if tc.inFlight {
				<-entered
			} else {
				poll.Until(t, 10*time.Second, "a retry", func() bool { return f.Stats().Retries > 0 })
			}
			const n = 120 // 24 MiB through a 16 MiB queue
			for i := 1; i < n; i++ {
				if err := f.AppendTraces(padRequest(i)); err != nil {
					t.Fatal(err)
				}
			}
			if st := f.Stats(); st.Dropped.Full.Records == 0 {
				t.Fatalf("nothing dropped: %+v", st)
			}
			mu.Lock()
			accept = true
			mu.Unlock()
			close(release)
			st := waitForwarded(t, f)

			got := map[uint64]bool{}
			for i, req := range srv.Received() {
				mu.Lock()
				ok := accepted[i+1]
				mu.Unlock()
				if !ok {
					continue
				}
				er := ptraceotlp.NewExportRequest()
				if err := er.UnmarshalProto(req.Body); err != nil {
					t.Fatal(err)
				}
				for _, rs := range er.Traces().ResourceSpans().All() {
					for _, ss := range rs.ScopeSpans().All() {
						for _, sp := range ss.Spans().All() {
							id := sp.SpanID()
							got[binary.BigEndian.Uint64(id[:])] = true
						}
					}
				}
			}
			if missing := int64(n - len(got)); missing != st.Dropped.Full.Records || st.ForwardedRecords != int64(len(got)) {
				t.Errorf("%d of %d requests never reached the upstream, %d forwarded; stats say %d dropped, %d forwarded",
					missing, n, len(got), st.Dropped.Full.Records, st.ForwardedRecords)
			}
			if tc.inFlight && !got[1] {
				t.Error("the request held open while its segment was dropped did not arrive")
			}
			if !got[n] {
				t.Error("the newest request did not arrive")
			}
		})
	}
}
