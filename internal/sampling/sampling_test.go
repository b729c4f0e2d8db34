package sampling

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// span is one span of a test trace.
type span struct {
	service, parent string
	start, dur      time.Duration
	err             bool
	attrs           map[string]any
	resAttrs        map[string]any
	tracestate      string
}

var t0 = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// summarize adds spans of trace id to a Summary through d.
func summarize(d *Decider, id pcommon.TraceID, spans ...span) *Summary {
	var s Summary
	for i, sp := range spans {
		res := pcommon.NewResource()
		_ = res.Attributes().FromRaw(merge(map[string]any{"service.name": sp.service}, sp.resAttrs))
		p := ptrace.NewSpan()
		p.SetTraceID(id)
		p.SetSpanID(pcommon.SpanID{byte(i + 1)})
		if sp.parent != "" {
			p.SetParentSpanID(pcommon.SpanID{0xff})
		}
		p.TraceState().FromRaw(sp.tracestate)
		p.SetStartTimestamp(pcommon.NewTimestampFromTime(t0.Add(sp.start)))
		p.SetEndTimestamp(pcommon.NewTimestampFromTime(t0.Add(sp.start + sp.dur)))
		if sp.err {
			p.Status().SetCode(ptrace.StatusCodeError)
		}
		_ = p.Attributes().FromRaw(sp.attrs)
		d.Add(&s, res, p)
	}
	return &s
}

func merge(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}

