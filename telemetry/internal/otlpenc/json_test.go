package otlpenc_test

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpjson"
)

// pdataTracesJSON is what otlpjson's exporters wrote before
// AppendTracesJSON: pdata's JSON of otlpjson.Traces.
func pdataTracesJSON(tb testing.TB, spans []sdktrace.ReadOnlySpan) []byte {
	tb.Helper()
	b, err := ptraceotlp.NewExportRequestFromTraces(otlpjson.Traces(spans)).MarshalJSON()
	if err != nil {
		tb.Fatalf("pdata marshal: %v", err)
	}
	return b
}

// pdataLogsJSON is pdata's JSON of otlpjson.Logs.
func pdataLogsJSON(tb testing.TB, records []sdklog.Record) []byte {
	tb.Helper()
	b, err := plogotlp.NewExportRequestFromLogs(otlpjson.Logs(records)).MarshalJSON()
	if err != nil {
		tb.Fatalf("pdata marshal: %v", err)
	}
	return b
}

// requireJSON fails unless got is want byte for byte and pdata decodes it.
func requireJSON(tb testing.TB, got, want []byte, decode func([]byte) error) {
	tb.Helper()
	if !bytes.Equal(got, want) {
		tb.Fatalf("AppendJSON differs from pdata's JSON (%d vs %d bytes) %s", len(got), len(want), diffAt(string(got), string(want)))
	}
	if err := decode(got); err != nil {
		tb.Fatalf("pdata cannot decode the JSON: %v", err)
	}
}

func requireTracesJSON(tb testing.TB, enc *otlpenc.Encoder, spans []sdktrace.ReadOnlySpan) {
	tb.Helper()
	requireJSON(tb, enc.AppendTracesJSON(nil, spans), pdataTracesJSON(tb, spans),
		func(b []byte) error { return ptraceotlp.NewExportRequest().UnmarshalJSON(b) })
}

func requireLogsJSON(tb testing.TB, enc *otlpenc.LogEncoder, records []sdklog.Record) {
	tb.Helper()
	requireJSON(tb, enc.AppendLogsJSON(nil, records), pdataLogsJSON(tb, records),
		func(b []byte) error { return plogotlp.NewExportRequest().UnmarshalJSON(b) })
}

// TestTracesJSONMatchesPdata is the property test: random batches made by
// real TracerProviders (every attribute type, events and links with
// repeated attribute keys, statuses, trace states, remote parents, drops,
// several resources, some with equal attributes under other schema URLs,
// and scopes) encode to the very bytes pdata writes for otlpjson.Traces of
// the batch. One Encoder serves every batch and the protobuf encoding in
// between, so state left behind would show.
func TestTracesJSONMatchesPdata(t *testing.T) {
	var enc otlpenc.Encoder
	n := 300
	if testing.Short() {
		n = 50
	}
	for seed := range n {
		spans := gen{randChooser{rand.New(rand.NewPCG(uint64(seed), 19))}}.batch()
		requireTracesJSON(t, &enc, spans)
		_ = enc.AppendTraces(nil, spans)
	}
}

// TestLogsJSONMatchesPdata is TestTracesJSONMatchesPdata for log records
// (bodies of every kind, severities in and out of range, repeated keys,
// errors, event names, trace contexts).
func TestLogsJSONMatchesPdata(t *testing.T) {
	var enc otlpenc.LogEncoder
	n := 300
	if testing.Short() {
		n = 50
	}
	for seed := range n {
		records := gen{randChooser{rand.New(rand.NewPCG(uint64(seed), 23))}}.logs()
		requireLogsJSON(t, &enc, records)
		_ = enc.AppendLogs(nil, records)
	}
}

// awkward are strings and numbers at the edges of JSON's encoding.
var (
	awkwardStrings = []string{"", `q"uote`, `back\slash`, "nl\ncr\rtab\t", "\x00\x01\x08\x0c\x1f\x7f",
		"\xff\xfeinvalid utf-8", "<html>&amp;", "\u2028\u2029", "ünïcødé ✓"}
	awkwardFloats = []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 1e-7, 1e-6,
		9.99999e-7, 1e20, 1e21, 123456789012345680000, -1.5e-300, math.SmallestNonzeroFloat64, math.MaxFloat64, 0.1}
)

