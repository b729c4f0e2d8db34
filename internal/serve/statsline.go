package serve

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/internal/bytesize"
	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/otlp"
	"github.com/sightline-dev/sightline/internal/store"
)

// statsReporter writes, every interval in which a receiver counter grew,
// a line saying by how much, and a last one at stop for what grew since:
// nothing received is ever dropped without a line saying so.
type statsReporter struct {
	rcv  *otlp.Receiver
	st   *store.Store
	fwd  *forward.Forwarder // nil when not forwarding
	out  *output
	quit chan struct{}
	done chan struct{}
}

// startStats starts the reporter's goroutine; stop ends it.
func startStats(interval time.Duration, since time.Time, rcv *otlp.Receiver, st *store.Store, fwd *forward.Forwarder, out *output) *statsReporter {
	r := &statsReporter{rcv: rcv, st: st, fwd: fwd, out: out, quit: make(chan struct{}), done: make(chan struct{})}
	go r.run(interval, since)
	return r
}

func (r *statsReporter) run(interval time.Duration, since time.Time) {
	defer close(r.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	prev, fprev := otlp.Stats{}, forward.Stats{}
	for {
		var stopping bool
		select {
		case <-t.C:
		case <-r.quit:
			stopping = true
		}
		cur, now := r.rcv.Stats(), time.Now()
		line, grew := statsLine(prev, cur)
		if r.fwd != nil {
			fcur := r.fwd.Stats()
			if part, fgrew := forwardPart(fprev, fcur); fgrew {
				if line != "" {
					line += " | "
				}
				line, grew = line+part, true
			}
			fprev = fcur
		}
		if grew {
			r.out.line("last %s: %s%s", now.Sub(since).Round(time.Second), line, r.storeTotals())
		}
		prev, since = cur, now
		if stopping {
			return
		}
	}
}

// stop writes the last line, for what grew since the previous one, and
// returns once the goroutine has ended.
func (r *statsReporter) stop() {
	close(r.quit)
	<-r.done
}

// storeTotals is "; store holds N spans, M logs, 12.5 MiB on disk" and
// what is in flight, or "".
func (r *statsReporter) storeTotals() string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := r.st.Stats(ctx)
	if err != nil {
		return ""
	}
	line := fmt.Sprintf("; store holds %d spans, %d logs, %s on disk", st.Spans, st.Logs, bytesize.Human(st.FileBytes))
	line += inFlight(st)
	if cut := limitsCut(st); cut != "" {
		line += "; cut at ingest since start: " + cut
	}
	return line
}

// inFlight is "; in flight: 3 open spans, 1 lost; 120 announcements
// since start (2 rejected)", or "" when there were none.
func inFlight(st store.Stats) string {
	if st.OpenSpans == 0 && st.LostSpans == 0 && st.Announcements == 0 {
		return ""
	}
	line := fmt.Sprintf("; in flight: %d open spans, %d lost; %d announcements since start", st.OpenSpans, st.LostSpans, st.Announcements)
	if st.AnnouncementsRejected != 0 {
		line += fmt.Sprintf(" (%d rejected)", st.AnnouncementsRejected)
	}
	return line
}

