package otlpjson_test

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

var (
	testTraceID  = trace.TraceID{0x0a, 0x0b, 0x0c, 0x0d, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	testSpanID   = trace.SpanID{1, 1, 1, 1, 1, 1, 1, 1}
	testParentID = trace.SpanID{2, 2, 2, 2, 2, 2, 2, 2}
	testStart    = time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC)
)

// attrCase is one attribute of each type and what pdata should hold for it.
type attrCase struct {
	kv       attribute.KeyValue
	wantType pcommon.ValueType
	wantRaw  any // pcommon.Value.AsRaw()
}

// allAttrCases covers every attribute.Type.
var allAttrCases = []attrCase{
	{attribute.Bool("bool", true), pcommon.ValueTypeBool, true},
	{attribute.Int64("int64", -42), pcommon.ValueTypeInt, int64(-42)},
	{attribute.Int("int", 7), pcommon.ValueTypeInt, int64(7)},
	{attribute.Float64("float64", 2.5), pcommon.ValueTypeDouble, 2.5},
	{attribute.String("string", "héllo"), pcommon.ValueTypeStr, "héllo"},
	{attribute.BoolSlice("bools", []bool{true, false}), pcommon.ValueTypeSlice, []any{true, false}},
	{attribute.Int64Slice("int64s", []int64{1, -2}), pcommon.ValueTypeSlice, []any{int64(1), int64(-2)}},
	{attribute.Float64Slice("float64s", []float64{0.5, -1}), pcommon.ValueTypeSlice, []any{0.5, -1.0}},
	{attribute.StringSlice("strings", []string{"a", ""}), pcommon.ValueTypeSlice, []any{"a", ""}},
	{attribute.ByteSlice("bytes", []byte{0, 1, 0xff}), pcommon.ValueTypeBytes, []byte{0, 1, 0xff}},
	{
		attribute.Slice("slice", attribute.StringValue("x"), attribute.Int64Value(3), attribute.SliceValue(attribute.BoolValue(false))),
		pcommon.ValueTypeSlice, []any{"x", int64(3), []any{false}},
	},
	{
		attribute.Map("map", attribute.String("k", "v"), attribute.Map("inner", attribute.Float64("f", 1.5))),
		pcommon.ValueTypeMap, map[string]any{"k": "v", "inner": map[string]any{"f": 1.5}},
	},
	{attribute.KeyValue{Key: "empty"}, pcommon.ValueTypeEmpty, nil},
}

func allAttrs() []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, len(allAttrCases))
	for i, c := range allAttrCases {
		kvs[i] = c.kv
	}
	return kvs
}

// checkAllAttrs checks that m holds exactly allAttrCases.
func checkAllAttrs(t *testing.T, what string, m pcommon.Map) {
	t.Helper()
	if m.Len() != len(allAttrCases) {
		t.Errorf("%s: %d attributes, want %d: %v", what, m.Len(), len(allAttrCases), m.AsRaw())
	}
	for _, c := range allAttrCases {
		v, ok := m.Get(string(c.kv.Key))
		if !ok {
			t.Errorf("%s: attribute %q missing", what, c.kv.Key)
			continue
		}
		if v.Type() != c.wantType {
			t.Errorf("%s: attribute %q has type %v, want %v", what, c.kv.Key, v.Type(), c.wantType)
		}
		if got := v.AsRaw(); !reflect.DeepEqual(got, c.wantRaw) {
			t.Errorf("%s: attribute %q = %#v, want %#v", what, c.kv.Key, got, c.wantRaw)
		}
	}
}

// checkAttrs checks that m holds exactly want (as AsRaw values).
func checkAttrs(t *testing.T, what string, m pcommon.Map, want map[string]any) {
	t.Helper()
	if want == nil {
		want = map[string]any{}
	}
	if got := m.AsRaw(); !reflect.DeepEqual(got, want) {
		t.Errorf("%s attributes = %#v, want %#v", what, got, want)
	}
}

func mustTraceState(t *testing.T, s string) trace.TraceState {
	t.Helper()
	ts, err := trace.ParseTraceState(s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func testResource(t *testing.T, name string) *resource.Resource {
	t.Helper()
	return resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0", attribute.String("service.name", name))
}

// simpleSpans returns n small spans sharing one resource and scope, named
// span-0 ... span-(n-1).
func simpleSpans(t *testing.T, n int) []sdktrace.ReadOnlySpan {
	t.Helper()
	res := testResource(t, "svc")
	out := make([]sdktrace.ReadOnlySpan, n)
	for i := range out {
		sid := trace.SpanID{0xee, byte(i >> 8), byte(i), 1, 2, 3, 4, 5}
		out[i] = tracetest.SpanStub{
			Name: "span-" + strconv.Itoa(i),
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{
				TraceID: testTraceID, SpanID: sid, TraceFlags: trace.FlagsSampled,
			}),
			StartTime:            testStart,
			EndTime:              testStart.Add(time.Millisecond),
			Attributes:           []attribute.KeyValue{attribute.Int("i", i)},
			Status:               sdktrace.Status{Code: codes.Ok},
			Resource:             res,
			InstrumentationScope: instrumentation.Scope{Name: "test"},
		}.Snapshot()
	}
	return out
}