// TestTracesJSONStubs covers what the generator does not make: nil
// resources, the zero scope, nil spans, unknown kinds, many scopes (the
// Encoder's map), the schema URL split, empty keys, awkward strings and
// floats, long attribute lists with and without repeated keys, and empty
// batches.
func TestTracesJSONStubs(t *testing.T) {
	var enc otlpenc.Encoder
	tid := trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	ts, _ := trace.ParseTraceState(`a=x"y\z,b=1`)
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{1}, TraceState: ts})
	res := resource.NewSchemaless(attribute.String("service.name", "stub"))
	stub := func(name string, r *resource.Resource, scope instrumentation.Scope, kind trace.SpanKind, attrs ...attribute.KeyValue) sdktrace.ReadOnlySpan {
		return tracetest.SpanStub{Name: name, SpanContext: sc, SpanKind: kind, Resource: r, Attributes: attrs,
			InstrumentationScope: scope, StartTime: t0, EndTime: t0,
			Events: []sdktrace.Event{{Name: "e", Attributes: attrs}},
			Links:  []sdktrace.Link{{SpanContext: sc, Attributes: attrs}}}.Snapshot()
	}
	var awkward []attribute.KeyValue
	for i, s := range awkwardStrings {
		awkward = append(awkward, attribute.String(s, s), attribute.StringSlice("ss"+s, []string{s, s}))
		awkward = append(awkward, attribute.Float64(string(rune('a'+i)), awkwardFloats[i]))
	}
	awkward = append(awkward, attribute.Float64Slice("floats", awkwardFloats),
		attribute.ByteSlice("bytes", []byte{0, 0xfb, 0xff, 0xbf, 1}), attribute.ByteSlice("nobytes", nil),
		attribute.Int64("min", math.MinInt64), attribute.Int64Slice("ints", []int64{math.MaxInt64, -1, 0}),
		attribute.Map("m", attribute.String("", "empty key"), attribute.Int("x", 1), attribute.Int("x", 2)),
		attribute.Slice("nested", attribute.MapValue(), attribute.SliceValue(), attribute.Value{}))
	long := func(repeat bool) []attribute.KeyValue {
		var kvs []attribute.KeyValue
		for i := range 40 {
			k := string(rune('A' + i))
			if repeat && i%3 == 0 {
				k = string(rune('A' + i/2))
			}
			kvs = append(kvs, attribute.Int(k, i))
		}
		return kvs
	}
	many := func() []sdktrace.ReadOnlySpan {
		var spans []sdktrace.ReadOnlySpan
		for i := range 40 { // 12 groups (past the Encoder's linear search), repeated
			j := i % 12 // equal attributes under 3 schema URLs, 4 scopes
			r := resource.NewWithAttributes([]string{"", "https://a/1", "https://a/2"}[j%3], attribute.Int("r", 1))
			scope := instrumentation.Scope{Name: words[j/3], Version: "v"}
			spans = append(spans, stub("s", r, scope, trace.SpanKindClient))
		}
		return spans
	}
	tests := []struct {
		name  string
		spans []sdktrace.ReadOnlySpan
	}{
		{"empty batch", nil},
		{"only nil spans", []sdktrace.ReadOnlySpan{nil, nil}},
		{"nil resource, zero scope", []sdktrace.ReadOnlySpan{stub("a", nil, instrumentation.Scope{}, trace.SpanKindInternal)}},
		{"unknown kind", []sdktrace.ReadOnlySpan{stub("k", res, instrumentation.Scope{Name: "x"}, trace.SpanKind(42))}},
		{"nil spans", []sdktrace.ReadOnlySpan{nil, stub("n", res, instrumentation.Scope{Name: "x"}, 0), nil}},
		{"40 scopes", many()},
		{"schema URLs split", []sdktrace.ReadOnlySpan{
			stub("a", resource.NewWithAttributes("https://a/1", attribute.Int("r", 1)), instrumentation.Scope{Name: "x"}, 0),
			stub("b", resource.NewWithAttributes("https://a/2", attribute.Int("r", 1)), instrumentation.Scope{Name: "x"}, 0),
			stub("c", resource.NewWithAttributes("https://a/1", attribute.Int("r", 1)), instrumentation.Scope{Name: "x"}, 0),
		}},
		{"awkward values", []sdktrace.ReadOnlySpan{stub(awkwardStrings[1], res, instrumentation.Scope{Name: awkwardStrings[3],
			Version: awkwardStrings[5], Attributes: attribute.NewSet(awkward...)}, 0, awkward...)}},
		{"40 attributes", []sdktrace.ReadOnlySpan{stub("l", res, instrumentation.Scope{}, 0, long(false)...)}},
		{"40 attributes, repeated keys", []sdktrace.ReadOnlySpan{stub("r", res, instrumentation.Scope{}, 0, long(true)...)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { requireTracesJSON(t, &enc, tt.spans) })
	}
}

