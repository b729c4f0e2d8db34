package console_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/console"
)

func Example() {
	exp := console.NewSpanExporter(os.Stdout)
	defer exp.Shutdown(context.Background())

	// In a program the exporter is registered with a TracerProvider, for
	// example sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp)); here a
	// fixed span is exported directly so that the output is reproducible.
	start := time.Date(2024, time.May, 17, 9, 30, 0, 0, time.UTC)
	span := tracetest.SpanStub{
		Name: "hello",
		SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
			TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
			SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
			TraceFlags: trace.FlagsSampled,
		}),
		SpanKind:   trace.SpanKindInternal,
		StartTime:  start,
		EndTime:    start.Add(1500 * time.Microsecond),
		Attributes: []attribute.KeyValue{attribute.Float64("ratio", 1)},
		Resource:   resource.NewSchemaless(attribute.String("service.name", "demo")),
	}.Snapshot()

	if err := exp.ExportSpans(context.Background(), []sdktrace.ReadOnlySpan{span}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {
	//     "name": "hello",
	//     "context": {
	//         "trace_id": "0x4bf92f3577b34da6a3ce929d0e0e4736",
	//         "span_id": "0x00f067aa0ba902b7",
	//         "trace_state": "[]"
	//     },
	//     "kind": "SpanKind.INTERNAL",
	//     "parent_id": null,
	//     "start_time": "2024-05-17T09:30:00.000000Z",
	//     "end_time": "2024-05-17T09:30:00.001500Z",
	//     "status": {
	//         "status_code": "UNSET"
	//     },
	//     "attributes": {
	//         "ratio": 1.0
	//     },
	//     "events": [],
	//     "links": [],
	//     "resource": {
	//         "attributes": {
	//             "service.name": "demo"
	//         },
	//         "schema_url": ""
	//     }
	// }
}
