package forward_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
)

// upstreamURL is the URL of srv's receiver of the protocol.
func upstreamURL(srv *servetest.Server, protocol string) string {
	if protocol == "grpc" {
		return "grpc://" + srv.GRPC
	}
	return "http://" + srv.HTTP
}

func segmentFileCount(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "seg-") {
			n++
		}
	}
	return n
}

// TestForwardToServe forwards what was queued, traces and logs, to a real
// sightline serve over each protocol: every span and log record arrives,
// the lag returns to 0, forwarded segments are deleted, and a queue opened
// again after Shutdown has nothing left to send.
func TestForwardToServe(t *testing.T) {
	for _, protocol := range []string{"http", "grpc"} {
		t.Run(protocol, func(t *testing.T) {
			up := servetest.Start(t, servetest.Config(t))
			cfg := testConfig(t, upstreamURL(up, protocol))
			cfg.SegmentBytes = 64 << 10
			cfg.BatchBytes = 32 << 10
			f := newForwarder(t, cfg)
			const requests, spans, logRecords = 300, 5, 3
			for i := range requests {
				if err := f.AppendTraces(traceRequest(i, spans)); err != nil {
					t.Fatal(err)
				}
				if i%3 == 0 {
					if err := f.AppendLogs(logsRequest(i, logRecords)); err != nil {
						t.Fatal(err)
					}
				}
			}
			st := f.Stats()
			if st.QueueRecords != requests+requests/3 || st.Segments < 3 || st.Lag <= 0 || st.State != "not_started" {
				t.Fatalf("before Start: %+v", st)
			}
			if n := segmentFileCount(t, cfg.Dir); n != st.Segments {
				t.Errorf("%d segment files, Stats says %d", n, st.Segments)
			}

			start(t, f)
			waitSpans(t, up.UI, requests*spans)
			poll.Until(t, 10*time.Second, "log records upstream", func() bool {
				_, logs := upstreamCounts(t, up.UI)
				return logs >= requests/3*logRecords
			})
			poll.Until(t, 10*time.Second, "an empty queue", func() bool {
				st := f.Stats()
				return st.QueueRecords == 0 && st.State == "idle"
			})
			st = f.Stats()
			if st.Lag != 0 || st.OldestUnixNano != 0 || st.Segments != 1 || st.ForwardedRecords != requests+requests/3 ||
				st.ForwardedRequests >= st.ForwardedRecords || st.Retries != 0 || st.Dropped != (forward.Dropped{}) || !st.Connected {
				t.Errorf("after forwarding: %+v", st)
			}
			if _, logs := upstreamCounts(t, up.UI); logs != requests/3*logRecords {
				t.Errorf("%d log records upstream, want %d", logs, requests/3*logRecords)
			}
			if n := segmentFileCount(t, cfg.Dir); n != 1 {
				t.Errorf("%d segment files left", n)
			}
			if err := f.Shutdown(t.Context()); err != nil {
				t.Fatal(err)
			}
			if err := f.Append(forward.Traces, []byte{}); err == nil {
				t.Error("Append after Shutdown succeeded")
			}
			// The cursor was saved: a new forwarder has nothing to send.
			again := newForwarder(t, cfg)
			if st := again.Stats(); st.QueueRecords != 0 {
				t.Errorf("reopened: %d records to send again", st.QueueRecords)
			}
		})
	}
}

// TestForwardOutage keeps appending while the upstream is down, retries
// until an upstream is back on the same ports, and delivers everything.
func TestForwardOutage(t *testing.T) {
	for _, protocol := range []string{"http", "grpc"} {
		t.Run(protocol, func(t *testing.T) {
			ucfg := servetest.Config(t)
			ports := freePorts(t, 2)
			ucfg.GRPCAddr, ucfg.HTTPAddr = ports[0], ports[1]
			up := servetest.Start(t, ucfg)
			f := newForwarder(t, testConfig(t, upstreamURL(up, protocol)))
			start(t, f)
			const spans = 4
			for i := range 50 {
				if err := f.AppendTraces(traceRequest(i, spans)); err != nil {
					t.Fatal(err)
				}
			}
			waitSpans(t, up.UI, 50*spans)

			if err := up.Stop(); err != nil {
				t.Fatal(err)
			}
			for i := 50; i < 150; i++ {
				if err := f.AppendTraces(traceRequest(i, spans)); err != nil {
					t.Fatal(err)
				}
			}
			poll.Until(t, 10*time.Second, "retries while the upstream is down", func() bool {
				st := f.Stats()
				return st.Retries >= 3 && !st.Connected && st.LastError != ""
			})
			if st := f.Stats(); st.QueueRecords == 0 || st.Lag <= 0 || st.Dropped != (forward.Dropped{}) {
				t.Errorf("during the outage: %+v", st)
			}

			up2 := servetest.Start(t, ucfg) // same ports, same data directory
			waitSpans(t, up2.UI, 150*spans)
			poll.Until(t, 10*time.Second, "an empty queue", func() bool { return f.Stats().QueueRecords == 0 })
			if st := f.Stats(); !st.Connected || st.Dropped != (forward.Dropped{}) || st.ForwardedRecords < 150 {
				t.Errorf("after the outage: %+v", st)
			}
		})
	}
}
