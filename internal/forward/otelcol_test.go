package forward_test

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/otelcoltest"
	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/spangen"
	"github.com/sightline-dev/sightline/internal/store/announcetest"
)

// collectorURL is the URL of c's receiver of the protocol.
func collectorURL(c *otelcoltest.Collector, protocol string) string {
	if protocol == "grpc" {
		return c.GRPCEndpoint()
	}
	return c.HTTPEndpoint()
}

// collectorSent is what a test appended: the span ids, the plain log records'
// bodies, and the announcements, by span id.
type collectorSent struct {
	spans         map[[8]byte]bool
	logBodies     map[string]bool
	announcements map[[8]byte]plog.LogRecord
}

func newCollectorSent() *collectorSent {
	return &collectorSent{spans: map[[8]byte]bool{}, logBodies: map[string]bool{}, announcements: map[[8]byte]plog.LogRecord{}}
}

// traces appends trace request n (spans spans) and notes its span ids.
func (s *collectorSent) traces(t *testing.T, f *forward.Forwarder, n, spans int) {
	t.Helper()
	td := traceRequest(n, spans)
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				s.spans[[8]byte(sp.SpanID())] = true
			}
		}
	}
	if err := f.AppendTraces(td); err != nil {
		t.Fatal(err)
	}
}

// logs appends log request n: on even n, records plain log records; on
// odd n, the heartbeat of an open span of trace n, as sightline's emitter
// announces it (partial.event, partial.frequency, partial.body.type, the
// span as OTLP/JSON TracesData in the body).
func (s *collectorSent) logs(t *testing.T, f *forward.Forwarder, n, records int) {
	t.Helper()
	var ld plog.Logs
	if n%2 == 0 {
		ld = logsRequest(n, records)
		for i := range records {
			s.logBodies[fmt.Sprintf("log %d/%d", n, i)] = true
		}
	} else {
		var id pcommon.SpanID
		binary.BigEndian.PutUint64(id[:], 0xa000_0000+uint64(n))
		start := time.Now().Add(-time.Minute)
		td := announcetest.Span("beamline-7", spangen.TraceID(uint64(n)), id, pcommon.SpanID{}, fmt.Sprintf("scan %d", n), start, time.Time{})
		sp := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		sp.SetKind(ptrace.SpanKindInternal)
		sp.Attributes().PutStr("plan.name", "count")
		sp.Attributes().PutInt("plan.num_points", int64(n))
		ld = announcetest.Heartbeat(td, 10*time.Second, time.Now())
		s.announcements[[8]byte(id)] = ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	}
	if err := f.AppendLogs(ld); err != nil {
		t.Fatal(err)
	}
}

// waitAll waits until every span and log record appended is at c, and
// fails if c has any that were not (by span id, body, or announced span).
// It returns the span id counts.
func (s *collectorSent) waitAll(t *testing.T, c *otelcoltest.Collector) map[[8]byte]int {
	t.Helper()
	wantLogs := len(s.logBodies) + len(s.announcements)
	poll.Until(t, 30*time.Second, fmt.Sprintf("%d spans and %d log records at the collector", len(s.spans), wantLogs), func() bool {
		ids := c.SpanIDs()
		for id := range s.spans {
			if ids[id] == 0 {
				return false
			}
		}
		return s.logsArrived(c) == wantLogs
	})
	ids := c.SpanIDs()
	for id := range ids {
		if !s.spans[id] {
			t.Errorf("span %x at the collector was never appended", id)
		}
	}
	return ids
}

// logsArrived counts the distinct appended log records at c.
func (s *collectorSent) logsArrived(c *otelcoltest.Collector) int {
	seen := map[string]bool{}
	for _, lr := range c.LogRecords() {
		if _, ok := lr.Attributes().Get("partial.event"); ok {
			if _, ok := s.announcements[[8]byte(lr.SpanID())]; ok {
				seen["announcement "+lr.SpanID().String()] = true
			}
		} else if s.logBodies[lr.Body().Str()] {
			seen[lr.Body().Str()] = true
		}
	}
	return len(seen)
}

// checkAnnouncements fails unless every announcement is at c as it was
// appended: ids, time, attributes and body (the OTLP/JSON text, byte for
// byte, which still decodes to the open span).
func (s *collectorSent) checkAnnouncements(t *testing.T, c *otelcoltest.Collector) {
	t.Helper()
	found := 0
	for _, got := range c.LogRecords() {
		want, ok := s.announcements[[8]byte(got.SpanID())]
		if !ok {
			continue
		}
		found++
		if got.TraceID() != want.TraceID() || got.Timestamp() != want.Timestamp() {
			t.Errorf("announcement of %v: trace %v at %v, want %v at %v", got.SpanID(), got.TraceID(), got.Timestamp(), want.TraceID(), want.Timestamp())
		}
		if !got.Attributes().Equal(want.Attributes()) {
			t.Errorf("announcement of %v: attributes %v, want %v", got.SpanID(), got.Attributes().AsRaw(), want.Attributes().AsRaw())
		}
		if got.Body().Type() != pcommon.ValueTypeStr || got.Body().Str() != want.Body().Str() {
			t.Errorf("announcement of %v: body changed:\n%s\nwant\n%s", got.SpanID(), got.Body().AsString(), want.Body().Str())
			continue
		}
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces([]byte(got.Body().Str()))
		if err != nil || td.SpanCount() != 1 || td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SpanID() != got.SpanID() {
			t.Errorf("announcement of %v: the body is not TracesData of its span (%v)", got.SpanID(), err)
		}
	}
	if found < len(s.announcements) {
		t.Errorf("%d of %d announcements at the collector", found, len(s.announcements))
	}
}

