package otlpenc_test

import (
	"math/rand/v2"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
)

// TestMatchesSDK is the property test: random batches made by real SDK
// TracerProviders (every attribute type, events, links, statuses, trace
// states, remote parents, unsampled spans, drops forced by low span
// limits, several resources and scopes per batch) encode to what the SDK's
// otlptracehttp exporter sends, as pdata decodes it, and to the same bytes
// when the batch has one resource. One Encoder serves every batch, so
// state left from one batch would show in the next.
func TestMatchesSDK(t *testing.T) {
	p := newSDKPath(t, true)
	var enc otlpenc.Encoder
	n := 300
	if testing.Short() {
		n = 50
	}
	for seed := range n {
		spans := gen{randChooser{rand.New(rand.NewPCG(uint64(seed), 19))}}.batch()
		requireSameAsSDK(t, p, &enc, spans)
	}
}

// TestMatchesSDKStubs covers what a TracerProvider never produces: a nil
// resource, the zero scope, nil spans in the batch, a span kind outside the
// API's, and more scopes than the Encoder searches one by one.
func TestMatchesSDKStubs(t *testing.T) {
	p := newSDKPath(t, true)
	var enc otlpenc.Encoder
	tid := trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{1}})
	res := resource.NewSchemaless(attribute.String("service.name", "stub"))
	stub := func(name string, r *resource.Resource, scope instrumentation.Scope, kind trace.SpanKind) sdktrace.ReadOnlySpan {
		return tracetest.SpanStub{Name: name, SpanContext: sc, SpanKind: kind, Resource: r,
			InstrumentationScope: scope, StartTime: t0, EndTime: t0}.Snapshot()
	}
	many := func() []sdktrace.ReadOnlySpan {
		var spans []sdktrace.ReadOnlySpan
		for i := range 40 { // interleaved scopes, some repeated
			scope := instrumentation.Scope{Name: words[i%len(words)], Version: string(rune('a' + i%13))}
			spans = append(spans, stub("s", res, scope, trace.SpanKindClient))
		}
		return spans
	}
	tests := []struct {
		name  string
		spans []sdktrace.ReadOnlySpan
	}{
		{"nil resource, zero scope", []sdktrace.ReadOnlySpan{stub("a", nil, instrumentation.Scope{}, trace.SpanKindInternal)}},
		{"unknown kind", []sdktrace.ReadOnlySpan{stub("k", res, instrumentation.Scope{Name: "x"}, trace.SpanKind(42))}},
		{"nil spans", []sdktrace.ReadOnlySpan{nil, stub("n", res, instrumentation.Scope{Name: "x"}, 0), nil}},
		{"40 scopes", many()},
		{"nil and empty resources merge", []sdktrace.ReadOnlySpan{
			stub("a", nil, instrumentation.Scope{Name: "x"}, 0),
			stub("b", resource.Empty(), instrumentation.Scope{Name: "y"}, 0),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { requireSameAsSDK(t, p, &enc, tt.spans) })
	}
}

// TestAppendKeepsPrefix checks that AppendTraces appends: what dst holds is
// kept, and the encoding after it is the one of an empty dst.
func TestAppendKeepsPrefix(t *testing.T) {
	spans := gen{randChooser{rand.New(rand.NewPCG(7, 7))}}.batch()
	alone := otlpenc.AppendTraces(nil, spans)
	prefix := []byte("prefix")
	got := otlpenc.AppendTraces(prefix, spans)
	if string(got[:len(prefix)]) != "prefix" || string(got[len(prefix):]) != string(alone) {
		t.Fatalf("AppendTraces with a prefix wrote something else than the prefix and the encoding")
	}
	if len(otlpenc.AppendTraces(nil, nil)) != 0 {
		t.Fatal("an empty batch must encode to nothing, as the SDK sends nothing")
	}
}

// FuzzAppendTraces builds span batches through the SDK from the fuzzer's
// bytes and requires the encoding to decode as the SDK's exporter's does.
func FuzzAppendTraces(f *testing.F) {
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
	p := newSDKPath(f, true)
	var enc otlpenc.Encoder
	f.Fuzz(func(t *testing.T, data []byte) {
		requireSameAsSDK(t, p, &enc, gen{&byteChooser{data}}.batch())
	})
}
