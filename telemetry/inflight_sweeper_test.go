package telemetry

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"
)

// inflightComponent sets up a component exporting spans (and so
// announcements: testmem carries logs) to the testmem endpoint name, with
// extra variables on top.
func inflightComponent(t *testing.T, name string, extra ...string) *Component {
	t.Helper()
	if testMemErr != nil {
		t.Fatal(testMemErr)
	}
	fakeMemoryOf(name).Reset()
	vars := map[string]string{"SIGHTLINE_TELEMETRY_ENABLE": "on", "SIGHTLINE_TELEMETRY_TYPES": "tracing",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS": testMem, "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS": name}
	for i := 0; i+1 < len(extra); i += 2 {
		vars[extra[i]] = extra[i+1]
	}
	c, err := Setup(context.Background(), WithEnv(func(k string) (string, bool) { v, ok := vars[k]; return v, ok }))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// announcements returns the records of mem for span id, in order.
func announcements(mem *fakeMemory, id trace.SpanID) []sdklog.Record {
	mem.mu.Lock()
	defer mem.mu.Unlock()
	var out []sdklog.Record
	for _, r := range mem.logs {
		if r.SpanID() == id {
			out = append(out, r.Clone())
		}
	}
	return out
}

// recordAttrs returns a record's attributes as strings.
func recordAttrs(r sdklog.Record) map[string]string {
	m := map[string]string{}
	r.WalkAttributes(func(kv attribute.KeyValue) bool { m[string(kv.Key)] = kv.Value.String(); return true })
	return m
}

// bodySpan decodes a record's body and returns its one span, failing t
// unless the body is TracesData with exactly one resource, scope and span.
func bodySpan(t *testing.T, r sdklog.Record) ptrace.Span {
	t.Helper()
	var u ptrace.JSONUnmarshaler
	td, err := u.UnmarshalTraces([]byte(r.Body().AsString()))
	if err != nil {
		t.Fatalf("body does not decode as OTLP/JSON TracesData: %v", err)
	}
	if td.ResourceSpans().Len() != 1 || td.ResourceSpans().At(0).ScopeSpans().Len() != 1 ||
		td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().Len() != 1 {
		t.Fatalf("body holds %d spans in %d resources, want one span in one resource and scope", td.SpanCount(), td.ResourceSpans().Len())
	}
	return td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
}

// TestSweeperTiming follows one long span through its announcements with
// a fake clock: nothing before the threshold, the first heartbeat within a
// tick after it, the next one an interval later with the attributes and
// events added meanwhile, then one stop record with the end time when it
// ends. A span shorter than the threshold is never announced.
func TestSweeperTiming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		c := inflightComponent(t, "inflight-timing")
		defer c.Shutdown(ctx)
		mem := fakeMemoryOf("inflight-timing")
		tr := c.Tracer("t")

		_, short := tr.Start(ctx, "short")
		time.Sleep(900 * time.Millisecond)
		short.End()
		_, long := tr.Start(ctx, "long", trace.WithAttributes(attribute.Int("step", 1)))
		start := time.Now()
		time.Sleep(990 * time.Millisecond)
		synctest.Wait()
		if n := len(announcements(mem, long.SpanContext().SpanID())); n != 0 {
			t.Fatalf("%d announcements before the threshold, want 0", n)
		}
		time.Sleep(maxTick + 20*time.Millisecond)
		synctest.Wait()
		recs := announcements(mem, long.SpanContext().SpanID())
		if len(recs) != 1 {
			t.Fatalf("%d announcements a tick after the threshold, want 1", len(recs))
		}
		first := recs[0]
		if age := first.Timestamp().Sub(start); age < DefaultInFlightThreshold || age > DefaultInFlightThreshold+maxTick {
			t.Errorf("first heartbeat %v after the start, want within [1s, 1s+tick]", age)
		}
		want := map[string]string{"partial.event": "heartbeat", "partial.frequency": "10000ms", "partial.body.type": "json/v1"}
		if got := recordAttrs(first); !mapsEqual(got, want) {
			t.Errorf("heartbeat attributes %v, want %v", got, want)
		}
		if first.TraceID() != long.SpanContext().TraceID() || first.Severity() != 0 || first.SeverityText() != "" {
			t.Errorf("heartbeat trace id %v severity %v %q; want the span's trace id, no severity", first.TraceID(), first.Severity(), first.SeverityText())
		}
		if s := bodySpan(t, first); s.Name() != "long" || s.EndTimestamp() != 0 || s.Attributes().AsRaw()["step"] != int64(1) {
			t.Errorf("heartbeat body: name %q end %v attributes %v; want long, no end, step=1", s.Name(), s.EndTimestamp(), s.Attributes().AsRaw())
		}

		long.SetAttributes(attribute.Int("step", 2))
		long.AddEvent("moved")
		time.Sleep(time.Until(first.Timestamp().Add(DefaultInFlightInterval)) - time.Millisecond)
		synctest.Wait()
		if n := len(announcements(mem, long.SpanContext().SpanID())); n != 1 {
			t.Fatalf("%d announcements just before the interval passed, want 1", n)
		}
		time.Sleep(maxTick + 20*time.Millisecond)
		synctest.Wait()
		recs = announcements(mem, long.SpanContext().SpanID())
		if len(recs) != 2 {
			t.Fatalf("%d announcements a tick after the interval, want 2", len(recs))
		}
		if gap := recs[1].Timestamp().Sub(first.Timestamp()); gap < DefaultInFlightInterval || gap > DefaultInFlightInterval+maxTick {
			t.Errorf("second heartbeat %v after the first, want within [10s, 10s+tick]", gap)
		}
		s := bodySpan(t, recs[1])
		if s.Attributes().AsRaw()["step"] != int64(2) || s.Events().Len() != 1 || s.Events().At(0).Name() != "moved" {
			t.Errorf("second heartbeat has attributes %v and %d events, want step=2 and the event moved", s.Attributes().AsRaw(), s.Events().Len())
		}

		long.End()
		time.Sleep(maxTick + 20*time.Millisecond)
		synctest.Wait()
		recs = announcements(mem, long.SpanContext().SpanID())
		if len(recs) != 3 {
			t.Fatalf("%d announcements after the end, want 2 heartbeats and a stop", len(recs))
		}
		stop := recs[2]
		wantStop := map[string]string{"partial.event": "stop", "partial.body.type": "json/v1"}
		if got := recordAttrs(stop); !mapsEqual(got, wantStop) {
			t.Errorf("stop attributes %v, want %v", got, wantStop)
		}
		if s := bodySpan(t, stop); s.EndTimestamp() == 0 || s.EndTimestamp().AsTime().Before(s.StartTimestamp().AsTime()) {
			t.Errorf("stop body end time %v, want the span's end", s.EndTimestamp())
		}
		if n := len(announcements(mem, short.SpanContext().SpanID())); n != 0 {
			t.Errorf("the short span was announced %d times, want never", n)
		}
		mem.mu.Lock()
		exported := len(mem.spans)
		mem.mu.Unlock()
		if exported != 2 {
			t.Errorf("%d finished spans exported, want 2 (short and long, as always)", exported)
		}
		st := c.Control().Status().InFlight
		if st.Heartbeats != 2 || st.Stops != 1 || st.Open != 0 || st.Watched != 0 {
			t.Errorf("status: heartbeats %d stops %d open %d watched %d, want 2 1 0 0", st.Heartbeats, st.Stops, st.Open, st.Watched)
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestSweeperBoundsRecordsPerSweep opens more spans at once than one sweep
// may announce: each sweep emits at most its budget, the rest are deferred
// (counted) to the next sweeps, and every span gets exactly one heartbeat.
func TestSweeperBoundsRecordsPerSweep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		c := inflightComponent(t, "inflight-budget")
		defer c.Shutdown(ctx)
		mem := fakeMemoryOf("inflight-budget")
		budget := budgetFor(maxTick)
		n := 2*budget + budget/2
		tr := c.Tracer("t")
		spans := make([]trace.Span, n)
		for i := range spans {
			_, spans[i] = tr.Start(ctx, "many")
		}
		var steps []int
		for prev := 0; prev < n && len(steps) < 40; {
			time.Sleep(maxTick)
			synctest.Wait()
			mem.mu.Lock()
			got := len(mem.logs)
			mem.mu.Unlock()
			if got > prev {
				steps = append(steps, got-prev)
			}
			prev = got
		}
		if !slices.Equal(steps, []int{budget, budget, budget / 2}) {
			t.Errorf("records per sweep %v, want %v", steps, []int{budget, budget, budget / 2})
		}
		seen := map[trace.SpanID]int{}
		mem.mu.Lock()
		for _, r := range mem.logs {
			seen[r.SpanID()]++
		}
		mem.mu.Unlock()
		for _, s := range spans {
			if seen[s.SpanContext().SpanID()] != 1 {
				t.Fatalf("span %v announced %d times, want once", s.SpanContext().SpanID(), seen[s.SpanContext().SpanID()])
			}
		}
		st := c.Control().Status().InFlight
		if want := uint64(n - budget + n - 2*budget); st.Deferred != want || st.Open != int64(n) {
			t.Errorf("deferred %d open %d, want %d %d", st.Deferred, st.Open, want, n)
		}
		for _, s := range spans {
			s.End()
		}
	})
}

