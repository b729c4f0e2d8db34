package serve

import (
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/internal/store"
)

func TestStatsLine(t *testing.T) {
	if _, grew := statsLine(otlp.Stats{}, otlp.Stats{}); grew {
		t.Error("nothing grew, yet a line")
	}
	prev := otlp.Stats{}
	prev.Traces.ReceivedItems = 10
	cur := prev
	cur.Traces.Requests.HTTP = 3
	cur.Traces.ReceivedItems = 1010
	cur.Traces.StoredItems = 990
	cur.Traces.RejectedItems = 10
	cur.Traces.RefusedRequests.QueueFull = 1
	cur.Traces.RefusedRequests.Malformed = 1
	cur.Traces.RefusedRequests.Memory = 2
	cur.Traces.RefusedItems.QueueFull = 500
	cur.Metrics.Requests.GRPC = 2
	cur.HTTPUnrouted = 1
	cur.RefusedConnections, cur.MaxConnections = 5, 1024
	line, grew := statsLine(prev, cur)
	want := "traces: 3 requests, 1000 spans received, 990 stored, 10 rejected as invalid, 4 requests refused (500 spans): queue_full 1, malformed 1, memory 2" +
		" | metrics: 2 requests refused (sightline stores no metrics) | 5 connections closed at once: 1024 were open (--max-connections)" +
		" | 1 HTTP requests to unknown paths or with the wrong method"
	if !grew || line != want {
		t.Errorf("line:\n%s\nwant:\n%s", line, want)
	}
	prev, cur = otlp.Stats{}, otlp.Stats{}
	cur.Logs.Requests.GRPC, cur.Logs.ReceivedItems, cur.Logs.StoredItems = 1, 4, 4
	if line, _ := statsLine(prev, cur); line != "logs: 1 requests, 4 log records received, 4 stored, 0 rejected as invalid" {
		t.Errorf("logs line %q", line)
	}
	if got, want := limitsCut(store.Stats{TruncatedValues: 3, DroppedAttributes: 99000}),
		"3 values truncated (--max-value-bytes), 99000 attributes dropped (--max-attributes)"; got != want {
		t.Errorf("limits cut %q, want %q", got, want)
	}
	if got := inFlight(store.Stats{}); got != "" {
		t.Errorf("nothing in flight: %q", got)
	}
	if got, want := inFlight(store.Stats{OpenSpans: 3, LostSpans: 1, Announcements: 120, AnnouncementsRejected: 2}),
		"; in flight: 3 open spans, 1 lost; 120 announcements since start (2 rejected)"; got != want {
		t.Errorf("in flight %q, want %q", got, want)
	}
}

func TestForwardPart(t *testing.T) {
	if _, grew := forwardPart(forward.Stats{QueueRecords: 3}, forward.Stats{QueueRecords: 3}); grew {
		t.Error("nothing forwarded, retried or dropped, yet a part")
	}
	prev := forward.Stats{ForwardedRecords: 100, Retries: 2}
	cur := forward.Stats{ForwardedRecords: 1300, Retries: 32, QueueRecords: 40, QueueBytes: 3355443, MaxBytes: 2 << 30,
		Lag: 12*time.Second + 345678*time.Microsecond, LastError: "dial tcp 10.0.0.1:4317: connection refused"}
	cur.Dropped.Full.Records, cur.Dropped.Rejected.Records, cur.UpstreamRejectedSpans = 4, 1, 7
	part, grew := forwardPart(prev, cur)
	want := "forward: 1200 requests forwarded, 30 retries, 5 dropped (4 when the queue was full, 1 refused by the upstream)" +
		", 7 items refused by the upstream in partial successes, 40 queued (3.2 MiB of 2 GiB), lag 12.346s, last error: dial tcp 10.0.0.1:4317: connection refused"
	if !grew || part != want {
		t.Errorf("part:\n%s\nwant:\n%s", part, want)
	}
	part, _ = forwardPart(forward.Stats{}, forward.Stats{ForwardedRecords: 5, MaxBytes: 16 << 20, LastError: "old"})
	if want := "forward: 5 requests forwarded, 0 retries, 0 dropped, 0 queued (0 bytes of 16 MiB), lag 0s"; part != want {
		t.Errorf("part %q, want %q", part, want)
	}
	var prevR, curR otlp.Stats
	curR.Traces.Requests.HTTP, curR.Traces.ReceivedItems = 2, 2
	curR.Traces.RefusedRequests.ForwardQueueFull, curR.Traces.RefusedItems.ForwardQueueFull = 2, 2
	if line, _ := statsLine(prevR, curR); !strings.HasSuffix(line, "2 requests refused (2 spans): forward_queue_full 2") {
		t.Errorf("line %q", line)
	}
}
