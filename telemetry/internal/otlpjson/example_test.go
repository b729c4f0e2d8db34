package otlpjson_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpjson"
)

func ExampleTraces() {
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	span := tracetest.SpanStub{
		Name: "checkout",
		SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
			TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
			SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
			TraceFlags: trace.FlagsSampled,
		}),
		SpanKind:             trace.SpanKindServer,
		StartTime:            start,
		EndTime:              start.Add(25 * time.Millisecond),
		Attributes:           []attribute.KeyValue{attribute.Int("items", 3)},
		Status:               sdktrace.Status{Code: codes.Ok},
		Resource:             resource.NewSchemaless(attribute.String("service.name", "shop")),
		InstrumentationScope: instrumentation.Scope{Name: "shop/checkout"},
	}.Snapshot()

	td := otlpjson.Traces([]sdktrace.ReadOnlySpan{span})
	var m ptrace.JSONMarshaler
	b, err := m.MarshalTraces(td)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))
	// Output:
	// {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},"scopeSpans":[{"scope":{"name":"shop/checkout"},"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","flags":257,"name":"checkout","kind":2,"startTimeUnixNano":"1735787045000000000","endTimeUnixNano":"1735787045025000000","attributes":[{"key":"items","value":{"intValue":"3"}}],"status":{"code":1}}]}]}]}
}

func ExampleNewFileSpanExporter() {
	dir, err := os.MkdirTemp("", "otlpjson-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	// Each process writes its own file.
	path := filepath.Join(dir, "traces-{pid}.jsonl")
	exp, err := otlpjson.NewFileSpanExporter(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	tracer := tp.Tracer("example")
	for _, name := range []string{"first", "second"} {
		_, span := tracer.Start(context.Background(), name)
		span.End()
	}
	// Shutdown flushes the batch and then shuts the exporter down.
	if err := tp.Shutdown(context.Background()); err != nil {
		fmt.Println(err)
		return
	}

	f, err := os.Open(otlpjson.ExpandPath(path))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var u ptrace.JSONUnmarshaler
		td, err := u.UnmarshalTraces(sc.Bytes())
		if err != nil {
			fmt.Println(err)
			return
		}
		spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
		for i := range spans.Len() {
			fmt.Println(spans.At(i).Name())
		}
	}
	// Output:
	// first
	// second
}
