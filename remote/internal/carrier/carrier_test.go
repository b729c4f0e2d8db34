package carrier

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// TestSameAsHeaderCarrier: what Header writes and reads is what
// propagation.HeaderCarrier writes and reads, for the W3C keys and others.
func TestSameAsHeaderCarrier(t *testing.T) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3}, SpanID: trace.SpanID{4, 5}, TraceFlags: trace.FlagsSampled,
	})
	ts, err := trace.ParseTraceState("vendor=value")
	if err != nil {
		t.Fatal(err)
	}
	sc = sc.WithTraceState(ts)
	m, err := baggage.NewMember("user", "alice")
	if err != nil {
		t.Fatal(err)
	}
	bag, err := baggage.New(m)
	if err != nil {
		t.Fatal(err)
	}
	ctx := baggage.ContextWithBaggage(trace.ContextWithSpanContext(context.Background(), sc), bag)

	ours, theirs := http.Header{}, http.Header{}
	w3c.Inject(ctx, Header(ours))
	w3c.Inject(ctx, propagation.HeaderCarrier(theirs))
	if len(ours) != 3 || !equalHeaders(ours, theirs) {
		t.Fatalf("injected %v, HeaderCarrier injects %v", ours, theirs)
	}
	for _, k := range []string{"Traceparent", "Tracestate", "Baggage"} {
		if len(ours[k]) != 1 {
			t.Errorf("header %s = %q, want one value", k, ours[k])
		}
	}

	// Baggage over two headers (ValuesGetter), and a key outside the switch.
	theirs.Add("Baggage", "other=1")
	got := w3c.Extract(context.Background(), Header(theirs))
	want := w3c.Extract(context.Background(), propagation.HeaderCarrier(theirs))
	if g, w := trace.SpanContextFromContext(got), trace.SpanContextFromContext(want); !g.Equal(w) || !g.Equal(sc.WithRemote(true)) {
		t.Errorf("extracted span context %v, HeaderCarrier's %v, sent %v", g, w, sc)
	}
	g, w := baggage.FromContext(got), baggage.FromContext(want)
	if g.Len() != 2 || w.Len() != 2 || g.Member("user").Value() != "alice" || g.Member("other").Value() != w.Member("other").Value() {
		t.Errorf("extracted baggage %q, HeaderCarrier's %q", g, w)
	}
	h := Header(theirs)
	h.Set("x-other-key", "v")
	if v := theirs.Get("X-Other-Key"); v != "v" || h.Get("x-other-key") != "v" {
		t.Errorf("x-other-key = %q", v)
	}
	keys := h.Keys()
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"Baggage", "Traceparent", "Tracestate", "X-Other-Key"}) {
		t.Errorf("keys %q", keys)
	}
}

// TestNoAllocations: reading the W3C keys allocates nothing, so extracting
// the W3C context allocates only the context it returns (the span context
// boxed as a span, and the context value), unlike HeaderCarrier.
func TestNoAllocations(t *testing.T) {
	h := http.Header{"Traceparent": {"00-0102030000000000000000000000000f-0405000000000000-01"}}
	tc := propagation.TraceContext{}
	n := testing.AllocsPerRun(100, func() {
		if v := Header(h).Get("traceparent"); v == "" {
			t.Fatal("no traceparent")
		}
		_ = Header(h).Get("tracestate")
	})
	if n != 0 {
		t.Errorf("Get allocates %v times, want 0", n)
	}
	ours := testing.AllocsPerRun(100, func() { tc.Extract(context.Background(), Header(h)) })
	theirs := testing.AllocsPerRun(100, func() { tc.Extract(context.Background(), propagation.HeaderCarrier(h)) })
	if ours > 2 || ours >= theirs {
		t.Errorf("Extract allocates %v times, want at most 2 (the context), fewer than HeaderCarrier's %v", ours, theirs)
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
