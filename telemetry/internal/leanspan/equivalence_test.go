package leanspan_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
)

// TestEquivalence runs random scripts of span operations against an SDK
// TracerProvider and a leanspan Tracer built alike (sampler, ids, limits,
// resource, scope) and requires the same observations while they run and
// the same ended spans, every field of the SDK's ReadOnlySpan.
func TestEquivalence(t *testing.T) {
	scripts := 5000
	if testing.Short() {
		scripts = 300
	}
	var total tally
	for seed := range uint64(scripts) {
		if msg := runScript(seed, &total); msg != "" {
			t.Fatalf("seed %d: %s", seed, msg)
		}
	}
	t.Logf("%d scripts: %+v", scripts, total)
	// The scripts must reach what they are meant to compare.
	for name, n := range map[string]int{
		"spans": total.Spans, "dropped attributes": total.DroppedAttrs, "events": total.Events,
		"dropped events": total.DroppedEvents, "links": total.Links, "dropped links": total.DroppedLinks,
		"errors": total.Errors, "children": total.Children, "remote parents": total.RemoteParents,
		"record-only": total.RecordOnly,
	} {
		if n < scripts/20 {
			t.Errorf("only %d %s in %d scripts", n, name, scripts)
		}
	}
}

// tally counts what the scripts' ended spans hold.
type tally struct {
	Spans, RecordOnly, RemoteParents, Children, DroppedAttrs, Events, DroppedEvents int
	Links, DroppedLinks, Errors                                                     int
}

func (t *tally) add(s tracetest.SpanStub) {
	t.Spans++
	if !s.SpanContext.IsSampled() {
		t.RecordOnly++
	}
	if s.Parent.IsRemote() {
		t.RemoteParents++
	}
	t.Children += s.ChildSpanCount
	t.DroppedAttrs += s.DroppedAttributes
	t.Events += len(s.Events)
	t.DroppedEvents += s.DroppedEvents
	t.Links += len(s.Links)
	t.DroppedLinks += s.DroppedLinks
	if s.Status.Code == codes.Error {
		t.Errors++
	}
}

// runScript returns "" when both sides agree, else the first difference
// and the script.
func runScript(seed uint64, total *tally) string {
	g := gen{r: rand.New(rand.NewPCG(seed, 0x1ea5))}
	g.wide = g.r.IntN(6) == 0
	limits, custom := g.limits()
	sampler, samplerName := g.sampler()
	explicit := g.r.IntN(4) != 0
	steps := script(g, 5+g.r.IntN(40), explicit)
	res := resource.NewSchemaless(attribute.String("service.name", "equivalence"))

	rec := tracetest.NewSpanRecorder()
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithSampler(sampler), sdktrace.WithIDGenerator(&seqIDs{}),
		sdktrace.WithResource(res), sdktrace.WithSpanProcessor(rec),
	}
	if custom {
		opts = append(opts, sdktrace.WithRawSpanLimits(limits))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	defer func() { _ = tp.Shutdown(context.Background()) }()
	sdk := &side{tracer: tp.Tracer("equivalence", trace.WithInstrumentationVersion("v1"))}

	var ended []sdktrace.ReadOnlySpan
	var getterDiff string
	lean := &side{tracer: leanspan.New(leanspan.Config{
		Sampler: sampler, IDGenerator: &seqIDs{}, Resource: res, Limits: limits,
		Scope: instrumentation.Scope{Name: "equivalence", Version: "v1"},
		OnEnd: func(s *leanspan.Span) {
			snap := s.Snapshot()
			ended = append(ended, snap)
			if d := diffStubs(tracetest.SpanStubFromReadOnlySpan(snap), getters(s)); d != "" && getterDiff == "" {
				getterDiff = fmt.Sprintf("getters of ended span %d differ from its snapshot: %s", len(ended)-1, d)
			}
		},
	})}

	for _, st := range steps {
		st.do(sdk)
		st.do(lean)
	}
	// End what is left, in order, so every span is compared.
	for i := range sdk.spans {
		var o []trace.SpanEndOption
		if explicit {
			o = append(o, trace.WithTimestamp(t0.Add(2*time.Second)))
		}
		sdk.spans[i].End(o...)
		lean.spans[i].End(o...)
	}

	header := func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "limits %+v (custom %v), sampler %s, explicit times %v, wide %v\n",
			limits, custom, samplerName, explicit, g.wide)
		for i, st := range steps {
			fmt.Fprintf(&b, "  %d: %s\n", i, st.desc)
		}
		return b.String()
	}
	for i := range max(len(sdk.seen), len(lean.seen)) {
		if i >= len(sdk.seen) || i >= len(lean.seen) {
			return fmt.Sprintf("%d observations by the SDK, %d by leanspan\n%s", len(sdk.seen), len(lean.seen), header())
		}
		a, b := normalizeSeen(sdk.seen[i], explicit), normalizeSeen(lean.seen[i], explicit)
		if !reflect.DeepEqual(a, b) {
			return fmt.Sprintf("observation %d:\n sdk  %#v\n lean %#v\n%s", i, a, b, header())
		}
	}
	if getterDiff != "" {
		return getterDiff + "\n" + header()
	}
	want := rec.Ended()
	if len(want) != len(ended) {
		return fmt.Sprintf("%d spans ended by the SDK, %d by leanspan\n%s", len(want), len(ended), header())
	}
	for i := range want {
		total.add(stub(want[i], explicit))
		if d := diffStubs(stub(want[i], explicit), stub(ended[i], explicit)); d != "" {
			return fmt.Sprintf("ended span %d (%q): %s\n%s", i, want[i].Name(), d, header())
		}
	}
	return ""
}

