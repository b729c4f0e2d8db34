package otelcoltest_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/sightline-dev/sightline/internal/otelcoltest"
	"github.com/sightline-dev/sightline/internal/poll"
)

// oneSpan is a request of one span with id n, named and with attributes.
func oneSpan(n byte) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "otelcoltest")
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetTraceID(pcommon.TraceID{1, 2, 3, n})
	sp.SetSpanID(pcommon.SpanID{9, 8, 7, n})
	sp.SetName("span " + string('a'+rune(n)))
	now := time.Now()
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-time.Second)))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	sp.Attributes().PutStr("motor", "m1")
	sp.Attributes().PutInt("n", int64(n))
	return td
}

// post sends body to the collector's OTLP/HTTP path and returns the
// status, or 0 when nothing answered.
func post(t *testing.T, c *otelcoltest.Collector, path string, body []byte) int {
	t.Helper()
	resp, err := http.Post(c.HTTPEndpoint()+path, "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

func postTraces(t *testing.T, c *otelcoltest.Collector, td ptrace.Traces) int {
	t.Helper()
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	return post(t, c, "/v1/traces", body)
}

func postLogs(t *testing.T, c *otelcoltest.Collector, ld plog.Logs) int {
	t.Helper()
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	return post(t, c, "/v1/logs", body)
}

func waitSpan(t *testing.T, c *otelcoltest.Collector, id pcommon.SpanID) {
	t.Helper()
	poll.Until(t, 10*time.Second, "the span at the collector", func() bool { return c.SpanIDs()[id] > 0 })
}

// TestCollectorReceivesASpan sends the real collector one span over
// OTLP/HTTP and reads it back as it was sent: resource, name, ids, times
// and attributes.
func TestCollectorReceivesASpan(t *testing.T) {
	c := otelcoltest.Start(t)
	sent := oneSpan(1)
	if code := postTraces(t, c, sent); code != http.StatusOK {
		t.Fatalf("POST /v1/traces: %d, want 200", code)
	}
	id := sent.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).SpanID()
	waitSpan(t, c, id)
	got := c.Traces()
	if len(got) != 1 {
		t.Fatalf("%d trace requests at the collector, want 1", len(got))
	}
	want := sent.ResourceSpans().At(0)
	rs := got[0].ResourceSpans().At(0)
	if !rs.Resource().Attributes().Equal(want.Resource().Attributes()) {
		t.Errorf("resource %v, want %v", rs.Resource().Attributes().AsRaw(), want.Resource().Attributes().AsRaw())
	}
	if sp, ws := rs.ScopeSpans().At(0).Spans().At(0), want.ScopeSpans().At(0).Spans().At(0); sp.Name() != ws.Name() ||
		sp.TraceID() != ws.TraceID() || sp.StartTimestamp() != ws.StartTimestamp() || sp.EndTimestamp() != ws.EndTimestamp() ||
		!sp.Attributes().Equal(ws.Attributes()) {
		t.Errorf("span %s %v %v, want %s %v %v", sp.Name(), sp.TraceID(), sp.Attributes().AsRaw(), ws.Name(), ws.TraceID(), ws.Attributes().AsRaw())
	}
	if ids := c.SpanIDs(); len(ids) != 1 || ids[id] != 1 {
		t.Errorf("span ids %v, want only %v once", ids, id)
	}
	if n := len(c.LogRecords()); n != 0 {
		t.Errorf("%d log records, none sent", n)
	}
}

// TestCollectorRestart stops the collector (nothing answers), restarts it
// on the same port and file: what it had is still read, and what is sent
// now is added.
func TestCollectorRestart(t *testing.T) {
	c := otelcoltest.Start(t)
	endpoint := c.HTTPEndpoint()
	if code := postTraces(t, c, oneSpan(1)); code != http.StatusOK {
		t.Fatalf("POST: %d", code)
	}
	waitSpan(t, c, pcommon.SpanID{9, 8, 7, 1})

	c.Stop()
	if code := postTraces(t, c, oneSpan(2)); code != 0 {
		t.Fatalf("POST to a stopped collector answered %d", code)
	}
	c.Restart()
	if c.HTTPEndpoint() != endpoint {
		t.Fatalf("restarted at %s, was %s", c.HTTPEndpoint(), endpoint)
	}
	if code := postTraces(t, c, oneSpan(3)); code != http.StatusOK {
		t.Fatalf("POST after the restart: %d", code)
	}
	waitSpan(t, c, pcommon.SpanID{9, 8, 7, 3})
	ids := c.SpanIDs()
	if len(ids) != 2 || ids[pcommon.SpanID{9, 8, 7, 1}] != 1 || ids[pcommon.SpanID{9, 8, 7, 3}] != 1 {
		t.Errorf("span ids after the restart: %v, want spans 1 and 3 once each", ids)
	}
}

// TestCollectorFailFirst: with WithFailFirst(2) the collector answers the
// first two requests of each signal 503 and keeps nothing of them, then
// takes the same request.
func TestCollectorFailFirst(t *testing.T) {
	c := otelcoltest.Start(t, otelcoltest.WithFailFirst(2))
	td := oneSpan(1)
	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("hello")
	for i := range 2 {
		if code := postTraces(t, c, td); code != http.StatusServiceUnavailable {
			t.Fatalf("trace request %d: %d, want 503", i+1, code)
		}
	}
	if code := postLogs(t, c, ld); code != http.StatusServiceUnavailable {
		t.Fatalf("first log request: %d, want 503 (each signal counts its own)", code)
	}
	if code := postTraces(t, c, td); code != http.StatusOK {
		t.Fatalf("third trace request: %d, want 200", code)
	}
	waitSpan(t, c, pcommon.SpanID{9, 8, 7, 1})
	if ids := c.SpanIDs(); len(ids) != 1 || ids[pcommon.SpanID{9, 8, 7, 1}] != 1 {
		t.Errorf("span ids %v: the refused requests were kept", ids)
	}
	if n := len(c.LogRecords()); n != 0 {
		t.Errorf("%d log records: a refused request was kept", n)
	}
}
