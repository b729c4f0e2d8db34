package telemetry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/poll"
	"github.com/sightline-dev/sightline/sightlinetest"
	"github.com/sightline-dev/sightline/telemetry"
)

// memRecords counts the announcement records of span id in mem by event.
func memRecords(mem *sightlinetest.Memory, id trace.SpanID) (heartbeats, stops int) {
	for _, r := range mem.Logs() {
		if r.SpanID() != id {
			continue
		}
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			if kv.Key == "partial.event" {
				switch kv.Value.AsString() {
				case "heartbeat":
					heartbeats++
				case "stop":
					stops++
				}
			}
			return true
		})
	}
	return heartbeats, stops
}

func memHasSpan(mem *sightlinetest.Memory, id trace.SpanID) int {
	n := 0
	for _, s := range mem.Spans() {
		if s.SpanContext.SpanID() == id {
			n++
		}
	}
	return n
}

// TestInFlightKeepsItsPipelineThroughChanges: spans open across Disable and
// across an endpoint switch keep being announced where they started, and
// their stop records and finished spans arrive there, and only there.
func TestInFlightKeepsItsPipelineThroughChanges(t *testing.T) {
	ctx := context.Background()
	a, b := memName(t, "a"), memName(t, "b")
	memA, memB := sightlinetest.MemoryEndpoint(a), sightlinetest.MemoryEndpoint(b)
	memA.Reset()
	memB.Reset()
	c, err := telemetry.Setup(ctx, env("SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_TYPES", "tracing",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "memory", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", a,
		"SIGHTLINE_TELEMETRY_INFLIGHT_THRESHOLD", "20ms", "SIGHTLINE_TELEMETRY_INFLIGHT_INTERVAL", "100ms"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(ctx)
	tr := c.Tracer("t")
	heartbeatsIn := func(mem *sightlinetest.Memory, s trace.Span, n int) {
		t.Helper()
		poll.Until(t, 10*time.Second, "heartbeats", func() bool { h, _ := memRecords(mem, s.SpanContext().SpanID()); return h >= n })
	}

	_, s1 := tr.Start(ctx, "across disable")
	heartbeatsIn(memA, s1, 1)
	if err := c.Control().Disable(); err != nil {
		t.Fatal(err)
	}
	h, _ := memRecords(memA, s1.SpanContext().SpanID())
	heartbeatsIn(memA, s1, h+2) // still announced while disabled
	s1.End()
	poll.Until(t, 10*time.Second, "the stop of a span ended while disabled", func() bool {
		_, stops := memRecords(memA, s1.SpanContext().SpanID())
		return stops == 1 && memHasSpan(memA, s1.SpanContext().SpanID()) == 1
	})

	if err := c.Control().Enable(ctx); err != nil {
		t.Fatal(err)
	}
	_, s2 := tr.Start(ctx, "across switch")
	heartbeatsIn(memA, s2, 1)
	if err := c.Control().SetTracingEndpoints(ctx, []telemetry.Endpoint{{Exporter: "memory", URL: b}}); err != nil {
		t.Fatal(err)
	}
	_, s3 := tr.Start(ctx, "after switch")
	heartbeatsIn(memB, s3, 1)
	h, _ = memRecords(memA, s2.SpanContext().SpanID())
	heartbeatsIn(memA, s2, h+2) // the old generation's sweeper goes on
	if st := c.Control().Status(); st.DrainingPipelines != 1 || st.InFlight.Open != 2 {
		t.Errorf("draining %d, open %d; want 1 and 2", st.DrainingPipelines, st.InFlight.Open)
	}
	s2.End()
	s3.End()
	for _, w := range []struct {
		s         trace.Span
		in, notIn *sightlinetest.Memory
	}{{s1, memA, memB}, {s2, memA, memB}, {s3, memB, memA}} {
		id := w.s.SpanContext().SpanID()
		poll.Until(t, 10*time.Second, "stop and finished span", func() bool {
			_, stops := memRecords(w.in, id)
			return stops == 1 && memHasSpan(w.in, id) == 1
		})
		if h, stops := memRecords(w.notIn, id); h+stops+memHasSpan(w.notIn, id) != 0 {
			t.Errorf("span %v also reached the other endpoint (%d heartbeats, %d stops)", id, h, stops)
		}
	}
	poll.Until(t, 10*time.Second, "the old pipeline to retire", func() bool { return c.Control().Status().DrainingPipelines == 0 })
	st := c.Control().Status().InFlight
	if st.Open != 0 || st.Watched != 0 || st.Stops != 3 || st.Dropped != 0 || st.Failed != 0 {
		t.Errorf("in-flight status %+v; want nothing open, 3 stops, nothing lost", st)
	}
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestInFlightSettingsAndSources: each setting comes from its layer and
// Status says which; bad values are problems naming the variable, the
// value and what is allowed; runtime changes are checked.
func TestInFlightSettingsAndSources(t *testing.T) {
	ctx := context.Background()
	c, err := telemetry.Setup(ctx, env("SIGHTLINE_TELEMETRY_INFLIGHT", "on", "SIGHTLINE_TELEMETRY_INFLIGHT_INTERVAL", "2m"),
		telemetry.WithProperties(map[string][]string{telemetry.PropInFlightThreshold: {"2500ms"}}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(ctx)
	if err := c.Control().SetInFlightInterval(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	want := map[string]telemetry.Setting{
		telemetry.KeyInFlight: {Value: "on", Origin: telemetry.Origin{Source: telemetry.SourceEnv, Name: "SIGHTLINE_TELEMETRY_INFLIGHT"}},
		telemetry.KeyInFlightThreshold: {Value: "2.5s",
			Origin: telemetry.Origin{Source: telemetry.SourceProperty, Name: telemetry.PropInFlightThreshold}},
		telemetry.KeyInFlightInterval: {Value: "5s", Origin: telemetry.Origin{Source: telemetry.SourceRuntime}},
	}
	st := c.Control().Status()
	for _, s := range st.Settings {
		if w, ok := want[s.Key]; ok {
			if s.Value != w.Value || s.Origin != w.Origin {
				t.Errorf("%s = %q from %+v, want %q from %+v", s.Key, s.Value, s.Origin, w.Value, w.Origin)
			}
			delete(want, s.Key)
		}
	}
	if len(want) > 0 {
		t.Errorf("Status lacks %v", want)
	}
	if got := st.InFlight.Settings; got != (telemetry.InFlightSettings{Mode: telemetry.InFlightOn, Threshold: 2500 * time.Millisecond, Interval: 5 * time.Second}) {
		t.Errorf("Status.InFlight.Settings %+v", got)
	}
	if got := telemetry.PropertiesFor(mustConfig(c), telemetry.KeyInFlightInterval); got[telemetry.PropInFlightInterval][0] != "5s" {
		t.Errorf("PropertiesFor(inflight_interval) = %v, want 5s", got)
	}
	for _, bad := range []error{
		c.Control().SetInFlightMode(ctx, "sometimes"),
		c.Control().SetInFlightThreshold(time.Millisecond),
		c.Control().SetInFlightInterval(2 * time.Hour),
	} {
		if bad == nil || !strings.Contains(bad.Error(), "allowed") {
			t.Errorf("a bad runtime value gave %v, want an error saying what is allowed", bad)
		}
	}

	bc, err := telemetry.Setup(ctx, env("SIGHTLINE_TELEMETRY_INFLIGHT", "sometimes", "SIGHTLINE_TELEMETRY_INFLIGHT_THRESHOLD", "5ms",
		"SIGHTLINE_TELEMETRY_INFLIGHT_INTERVAL", "forever"),
		telemetry.WithProperties(map[string][]string{telemetry.PropInFlight: {"maybe"}}))
	if err != nil {
		t.Fatal(err)
	}
	defer bc.Shutdown(ctx)
	got := map[string]telemetry.Problem{}
	for _, p := range bc.Control().Status().Problems {
		got[p.Setting] = p
	}
	for setting, value := range map[string]string{"SIGHTLINE_TELEMETRY_INFLIGHT": "sometimes",
		"SIGHTLINE_TELEMETRY_INFLIGHT_THRESHOLD": "5ms", "SIGHTLINE_TELEMETRY_INFLIGHT_INTERVAL": "forever",
		"property " + telemetry.PropInFlight: "maybe"} {
		if p, ok := got[setting]; !ok || p.Value != value || p.Allowed == "" || p.Using == "" {
			t.Errorf("problem for %s: %+v; want value %q, what is allowed and what is used", setting, p, value)
		}
	}
	if s := bc.Control().InFlight(); s != (telemetry.InFlightSettings{Mode: telemetry.InFlightAuto, Threshold: time.Second, Interval: 10 * time.Second}) {
		t.Errorf("bad values gave %+v, want the defaults", s)
	}
}

func mustConfig(c *telemetry.Component) telemetry.Config {
	cfg, _ := c.Control().Config()
	return cfg
}

// TestInFlightRecordsAreSDKRecords: announcements reach a memory endpoint
// as ordinary SDK log records with the scope and ids set (what tests using
// sightlinetest see).
func TestInFlightRecordsAreSDKRecords(t *testing.T) {
	ctx := context.Background()
	name := memName(t, "sdk")
	mem := sightlinetest.MemoryEndpoint(name)
	mem.Reset()
	c, err := telemetry.Setup(ctx, env("SIGHTLINE_TELEMETRY_ENABLE", "on", "SIGHTLINE_TELEMETRY_TYPES", "tracing",
		"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "memory", "SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", name,
		"SIGHTLINE_TELEMETRY_INFLIGHT_THRESHOLD", "10ms"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(ctx)
	_, s := c.Tracer("t").Start(ctx, "long")
	poll.Until(t, 10*time.Second, "a heartbeat", func() bool { h, _ := memRecords(mem, s.SpanContext().SpanID()); return h > 0 })
	s.End()
	var r sdklog.Record
	for _, rec := range mem.Logs() {
		if rec.SpanID() == s.SpanContext().SpanID() {
			r = rec
			break
		}
	}
	if r.InstrumentationScope().Name != telemetry.InFlightScope || r.TraceID() != s.SpanContext().TraceID() {
		t.Errorf("record scope %q trace %v, want %q and the span's", r.InstrumentationScope().Name, r.TraceID(), telemetry.InFlightScope)
	}
}
