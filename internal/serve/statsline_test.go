package serve

import (
	"testing"

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