// limitsCut says what the store's ingest limits cut so far ("" for
// nothing): "3 values truncated, 99000 attributes dropped".
func limitsCut(st store.Stats) string {
	var parts []string
	for _, c := range []struct {
		n    int64
		what string
	}{
		{st.TruncatedValues, "values truncated (--max-value-bytes)"},
		{st.DeepValues, "values nested too deep"},
		{st.DroppedAttributes, "attributes dropped (--max-attributes)"},
		{st.DroppedEvents, "events dropped (--max-span-events)"},
		{st.DroppedLinks, "links dropped (--max-span-links)"},
	} {
		if c.n != 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	return strings.Join(parts, ", ")
}

// statsLine describes the counters that grew from prev to cur, such as
// "spans: received 1000, stored 990, rejected 10 | logs: ... | refused:
// traces 3 requests (300 spans): queue_full 3"; grew is false when none
// did.
func statsLine(prev, cur otlp.Stats) (line string, grew bool) {
	var parts []string
	for _, sig := range []struct {
		name, items string
		p, c        otlp.SignalStats
	}{{"traces", "spans", prev.Traces, cur.Traces}, {"logs", "log records", prev.Logs, cur.Logs}} {
		p, c := sig.p, sig.c
		recv, stored, rejected := c.ReceivedItems-p.ReceivedItems, c.StoredItems-p.StoredItems, c.RejectedItems-p.RejectedItems
		reqs := c.Requests.GRPC + c.Requests.HTTP - p.Requests.GRPC - p.Requests.HTTP
		refusedReqs, refusedItems := c.RefusedRequests.Sum()-p.RefusedRequests.Sum(), c.RefusedItems.Sum()-p.RefusedItems.Sum()
		if reqs == 0 && recv == 0 && stored == 0 && rejected == 0 && refusedReqs == 0 && refusedItems == 0 {
			continue
		}
		part := fmt.Sprintf("%s: %d requests, %d %s received, %d stored, %d rejected as invalid", sig.name, reqs, recv, sig.items, stored, rejected)
		if refusedReqs != 0 || refusedItems != 0 {
			part += fmt.Sprintf(", %d requests refused (%d %s): %s", refusedReqs, refusedItems, sig.items, reasonsDelta(p.RefusedRequests, c.RefusedRequests))
		}
		parts = append(parts, part)
	}
	if d := cur.Metrics.Requests.GRPC + cur.Metrics.Requests.HTTP - prev.Metrics.Requests.GRPC - prev.Metrics.Requests.HTTP; d != 0 {
		parts = append(parts, fmt.Sprintf("metrics: %d requests refused (sightline stores no metrics)", d))
	}
	if d := cur.RefusedConnections - prev.RefusedConnections; d != 0 {
		parts = append(parts, fmt.Sprintf("%d connections closed at once: %d were open (--max-connections)", d, cur.MaxConnections))
	}
	if d := cur.HTTPUnrouted - prev.HTTPUnrouted; d != 0 {
		parts = append(parts, fmt.Sprintf("%d HTTP requests to unknown paths or with the wrong method", d))
	}
	return strings.Join(parts, " | "), len(parts) > 0
}

// reasonsDelta lists the reasons that grew: "queue_full 3, malformed 1",
// "memory 2" (--max-in-flight-bytes was reached).
func reasonsDelta(p, c otlp.Reasons) string {
	var out []string
	for _, r := range []struct {
		name string
		d    int64
	}{
		{"queue_full", c.QueueFull - p.QueueFull},
		{"too_large", c.TooLarge - p.TooLarge},
		{"malformed", c.Malformed - p.Malformed},
		{"unsupported_media", c.UnsupportedMedia - p.UnsupportedMedia},
		{"sink_error", c.SinkError - p.SinkError},
		{"canceled", c.Canceled - p.Canceled},
		{"memory", c.Memory - p.Memory},
		{"forward_queue_full", c.ForwardQueueFull - p.ForwardQueueFull},
	} {
		if r.d != 0 {
			out = append(out, fmt.Sprintf("%s %d", r.name, r.d))
		}
	}
	return strings.Join(out, ", ")
}

// forwardPart describes forwarding from prev to cur: "forward: 1200
// requests forwarded, 30 retries, 0 dropped, 40 queued (3.2 MiB of 2
// GiB), lag 12s", with the last error when it retried; grew is false when
// nothing was forwarded, retried or dropped.
func forwardPart(prev, cur forward.Stats) (part string, grew bool) {
	fwd, retries := cur.ForwardedRecords-prev.ForwardedRecords, cur.Retries-prev.Retries
	full, refused := cur.Dropped.Full.Records-prev.Dropped.Full.Records, cur.Dropped.Rejected.Records-prev.Dropped.Rejected.Records
	partial := cur.UpstreamRejectedSpans + cur.UpstreamRejectedLogs - prev.UpstreamRejectedSpans - prev.UpstreamRejectedLogs
	if fwd == 0 && retries == 0 && full == 0 && refused == 0 && partial == 0 {
		return "", false
	}
	part = fmt.Sprintf("forward: %d requests forwarded, %d retries, %d dropped", fwd, retries, full+refused)
	if full+refused != 0 {
		part += fmt.Sprintf(" (%d when the queue was full, %d refused by the upstream)", full, refused)
	}
	if partial != 0 {
		part += fmt.Sprintf(", %d items refused by the upstream in partial successes", partial)
	}
	part += fmt.Sprintf(", %d queued (%s of %s), lag %s", cur.QueueRecords, bytesize.Human(cur.QueueBytes), bytesize.Human(cur.MaxBytes), cur.Lag.Round(time.Millisecond))
	if retries != 0 && cur.LastError != "" {
		part += ", last error: " + cur.LastError
	}
	return part, true
}