// checkSpansOnce fails if a span arrived more than once.
func checkSpansOnce(t *testing.T, ids map[[8]byte]int) {
	t.Helper()
	for id, n := range ids {
		if n != 1 {
			t.Errorf("span %x arrived %d times, want once", id, n)
		}
	}
}

// waitQueueEmpty waits until everything was forwarded and the forwarder idles.
func waitQueueEmpty(t *testing.T, f *forward.Forwarder) forward.Stats {
	t.Helper()
	poll.Until(t, 10*time.Second, "an empty queue", func() bool {
		st := f.Stats()
		return st.QueueRecords == 0 && st.State == "idle"
	})
	return f.Stats()
}

// TestForwardToOTelCollector forwards traces and logs (announcements of
// open spans among them), gzipped, to the real OpenTelemetry Collector
// over each protocol, in batches of many queued requests: every span
// arrives once, every log record arrives, the announcements unchanged,
// and the lag returns to 0.
func TestForwardToOTelCollector(t *testing.T) {
	for _, protocol := range []string{"grpc", "http"} {
		t.Run(protocol, func(t *testing.T) {
			c := otelcoltest.Start(t)
			cfg := testConfig(t, collectorURL(c, protocol))
			cfg.Compression = "gzip" // the collector decodes it
			cfg.SegmentBytes, cfg.BatchBytes = 64<<10, 32<<10
			f := newForwarder(t, cfg)
			s := newCollectorSent()
			const traceRequests, spans, logRequests, records = 200, 5, 60, 3
			for i := range traceRequests {
				s.traces(t, f, i, spans)
				if i < logRequests {
					s.logs(t, f, i, records)
				}
			}
			if st := f.Stats(); st.QueueRecords != traceRequests+logRequests || st.Lag <= 0 {
				t.Fatalf("before Start: %+v", st)
			}
			start(t, f)

			ids := s.waitAll(t, c)
			checkSpansOnce(t, ids)
			s.checkAnnouncements(t, c)
			st := waitQueueEmpty(t, f)
			if st.Lag != 0 || st.OldestUnixNano != 0 || st.ForwardedRecords != traceRequests+logRequests ||
				st.ForwardedRequests >= st.ForwardedRecords || st.Retries != 0 || st.Dropped != (forward.Dropped{}) ||
				st.UpstreamRejectedSpans != 0 || st.UpstreamRejectedLogs != 0 || !st.Connected || st.LastError != "" {
				t.Errorf("after forwarding: %+v", st)
			}
			if got := len(c.Traces()); int64(got) != st.ForwardedRequests-int64(len(c.Logs())) {
				t.Errorf("%d trace and %d log requests at the collector, %d forwarded", got, len(c.Logs()), st.ForwardedRequests)
			}
		})
	}
}

// TestForwardOTelCollectorOutage stops the collector while appends go on,
// starts it again on the same ports, and finds everything there: every
// span (at least once) and log record.
func TestForwardOTelCollectorOutage(t *testing.T) {
	for _, protocol := range []string{"grpc", "http"} {
		t.Run(protocol, func(t *testing.T) {
			c := otelcoltest.Start(t)
			f := newForwarder(t, testConfig(t, collectorURL(c, protocol)))
			start(t, f)
			s := newCollectorSent()
			const spans = 4
			for i := range 30 {
				s.traces(t, f, i, spans)
			}
			s.waitAll(t, c)

			c.Stop()
			for i := 30; i < 100; i++ {
				s.traces(t, f, i, spans)
				if i%7 == 0 {
					s.logs(t, f, i, 2)
				}
			}
			poll.Until(t, 10*time.Second, "retries while the collector is down", func() bool {
				st := f.Stats()
				return st.Retries >= 3 && !st.Connected && st.LastError != ""
			})
			if st := f.Stats(); st.QueueRecords == 0 || st.Lag <= 0 || st.Dropped != (forward.Dropped{}) {
				t.Errorf("during the outage: %+v", st)
			}

			c.Restart()
			ids := s.waitAll(t, c)
			s.checkAnnouncements(t, c)
			if len(ids) != 100*spans {
				t.Errorf("%d distinct spans at the collector, want %d", len(ids), 100*spans)
			}
			st := waitQueueEmpty(t, f)
			if st.Lag != 0 || !st.Connected || st.Dropped != (forward.Dropped{}) || st.ForwardedRecords < 100+10 {
				t.Errorf("after the outage: %+v", st)
			}
		})
	}
}

// TestForwardOTelCollectorRefuses: the collector's exporter refuses the
// first requests of each signal with a retryable error, which the real
// OTLP receiver answers UNAVAILABLE (gRPC) or 503 (HTTP). The forwarder
// retries them; everything arrives once (a refused request was not kept)
// and nothing is dropped.
func TestForwardOTelCollectorRefuses(t *testing.T) {
	for _, protocol := range []string{"grpc", "http"} {
		t.Run(protocol, func(t *testing.T) {
			const refused = 3
			c := otelcoltest.Start(t, otelcoltest.WithFailFirst(refused))
			f := newForwarder(t, testConfig(t, collectorURL(c, protocol)))
			s := newCollectorSent()
			for i := range 20 {
				s.traces(t, f, i, 3)
				if i%4 == 0 {
					s.logs(t, f, i, 2)
				}
			}
			start(t, f)
			ids := s.waitAll(t, c)
			checkSpansOnce(t, ids)
			s.checkAnnouncements(t, c)
			st := waitQueueEmpty(t, f)
			if st.Retries < 2*refused || st.Dropped != (forward.Dropped{}) || st.LastError == "" || !st.Connected {
				t.Errorf("after the refusals: %+v (want at least %d retries, nothing dropped)", st, 2*refused)
			}
		})
	}
}