// TestLogsJSONStubs covers records the generator does not make: no
// resource, the zero scope, awkward bodies, and 40 attributes with and
// without repeated keys (the SDK keeps repeats with
// WithAllowKeyDuplication).
func TestLogsJSONStubs(t *testing.T) {
	var enc otlpenc.LogEncoder
	stub := func(body attribute.Value, attrs ...attribute.KeyValue) sdklog.Record {
		var r sdklog.Record
		r.SetTimestamp(t0)
		r.SetSeverity(log.SeverityWarn)
		r.SetSeverityText(`"warn"`)
		r.SetBody(body)
		r.SetAttributes(attrs...)
		r.SetTraceID(trace.TraceID{1, 2, 3})
		r.SetTraceFlags(trace.FlagsSampled)
		return r
	}
	repeated := func(n int) []sdklog.Record {
		capture := new(otlpenctest.Keep)
		lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(capture), sdklog.WithAllowKeyDuplication(),
			sdklog.WithAttributeCountLimit(-1))
		var r log.Record
		for i := range n {
			r.AddAttributes(attribute.Int(string(rune('A'+i%(n/2+1))), i))
		}
		lp.Logger("x").Emit(context.Background(), r)
		return capture.Records()
	}
	tests := []struct {
		name    string
		records []sdklog.Record
	}{
		{"empty batch", nil},
		{"nil resource, zero scope", []sdklog.Record{stub(attribute.StringValue("hello"))}},
		{"empty body", []sdklog.Record{stub(attribute.Value{})}},
		{"awkward body", []sdklog.Record{stub(attribute.StringValue(strings.Join(awkwardStrings, "|")),
			attribute.Float64Slice("f", awkwardFloats))}},
		{"NaN body", []sdklog.Record{stub(attribute.Float64Value(math.NaN()))}},
		{"8 attributes, repeated keys", repeated(8)},
		{"40 attributes, repeated keys", repeated(40)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { requireLogsJSON(t, &enc, tt.records) })
	}
}

// TestAppendJSONKeepsPrefix checks that the JSON encoders append: what dst
// holds is kept, and the encoding after it is the one of an empty dst.
func TestAppendJSONKeepsPrefix(t *testing.T) {
	g := gen{randChooser{rand.New(rand.NewPCG(7, 7))}}
	spans, records := g.batch(), g.logs()
	var enc otlpenc.Encoder
	var lenc otlpenc.LogEncoder
	for _, tt := range []struct {
		name   string
		append func([]byte) []byte
	}{
		{"traces", func(b []byte) []byte { return enc.AppendTracesJSON(b, spans) }},
		{"logs", func(b []byte) []byte { return lenc.AppendLogsJSON(b, records) }},
	} {
		alone := tt.append(nil)
		got := tt.append([]byte("prefix"))
		if string(got) != "prefix"+string(alone) {
			t.Errorf("%s: appending after a prefix wrote something else than the prefix and the encoding", tt.name)
		}
	}
}

// TestAppendJSONAllocs checks that encoders reusing their buffer do not
// allocate for spans and records with scalar attributes, and that a
// string-slice attribute costs one allocation (the SDK's accessor copies).
func TestAppendJSONAllocs(t *testing.T) {
	for _, tt := range []struct {
		name   string
		encode func([]byte) []byte
		want   float64
	}{
		{"spans, scalar", func() func([]byte) []byte {
			var enc otlpenc.Encoder
			spans := otlpenctest.BenchSpans(otlpenctest.BatchSize, true)
			return func(b []byte) []byte { return enc.AppendTracesJSON(b, spans) }
		}(), 0},
		{"spans, string slice", func() func([]byte) []byte {
			var enc otlpenc.Encoder
			spans := otlpenctest.BenchSpans(otlpenctest.BatchSize, false)
			return func(b []byte) []byte { return enc.AppendTracesJSON(b, spans) }
		}(), otlpenctest.BatchSize},
		{"logs", func() func([]byte) []byte {
			var enc otlpenc.LogEncoder
			records := otlpenctest.BenchRecords(otlpenctest.BatchSize)
			return func(b []byte) []byte { return enc.AppendLogsJSON(b, records) }
		}(), 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			buf := tt.encode(nil)
			if got := testing.AllocsPerRun(20, func() { buf = tt.encode(buf[:0]) }); got > tt.want {
				t.Fatalf("%v allocations per batch of %d, want at most %v", got, otlpenctest.BatchSize, tt.want)
			}
		})
	}
}

// FuzzTracesJSON builds span batches through the SDK from the fuzzer's
// bytes and requires the JSON to be pdata's for otlpjson.Traces.
func FuzzTracesJSON(f *testing.F) {
	addSeeds(f)
	var enc otlpenc.Encoder
	f.Fuzz(func(t *testing.T, data []byte) {
		requireTracesJSON(t, &enc, gen{&byteChooser{data}}.batch())
	})
}

// FuzzLogsJSON is FuzzTracesJSON for log records.
func FuzzLogsJSON(f *testing.F) {
	addSeeds(f)
	var enc otlpenc.LogEncoder
	f.Fuzz(func(t *testing.T, data []byte) {
		requireLogsJSON(t, &enc, gen{&byteChooser{data}}.logs())
	})
}

func addSeeds(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{2, 1, 5, 9, 3, 3, 1, 0, 7, 11, 4, 2, 8, 1, 1, 6, 2, 3, 9, 10, 11, 12})
	r := rand.New(rand.NewPCG(1, 2))
	for range 8 {
		b := make([]byte, 64+r.IntN(512))
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		f.Add(b)
	}
}
