package forward_test

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/internal/forward"
	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/internal/sampling"
	"github.com/sightline-dev/sightline/internal/serve/servetest"
	"github.com/sightline-dev/sightline/internal/store"
	"github.com/sightline-dev/sightline/internal/store/announcetest"
)

// samplingConfig parses a sampling configuration, failing t if it is bad.
func samplingConfig(t *testing.T, js string) *sampling.Config {
	t.Helper()
	c, err := sampling.Parse([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return &c
}

// upstreamTrace is trace id's spans upstream; nil when it has none.
func upstreamTrace(t *testing.T, ui string, id pcommon.TraceID) []store.Span {
	t.Helper()
	resp, body := servetest.Get(t, ui+"/api/v1/traces/"+id.String(), "")
	switch resp.StatusCode {
	case http.StatusNotFound:
		return nil
	case http.StatusOK:
	default:
		t.Fatalf("trace %s: %d: %s", id, resp.StatusCode, body)
	}
	var p store.TracePage
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("trace %s: %v", id, err)
	}
	return p.Spans
}

// finished counts the finished spans of spans.
func finished(spans []store.Span) int {
	n := 0
	for _, sp := range spans {
		if sp.State == store.StateFinished {
			n++
		}
	}
	return n
}

// oneSpan is a finished span of trace id.
func oneSpan(service string, id pcommon.TraceID, span, parent pcommon.SpanID, errStatus bool) ptrace.Traces {
	now := time.Now()
	td := announcetest.Span(service, id, span, parent, "op", now.Add(-time.Second), now)
	td.ResourceSpans().At(0).Resource().Attributes().PutStr("padding", strings.Repeat("x", 200))
	if errStatus {
		td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Status().SetCode(ptrace.StatusCodeError)
	}
	return td
}

// drained waits until f has nothing buffered nor queued.
func drained(t *testing.T, f *forward.Forwarder, what string) forward.Stats {
	t.Helper()
	poll.Until(t, 30*time.Second, what+" drained", func() bool {
		st := f.Stats()
		return st.Sampling.BufferedSpans == 0 && st.QueueRecords == 0 && st.Lag == 0
	})
	return f.Stats()
}

// TestSampledTwoAgents runs two agents holding one span each of 400
// traces: each agent decides alone, and yet no trace arrives upstream
// half kept (the probabilistic policy is consistent), about 30% of them
// are kept, the error spans all are, and the counters add up.
func TestSampledTwoAgents(t *testing.T) {
	up := servetest.Start(t, servetest.Config(t))
	policies := `{"decision_wait": "200ms", "policies": [
		{"name": "errors", "type": "error"},
		{"name": "rest", "type": "probabilistic", "percentage": 30}]}`
	var agents [2]*forward.Forwarder
	for i := range agents {
		cfg := testConfig(t, upstreamURL(up, "http"))
		cfg.Sampling = samplingConfig(t, policies)
		cfg.SegmentBytes, cfg.BatchBytes = 64<<10, 4<<10 // several segments, many batches
		agents[i] = newForwarder(t, cfg)
	}
	const traces = 400
	r := rand.New(rand.NewPCG(7, 9))
	ids := make([]pcommon.TraceID, traces)
	for i := range ids {
		for j := range ids[i] {
			ids[i][j] = byte(r.Uint32())
		}
		root, child := pcommon.SpanID{1, byte(i), byte(i >> 8)}, pcommon.SpanID{2, byte(i), byte(i >> 8)}
		if err := agents[0].AppendTraces(oneSpan("a", ids[i], root, pcommon.SpanID{}, false)); err != nil {
			t.Fatal(err)
		}
		if err := agents[1].AppendTraces(oneSpan("b", ids[i], child, root, i%10 == 0)); err != nil {
			t.Fatal(err)
		}
	}
	if st := agents[0].Stats(); st.Segments < 2 {
		t.Fatalf("agent A's queue has %d segment, want several", st.Segments)
	}
	for _, f := range agents {
		start(t, f)
	}
	a, b := drained(t, agents[0], "agent A"), drained(t, agents[1], "agent B")
	waitSpans(t, up.UI, a.Sampling.KeptSpans+b.Sampling.KeptSpans)

	kept := 0
	for i, id := range ids {
		spans := upstreamTrace(t, up.UI, id)
		if i%10 == 0 {
			if !hasSpan(spans, pcommon.SpanID{2, byte(i), byte(i >> 8)}) {
				t.Errorf("error trace %d: B's error span not upstream (%d spans)", i, len(spans))
			}
			continue
		}
		switch len(spans) {
		case 0:
		case 2:
			kept++
		default:
			t.Errorf("trace %d: %d spans upstream, want 0 or 2", i, len(spans))
		}
	}
	if share := float64(kept) / (traces - traces/10); share < 0.2 || share > 0.4 {
		t.Errorf("%d of %d traces without errors kept (%.0f%%), want about 30%%", kept, traces-traces/10, 100*share)
	}
	for name, st := range map[string]*forward.SamplingStats{"A": a.Sampling, "B": b.Sampling} {
		var pt, ps forward.SamplingStats
		for _, p := range st.Policies {
			pt.KeptTraces += p.KeptTraces
			pt.DroppedTraces += p.DroppedTraces
			ps.KeptSpans += p.KeptSpans
			ps.DroppedSpans += p.DroppedSpans
		}
		if st.KeptTraces+st.DroppedTraces != traces || st.KeptSpans+st.DroppedSpans != traces ||
			pt.KeptTraces != st.KeptTraces || pt.DroppedTraces != st.DroppedTraces ||
			ps.KeptSpans != st.KeptSpans || ps.DroppedSpans != st.DroppedSpans || st.DecidedEarly != 0 || st.BufferedTraces != 0 {
			t.Errorf("agent %s: %+v", name, *st)
		}
	}
	if got := b.Sampling.Policies[0]; got.Name != "errors" || got.KeptTraces != traces/10 {
		t.Errorf("agent B's errors policy: %+v, want %d kept", got, traces/10)
	}
	if got := a.Sampling.Policies[0]; got.KeptTraces != 0 {
		t.Errorf("agent A's errors policy: %+v, want none kept", got)
	}
	if a.ForwardedRecords != traces || b.ForwardedRecords != traces {
		t.Errorf("forwarded records: A %d, B %d, want %d each", a.ForwardedRecords, b.ForwardedRecords, traces)
	}
}

func hasSpan(spans []store.Span, id pcommon.SpanID) bool {
	for _, sp := range spans {
		if sp.SpanID == id.String() {
			return true
		}
	}
	return false
}

// TestSampledOpenSpanHolds holds a trace back while a span of it is
// announced open, well past the decision wait, and forwards it whole
// once that span finishes.
func TestSampledOpenSpanHolds(t *testing.T) {
	up := servetest.Start(t, servetest.Config(t))
	cfg := testConfig(t, upstreamURL(up, "http"))
	cfg.Sampling = samplingConfig(t, `{"decision_wait": "200ms", "policies": [{"name": "all", "type": "probabilistic", "percentage": 100}]}`)
	f := newForwarder(t, cfg)
	start(t, f)

	id := pcommon.TraceID{0xab, 1, 2, 3}
	root, child := pcommon.SpanID{1}, pcommon.SpanID{2}
	now := time.Now()
	if err := f.AppendLogs(announcetest.Heartbeat(announcetest.Span("scan", id, root, pcommon.SpanID{}, "scan", now, time.Time{}), 10*time.Second, now)); err != nil {
		t.Fatal(err)
	}
	if err := f.AppendTraces(oneSpan("scan", id, child, root, false)); err != nil {
		t.Fatal(err)
	}
	// Held for a whole second (five decision waits) without a break.
	var since time.Time
	poll.Until(t, 30*time.Second, "the trace held for 1s", func() bool {
		if st := f.Stats(); st.Sampling.BufferedTraces != 1 || st.Sampling.BufferedSpans != 1 {
			since = time.Time{}
			return false
		}
		if since.IsZero() {
			since = time.Now()
		}
		return time.Since(since) > time.Second
	})
	poll.Until(t, 10*time.Second, "the heartbeat upstream", func() bool {
		return len(upstreamTrace(t, up.UI, id)) > 0
	})
	if n := finished(upstreamTrace(t, up.UI, id)); n != 0 {
		t.Fatalf("%d finished spans of the held trace upstream", n)
	}
	if st := f.Stats(); st.Sampling.KeptTraces != 0 || st.QueueRecords != 1 { // the heartbeat went on; the span waits
		t.Fatalf("while held: %+v %+v", st, *st.Sampling)
	}

	if err := f.AppendTraces(oneSpan("scan", id, root, pcommon.SpanID{}, false)); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, 10*time.Second, "both spans upstream", func() bool {
		return finished(upstreamTrace(t, up.UI, id)) == 2
	})
	st := drained(t, f, "the agent")
	if st.Sampling.KeptTraces != 1 || st.Sampling.KeptSpans != 2 || st.ForwardedRecords != 3 {
		t.Errorf("after: %+v %+v", st, *st.Sampling)
	}
}