// stub reads a ReadOnlySpan; without explicit times the times are checked
// set and then zeroed, and stack traces are checked and replaced.
func stub(ro sdktrace.ReadOnlySpan, explicit bool) tracetest.SpanStub {
	s := tracetest.SpanStubFromReadOnlySpan(ro)
	if !explicit {
		if s.StartTime.IsZero() || s.EndTime.Before(s.StartTime) {
			s.Name += fmt.Sprintf(" [bad times %v %v]", s.StartTime, s.EndTime)
		}
		s.StartTime, s.EndTime = time.Time{}, time.Time{}
	}
	s.Events = normalizeEvents(s.Events, explicit)
	return s
}

func normalizeSeen(v any, explicit bool) any {
	if l, ok := v.(live); ok {
		l.Events = normalizeEvents(l.Events, explicit)
		return l
	}
	return v
}

func normalizeEvents(evs []sdktrace.Event, explicit bool) []sdktrace.Event {
	if evs == nil {
		return nil
	}
	out := make([]sdktrace.Event, len(evs))
	for i, e := range evs {
		// Times not passed (all without explicit, a panic's event always)
		// are now: checked set, then zeroed.
		if !e.Time.IsZero() && (!explicit || e.Time.After(t0.Add(time.Hour))) {
			e.Time = time.Time{}
		}
		attrs := make([]attribute.KeyValue, len(e.Attributes))
		for j, a := range e.Attributes {
			if a.Key == "exception.stacktrace" {
				if !strings.HasPrefix(a.Value.AsString(), "goroutine ") {
					a.Value = attribute.StringValue("<not a stack>")
				} else {
					a.Value = attribute.StringValue("<stack>")
				}
			}
			attrs[j] = a
		}
		if e.Attributes == nil {
			attrs = nil
		}
		e.Attributes = attrs
		out[i] = e
	}
	return out
}

// getters reads an ended span through the getters an encoder uses.
func getters(s *leanspan.Span) tracetest.SpanStub {
	return tracetest.SpanStub{
		Name: s.Name(), SpanContext: s.SpanContext(), Parent: s.Parent(), SpanKind: s.SpanKind(),
		StartTime: s.StartTime(), EndTime: s.EndTime(), Attributes: s.Attributes(),
		Events: s.Events(), Links: s.Links(), Status: s.Status(),
		DroppedAttributes: s.DroppedAttributes(), DroppedEvents: s.DroppedEvents(),
		DroppedLinks: s.DroppedLinks(), ChildSpanCount: s.ChildSpanCount(), Resource: s.Resource(),
		InstrumentationScope: s.InstrumentationScope(),
	}
}

// diffStubs names the first field in which a and b differ (but for the
// deprecated InstrumentationLibrary, SpanStubFromReadOnlySpan's copy of
// InstrumentationScope).
func diffStubs(a, b tracetest.SpanStub) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		if va.Type().Field(i).Name == "InstrumentationLibrary" {
			continue
		}
		fa, fb := va.Field(i).Interface(), vb.Field(i).Interface()
		if !reflect.DeepEqual(fa, fb) {
			return fmt.Sprintf("%s:\n sdk  %#v\n lean %#v", va.Type().Field(i).Name, fa, fb)
		}
	}
	return ""
}
