package otlpenum_test

import (
	"fmt"

	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/internal/otlpenum"
)

func Example() {
	fromAPI := otlpenum.SpanKind(trace.SpanKindServer)
	fromName, ok := otlpenum.SpanKindNamed("SpanKind.SERVER")
	sev, _ := otlpenum.SeverityNamed("SeverityNumber.WARN2")
	fmt.Println(fromAPI, fromName, ok, sev, int32(sev))
	// Output: Server Server true Warn2 14
}
