package propagators

import (
	"slices"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// TestOrDefault: the given propagator wins, then an installed global one,
// then W3C Trace Context and Baggage (the global one of a fresh process
// propagates nothing).
func TestOrDefault(t *testing.T) {
	if got := OrDefault(propagation.Baggage{}).Fields(); !slices.Equal(got, []string{"baggage"}) {
		t.Errorf("given: fields %q", got)
	}
	// A global propagator cannot be uninstalled (otel's first one
	// delegates to whatever is set later), so "nothing installed" holds
	// only in the first run of a process (-count above 1 repeats the test).
	if len(otel.GetTextMapPropagator().Fields()) == 0 {
		if got := OrDefault(nil).Fields(); !slices.Contains(got, "traceparent") || !slices.Contains(got, "baggage") {
			t.Errorf("nothing installed: fields %q, want W3C trace context and baggage", got)
		}
	}
	prev := otel.GetTextMapPropagator()
	t.Cleanup(func() { otel.SetTextMapPropagator(prev) })
	otel.SetTextMapPropagator(propagation.Baggage{})
	if got := OrDefault(nil).Fields(); !slices.Equal(got, []string{"baggage"}) {
		t.Errorf("global installed: fields %q, want the global one's", got)
	}
}
