package telemetry

import (
	"strings"

	"go.opentelemetry.io/contrib/propagators/autoprop"
	"go.opentelemetry.io/otel/propagation"
)

var propagatorNames = []string{"tracecontext", "baggage", "b3", "b3multi", "jaeger", "xray", "ottrace", "none"}

// parsePropagators builds the composite propagator named by list (the
// OTEL_PROPAGATORS names), with contrib's autoprop doing the work.
func parsePropagators(list []string) (propagation.TextMapPropagator, error) {
	allowed := strings.Join(propagatorNames, ", ")
	if len(list) == 0 {
		return nil, badValue(allowed, "empty propagator list")
	}
	for _, n := range list {
		if n == "" {
			return nil, badValue(allowed, "%v", errEmptyItem)
		}
		known := false
		for _, k := range propagatorNames {
			known = known || n == k
		}
		if !known {
			return nil, badValue(allowed, "unknown propagator %q", n)
		}
	}
	p, err := autoprop.TextMapPropagator(list...)
	if err != nil {
		return nil, badValue(allowed, "%v", err)
	}
	return p, nil
}