// TestSampledRestart shuts an agent down before its trace is decided:
// the trace is read again, decided and forwarded after a restart.
func TestSampledRestart(t *testing.T) {
	up := servetest.Start(t, servetest.Config(t))
	cfg := testConfig(t, upstreamURL(up, "http"))
	cfg.Sampling = samplingConfig(t, `{"decision_wait": "2s", "policies": [{"name": "all", "type": "probabilistic", "percentage": 100}]}`)
	f, err := forward.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	start(t, f)
	id := pcommon.TraceID{0xcd, 4, 5, 6}
	for i := range 3 {
		if err := f.AppendTraces(oneSpan("svc", id, pcommon.SpanID{byte(i + 1)}, pcommon.SpanID{}, false)); err != nil {
			t.Fatal(err)
		}
	}
	poll.Until(t, 10*time.Second, "the spans buffered", func() bool { return f.Stats().Sampling.BufferedSpans == 3 })
	if err := f.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := f.Stats(); st.Sampling.KeptTraces+st.Sampling.DroppedTraces != 0 || st.QueueRecords != 3 {
		t.Fatalf("decided before the restart: %+v %+v", st, *st.Sampling)
	}
	if spans, _ := upstreamCounts(t, up.UI); spans != 0 {
		t.Fatalf("%d spans upstream before the restart", spans)
	}

	again := newForwarder(t, cfg)
	start(t, again)
	waitSpans(t, up.UI, 3)
	st := drained(t, again, "the restarted agent")
	if st.Sampling.KeptTraces != 1 || st.Sampling.KeptSpans != 3 || st.ForwardedRecords != 3 {
		t.Errorf("after the restart: %+v %+v", st, *st.Sampling)
	}
}