func mustDecider(t *testing.T, js string) *Decider {
	t.Helper()
	cfg, err := Parse([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// traceID is a trace id whose randomness (last 7 bytes) is r.
func traceID(r uint64) pcommon.TraceID {
	var id pcommon.TraceID
	binary.BigEndian.PutUint64(id[8:], r)
	id[0] = 1
	return id
}

// TestPoliciesInOrder: the first policy that decides, decides; a trace
// none decides is kept.
func TestPoliciesInOrder(t *testing.T) {
	d := mustDecider(t, `{"policies": [
		{"name": "errors", "type": "error"},
		{"name": "slow", "type": "latency", "threshold": "30s"},
		{"name": "bl12", "type": "attribute", "key": "beamline", "values": ["bl12", "12"]},
		{"name": "none", "type": "probabilistic", "percentage": 0}]}`)
	lowR := traceID(1)
	for _, tc := range []struct {
		name  string
		spans []span
		want  Decision
	}{
		{"an error span anywhere", []span{{service: "engine", dur: time.Second}, {service: "device", parent: "x", err: true}}, Decision{true, "errors"}},
		{"slow: earliest start to latest end", []span{{service: "engine", dur: 10 * time.Second}, {service: "device", parent: "x", start: 25 * time.Second, dur: 5 * time.Second}}, Decision{true, "slow"}},
		{"just under the threshold", []span{{service: "engine", dur: 30*time.Second - 1}}, Decision{false, "none"}},
		{"attribute on a span", []span{{service: "engine"}, {service: "d", parent: "x", attrs: map[string]any{"beamline": "bl12"}}}, Decision{true, "bl12"}},
		{"attribute on a resource, an integer compared as text", []span{{service: "engine", resAttrs: map[string]any{"beamline": 12}}}, Decision{true, "bl12"}},
		{"another value", []span{{service: "engine", attrs: map[string]any{"beamline": "bl13"}}}, Decision{false, "none"}},
	} {
		if got := d.Decide(summarize(d, lowR, tc.spans...), t0); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	keepAll := mustDecider(t, `{"policies": [{"name": "errors", "type": "error"}]}`)
	if got := keepAll.Decide(summarize(keepAll, lowR, span{service: "engine"}), t0); got != (Decision{true, ""}) {
		t.Errorf("no policy decides: %+v, want kept by default", got)
	}
	st := d.Stats()
	want := []string{"errors 1/0", "slow 1/0", "bl12 2/0", "none 0/2", " 0/0"}
	for i, w := range want {
		if got := fmt.Sprintf("%s %d/%d", st[i].Name, st[i].KeptTraces, st[i].DroppedTraces); got != w {
			t.Errorf("stats[%d] = %s, want %s", i, got, w)
		}
	}
}

// TestConsistentAcrossAgents: two agents, each holding half of the spans of
// the same 20,000 traces, keep and drop the same traces, about the
// configured share of them.
func TestConsistentAcrossAgents(t *testing.T) {
	const policy = `{"policies": [{"name": "rest", "type": "probabilistic", "percentage": 10}]}`
	a, b := mustDecider(t, policy), mustDecider(t, policy)
	rng := rand.New(rand.NewPCG(1, 2))
	kept := 0
	for i := range 20_000 {
		var id pcommon.TraceID
		binary.BigEndian.PutUint64(id[:8], rng.Uint64())
		binary.BigEndian.PutUint64(id[8:], rng.Uint64())
		da := a.Decide(summarize(a, id, span{service: "engine", dur: time.Second}), t0)
		db := b.Decide(summarize(b, id, span{service: "device", parent: "x", dur: time.Millisecond}), t0)
		if da != db {
			t.Fatalf("trace %d (%v): agent a %+v, agent b %+v", i, id, da, db)
		}
		if da.Keep {
			kept++
		}
	}
	if kept < 1800 || kept > 2200 {
		t.Errorf("kept %d of 20000 at 10%%, want about 2000", kept)
	}
}

// TestRandomness: the threshold's bounds, the trace id's last 7 bytes and
// an explicit rv in the tracestate.
func TestRandomness(t *testing.T) {
	if Threshold(1) != 0 || Threshold(0) != 1<<56 || Threshold(0.5) != 1<<55 || Threshold(-1) != 1<<56 {
		t.Errorf("thresholds %d %d %d", Threshold(1), Threshold(0), Threshold(0.5))
	}
	id := traceID(0xff_12345678abcdef) // the byte above the 56 bits is ignored
	if got := Randomness(id, ""); got != 0x12345678abcdef {
		t.Errorf("randomness %x", got)
	}
	if got := Randomness(id, "vendor=x,ot=th:8;rv:00000000000001"); got != 1 {
		t.Errorf("explicit rv: %x, want 1", got)
	}
	if got := Randomness(id, "ot=rv:zz"); got != 0x12345678abcdef {
		t.Errorf("a bad rv is ignored: %x", got)
	}
	d := mustDecider(t, `{"policies": [{"name": "half", "type": "probabilistic", "percentage": 50}]}`)
	for _, tc := range []struct {
		r    uint64
		keep bool
	}{{1<<55 - 1, false}, {1 << 55, true}} {
		if got := d.Decide(summarize(d, traceID(tc.r), span{service: "s"}), t0); got.Keep != tc.keep {
			t.Errorf("R = %x at 50%%: keep %v, want %v", tc.r, got.Keep, tc.keep)
		}
	}
	// The root span's tracestate decides, on every agent.
	root := span{service: "s", tracestate: "ot=rv:ffffffffffffff"}
	if got := d.Decide(summarize(d, traceID(0), span{service: "c", parent: "x"}, root), t0); !got.Keep {
		t.Errorf("rv of the root span not used: %+v", got)
	}
}

// TestRateLimit: a service's spans per second pass until its bucket is
// empty, then its traces drop until it refills; services are apart; only
// kept traces take budget.
func TestRateLimit(t *testing.T) {
	d := mustDecider(t, `{"policies": [
		{"name": "errors", "type": "error"},
		{"name": "cap", "type": "rate_limit", "spans_per_second": 100},
		{"name": "odd", "type": "attribute", "key": "drop", "values": ["no"]},
		{"name": "rest", "type": "probabilistic", "percentage": 0}]}`)
	ten := func(svc string, keep bool) *Summary {
		spans := make([]span, 10)
		for i := range spans {
			spans[i] = span{service: svc}
			if i > 0 {
				spans[i].parent = "x"
			}
		}
		if keep {
			spans[0].attrs = map[string]any{"drop": "no"}
		}
		return summarize(d, traceID(1), spans...)
	}
	// Traces dropped by a later policy take no budget.
	for range 50 {
		if got := d.Decide(ten("engine", false), t0); got != (Decision{false, "rest"}) {
			t.Fatalf("%+v, want dropped by rest", got)
		}
	}
	for i := range 10 {
		if got := d.Decide(ten("engine", true), t0); got != (Decision{true, "odd"}) {
			t.Fatalf("trace %d within budget: %+v", i, got)
		}
	}
	if got := d.Decide(ten("engine", true), t0); got != (Decision{false, "cap"}) {
		t.Errorf("over budget: %+v, want dropped by cap", got)
	}
	if got := d.Decide(ten("device", true), t0); !got.Keep {
		t.Errorf("another service's budget: %+v", got)
	}
	errTrace := summarize(d, traceID(1), span{service: "engine", err: true})
	if got := d.Decide(errTrace, t0); got != (Decision{true, "errors"}) {
		t.Errorf("an error trace over budget: %+v, want kept by the policy before the cap", got)
	}
	// Half a second refills 50 spans: five traces.
	later := t0.Add(500 * time.Millisecond)
	for i := range 5 {
		if got := d.Decide(ten("engine", true), later); !got.Keep {
			t.Fatalf("trace %d after the refill: %+v", i, got)
		}
	}
	if got := d.Decide(ten("engine", true), later); got.Keep {
		t.Errorf("past the refill: %+v", got)
	}
}

// TestConfigErrors: every bad setting is named with its value and what is
// allowed.
func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ js, want string }{
		{`{"decision_wait": "1ms"}`, "decision_wait = 1ms: allowed from 100ms to 1h0m0s"},
		{`{"decision_wait": 5}`, `want a duration such as "10s"`},
		{`{"policies": [{"type": "error"}]}`, `policies[0].name = "": allowed a name`},
		{`{"policies": [{"name": "a", "type": "error"}, {"name": "a", "type": "error"}]}`, `policies[1].name = "a"`},
		{`{"policies": [{"name": "a", "type": "sometimes"}]}`, `policies[0] (a).type = "sometimes": allowed error, latency, attribute, rate_limit, probabilistic`},
		{`{"policies": [{"name": "a", "type": "latency"}]}`, `policies[0] (a).threshold = 0s: allowed a duration above 0`},
		{`{"policies": [{"name": "a", "type": "attribute", "key": "k"}]}`, `policies[0] (a).values = 0 values: allowed 1 to 1024 values`},
		{`{"policies": [{"name": "a", "type": "rate_limit", "spans_per_second": -1}]}`, `spans_per_second = -1: allowed above 0`},
		{`{"policies": [{"name": "a", "type": "probabilistic"}]}`, `percentage = missing: allowed a number from 0 to 100`},
		{`{"policies": [{"name": "a", "type": "probabilistic", "percentage": 101}]}`, `percentage = 101`},
		{`{"policies": [{"name": "a", "type": "error", "percentage": 5}]}`, `policies[0] (a).percentage: not a field of a error policy`},
		{`{"policies": [], "extra": 1}`, `unknown field "extra"`},
		{`{} {}`, `more than one JSON value`},
		{strings.Repeat(" ", MaxConfigBytes+1), "at most 1048576 allowed"},
	} {
		_, err := Parse([]byte(tc.js))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.60s: %v, want %q", tc.js, err, tc.want)
		}
	}
	if _, err := New(Config{Policies: []Policy{{Name: "x", Type: "nope"}}}); err == nil {
		t.Error("New accepts an invalid Config")
	}
}

// FuzzParse: any bytes give a Config that validates, or an error; never a
// panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"decision_wait": "10s", "policies": [{"name": "r", "type": "probabilistic", "percentage": 10}]}`))
	f.Add([]byte(`{"policies": [{"name": "a", "type": "attribute", "key": "k", "values": ["v"]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := Parse(b)
		if err != nil {
			return
		}
		d, err := New(cfg)
		if err != nil {
			t.Fatalf("Parse accepted what New refuses: %v", err)
		}
		d.Decide(summarize(d, traceID(7), span{service: "s", dur: time.Second}), t0)
	})
}