// TestSweeperIdlesWithoutSpans: a sweeper with nothing to watch waits
// without a timer (synctest sees it durably blocked however far the clock
// moves) and the next span wakes it.
func TestSweeperIdlesWithoutSpans(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		c := inflightComponent(t, "inflight-idle")
		defer c.Shutdown(ctx)
		a := c.state.Load().traces.ann
		_, s := c.Tracer("t").Start(ctx, "one")
		s.End()
		time.Sleep(time.Second)
		synctest.Wait()
		before := a.sweeps.Load()
		time.Sleep(time.Hour)
		synctest.Wait()
		if n := a.sweeps.Load() - before; n != 0 || c.Control().Status().InFlight.Watched != 0 {
			t.Fatalf("an idle sweeper swept %d times in an hour (watching %d spans), want 0", n, c.Control().Status().InFlight.Watched)
		}
		_, long := c.Tracer("t").Start(ctx, "long")
		time.Sleep(DefaultInFlightThreshold + maxTick)
		synctest.Wait()
		if n := len(announcements(fakeMemoryOf("inflight-idle"), long.SpanContext().SpanID())); n != 1 {
			t.Errorf("a span started after an idle hour was announced %d times, want 1", n)
		}
		long.End()
	})
}

// TestModeChangeAndDrainTimeout: turning announcing off swaps in a
// generation without an announcer (a change that announces to the same
// endpoints swaps nothing); the span open before keeps being announced by
// the old generation's sweeper, which ends with the drain timeout when the
// span never does (counted lost, no stop record).
func TestModeChangeAndDrainTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		c := inflightComponent(t, "inflight-mode")
		c.opts.drainTimeout = 30 * time.Second
		defer c.Shutdown(ctx)
		mem := fakeMemoryOf("inflight-mode")
		tr := c.Tracer("t")
		gen := c.state.Load().traces
		if err := c.Control().SetInFlightMode(ctx, InFlightOn); err != nil || c.state.Load().traces != gen {
			t.Fatalf("auto to on with a memory endpoint: %v, swapped generation %v; want no swap", err, c.state.Load().traces != gen)
		}
		_, a := tr.Start(ctx, "before")
		time.Sleep(DefaultInFlightThreshold + maxTick)
		if err := c.Control().SetInFlightMode(ctx, InFlightOff); err != nil {
			t.Fatal(err)
		}
		if g := c.state.Load().traces; g == gen || g.ann != nil {
			t.Fatal("mode off did not swap in a generation without an announcer")
		}
		_, b := tr.Start(ctx, "after")
		time.Sleep(DefaultInFlightInterval + maxTick)
		synctest.Wait()
		if n := len(announcements(mem, a.SpanContext().SpanID())); n != 2 {
			t.Errorf("the span open before the change was announced %d times in 11 s, want 2", n)
		}
		if n := len(announcements(mem, b.SpanContext().SpanID())); n != 0 {
			t.Errorf("a span started with announcing off was announced %d times", n)
		}
		time.Sleep(30 * time.Second)
		synctest.Wait()
		st := c.Control().Status()
		if st.DrainingPipelines != 0 || st.Spans.Lost != 1 || st.InFlight.Open != 0 || st.InFlight.Watched != 0 || st.InFlight.Stops != 0 {
			t.Errorf("after the drain timeout: draining %d lost %d open %d watched %d stops %d; want 0 1 0 0 0",
				st.DrainingPipelines, st.Spans.Lost, st.InFlight.Open, st.InFlight.Watched, st.InFlight.Stops)
		}
		a.End()
		b.End()
	})
}
