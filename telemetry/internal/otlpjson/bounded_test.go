package otlpjson_test

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpjson"
)

func boundedStub() tracetest.SpanStub {
	return tracetest.SpanStub{
		Name: "scan",
		SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: testTraceID, SpanID: testSpanID,
			TraceFlags: trace.FlagsSampled}),
		Parent:    trace.NewSpanContext(trace.SpanContextConfig{TraceID: testTraceID, SpanID: testParentID}),
		StartTime: testStart,
	}
}

func onlySpan(t *testing.T, td ptrace.Traces) ptrace.Span {
	t.Helper()
	if td.ResourceSpans().Len() != 1 || td.SpanCount() != 1 {
		t.Fatalf("%d resources, %d spans; want one of each", td.ResourceSpans().Len(), td.SpanCount())
	}
	return td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
}

// TestBoundedSpanKeepsWhatFits: a span within the limits comes out whole,
// as Traces converts it, and without an end time while open.
func TestBoundedSpanKeepsWhatFits(t *testing.T) {
	stub := boundedStub()
	stub.Attributes = allAttrs()
	stub.Events = []sdktrace.Event{{Name: "moved", Time: testStart, Attributes: []attribute.KeyValue{attribute.Int("x", 1)}}}
	ro := stub.Snapshot()
	td, trimmed := otlpjson.BoundedSpan(ro, otlpjson.Limits{Bytes: 64 << 10, ValueBytes: 4 << 10, Items: 128})
	if trimmed {
		t.Error("trimmed a span that fits")
	}
	got, want := onlySpan(t, td), onlySpan(t, otlpjson.Traces([]sdktrace.ReadOnlySpan{ro}))
	if !got.Attributes().Equal(want.Attributes()) || got.Events().Len() != 1 || got.Name() != "scan" ||
		got.ParentSpanID() != want.ParentSpanID() || got.EndTimestamp() != 0 {
		t.Errorf("bounded span differs from the full conversion: attributes %v, %d events, end %v",
			got.Attributes().AsRaw(), got.Events().Len(), got.EndTimestamp())
	}
}

// TestBoundedSpanCuts checks each bound: item counts, value length at a
// UTF-8 boundary, the byte budget (latest events kept, dropped counts
// added), and a zero budget that keeps only the span's frame.
func TestBoundedSpanCuts(t *testing.T) {
	stub := boundedStub()
	for i := range 200 {
		stub.Attributes = append(stub.Attributes, attribute.Int("a"+strconv.Itoa(i), i))
	}
	stub.Attributes = append([]attribute.KeyValue{attribute.String("long", strings.Repeat("é", 5000))}, stub.Attributes...)
	stub.DroppedAttributes = 3
	for i := range 10 {
		stub.Events = append(stub.Events, sdktrace.Event{Name: "e" + strconv.Itoa(i), Time: testStart,
			Attributes: []attribute.KeyValue{attribute.String("v", strings.Repeat("x", 1000))}})
	}
	ro := stub.Snapshot()

	td, trimmed := otlpjson.BoundedSpan(ro, otlpjson.Limits{Bytes: 64 << 10, ValueBytes: 4 << 10, Items: 128})
	s := onlySpan(t, td)
	if !trimmed || s.Attributes().Len() != 128 || s.DroppedAttributesCount() != 3+201-128 {
		t.Errorf("items: trimmed %v, %d attributes, %d dropped; want true, 128, %d", trimmed, s.Attributes().Len(), s.DroppedAttributesCount(), 3+201-128)
	}
	long, _ := s.Attributes().Get("long")
	if v := long.Str(); len(v) > 4<<10 || len(v) < 4<<10-1 || !utf8.ValidString(v) {
		t.Errorf("a 10000-byte value was cut to %d bytes (valid UTF-8 %v), want 4095 or 4096", len(v), utf8.ValidString(v))
	}

	// A budget that holds the attributes and about three events keeps the
	// three latest, in order.
	td, _ = otlpjson.BoundedSpan(ro, otlpjson.Limits{Bytes: 4096 + 200*20 + 3*1100, ValueBytes: 4 << 10, Items: 256})
	s = onlySpan(t, td)
	var names []string
	for i := range s.Events().Len() {
		names = append(names, s.Events().At(i).Name())
	}
	if len(names) == 0 || names[len(names)-1] != "e9" || int(s.DroppedEventsCount())+len(names) != 10 {
		t.Errorf("events kept %v (%d dropped), want the latest ones, in order, the rest counted", names, s.DroppedEventsCount())
	}

	td, trimmed = otlpjson.BoundedSpan(ro, otlpjson.Limits{ValueBytes: 256})
	s = onlySpan(t, td)
	if !trimmed || s.Attributes().Len() != 0 || s.Events().Len() != 0 || s.DroppedEventsCount() != 10 ||
		s.Name() != "scan" || s.SpanID() != [8]byte(testSpanID) {
		t.Errorf("zero budget: %d attributes, %d events (%d dropped), name %q; want only the frame", s.Attributes().Len(),
			s.Events().Len(), s.DroppedEventsCount(), s.Name())
	}
}

// TestBoundedSpanAllocatesWithinItsBounds: converting a span that holds a
// hundred thousand attributes, a 10 MiB string and a million-element array
// allocates a bounded amount, not in proportion to the span.
func TestBoundedSpanAllocatesWithinItsBounds(t *testing.T) {
	stub := boundedStub()
	stub.Attributes = make([]attribute.KeyValue, 0, 100_001)
	stub.Attributes = append(stub.Attributes, attribute.String("huge", strings.Repeat("x", 10<<20)),
		attribute.Int64Slice("many", make([]int64, 1<<20)))
	for i := range 100_000 {
		stub.Attributes = append(stub.Attributes, attribute.Int("a"+strconv.Itoa(i), i))
	}
	ro := stub.Snapshot()
	lim := otlpjson.Limits{Bytes: 64 << 10, ValueBytes: 4 << 10, Items: 128}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	td, _ := otlpjson.BoundedSpan(ro, lim)
	b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	// The attribute API copies an array value whole when asked for it
	// (8 MiB here, once); the rest is bounded by the limits.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20+2<<20 {
		t.Errorf("converting and encoding allocated %d bytes, want under 8 MiB (one copy of the array) + 2 MiB", alloc)
	}
	if len(b) > 256<<10 {
		t.Errorf("encoded %d bytes, want under 256 KiB", len(b))
	}
}
