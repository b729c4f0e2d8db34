// Package propagators chooses the text-map propagator of the toolkit's
// instrumentation (remote, task, httptrace) when the program gave none: the
// OpenTelemetry global one when something installed it
// (telemetry.Setup with WithGlobal, otel.SetTextMapPropagator), else W3C
// Trace Context and Baggage, so that a trace never silently stops at a
// process boundary because the program forgot to install a propagator.
package propagators

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// w3c is what sightline installs by default (OTEL_PROPAGATORS unset).
var w3c = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// OrDefault returns p when it is not nil, else the global propagator when it
// propagates anything (it has fields), else W3C Trace Context and Baggage.
// The global one is read now: call it when the propagator is used if a
// propagator installed later must be honoured.
func OrDefault(p propagation.TextMapPropagator) propagation.TextMapPropagator {
	if p != nil {
		return p
	}
	if g := otel.GetTextMapPropagator(); len(g.Fields()) > 0 {
		return g
	}
	return w3c
}
