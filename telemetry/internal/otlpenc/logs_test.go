package otlpenc_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
)

// TestLogsMatchSDK is the property test for log records: random batches
// emitted through real SDK LoggerProviders (bodies and attributes of every
// value kind, every severity and some outside the API's range, event
// names, errors, trace contexts whole and partial, drops forced by
// attribute limits, duplicate keys kept or removed, several resources and
// scopes per batch) encode to what the SDK's otlploghttp exporter sends,
// as pdata decodes it, and to the same bytes when the batch has one
// resource. One LogEncoder serves every batch, so state left from one batch
// would show in the next.
func TestLogsMatchSDK(t *testing.T) {
	p := newSDKLogPath(t, true)
	var enc otlpenc.LogEncoder
	n := 300
	if testing.Short() {
		n = 50
	}
	for seed := range n {
		records := gen{randChooser{rand.New(rand.NewPCG(uint64(seed), 20))}}.logs()
		requireLogsSameAsSDK(t, p, &enc, records)
	}
}

// TestLogsMatchSDKStubs covers what a LoggerProvider never produces (a nil
// resource, the zero scope, records built with the SDK record's setters)
// and more scopes than the encoder searches one by one.
func TestLogsMatchSDKStubs(t *testing.T) {
	p := newSDKLogPath(t, true)
	var enc otlpenc.LogEncoder
	stub := func(body attribute.Value) sdklog.Record {
		var r sdklog.Record
		r.SetTimestamp(t0)
		r.SetSeverity(log.SeverityWarn)
		r.SetBody(body)
		r.SetAttributes(attribute.String("a", "b"), attribute.Int64Slice("n", []int64{1, -1}))
		r.SetTraceID(trace.TraceID{1, 2, 3})
		r.SetSpanID(trace.SpanID{4, 5})
		r.SetTraceFlags(trace.FlagsSampled)
		return r
	}
	fromProvider := func(res *resource.Resource, body attribute.Value) []sdklog.Record {
		capture := new(otlpenctest.Keep)
		lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(capture), sdklog.WithResource(res))
		var r log.Record
		r.SetBody(body)
		lp.Logger("x").Emit(context.Background(), r)
		return capture.Records()
	}
	manyScopes := func() []sdklog.Record {
		capture := new(otlpenctest.Keep)
		lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(capture),
			sdklog.WithResource(resource.NewSchemaless(attribute.String("service.name", "stub"))))
		for i := range 40 { // interleaved scopes, some repeated
			var r log.Record
			r.SetBody(attribute.IntValue(i))
			lp.Logger(words[i%len(words)]+"l", log.WithInstrumentationVersion(string(rune('a'+i%13)))).
				Emit(context.Background(), r)
		}
		return capture.Records()
	}
	tests := []struct {
		name    string
		records []sdklog.Record
	}{
		{"nil resource, zero scope", []sdklog.Record{stub(attribute.StringValue("hello"))}},
		{"empty body", []sdklog.Record{stub(attribute.Value{})}},
		{"nested body", []sdklog.Record{stub(attribute.MapValue(
			attribute.Slice("s", attribute.BoolValue(true), attribute.MapValue(), attribute.ByteSliceValue(nil)),
			attribute.ByteSlice("b", []byte{0, 1, 2})))}},
		{"nil and empty resources merge", append(fromProvider(resource.Empty(), attribute.IntValue(1)),
			stub(attribute.IntValue(2)))},
		{"40 scopes", manyScopes()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { requireLogsSameAsSDK(t, p, &enc, tt.records) })
	}
}

// TestAppendLogsKeepsPrefix checks that AppendLogs appends: what dst holds
// is kept, and the encoding after it is the one of an empty dst.
func TestAppendLogsKeepsPrefix(t *testing.T) {
	records := gen{randChooser{rand.New(rand.NewPCG(7, 7))}}.logs()
	alone := otlpenc.AppendLogs(nil, records)
	prefix := []byte("prefix")
	got := otlpenc.AppendLogs(prefix, records)
	if string(got[:len(prefix)]) != "prefix" || string(got[len(prefix):]) != string(alone) {
		t.Fatalf("AppendLogs with a prefix wrote something else than the prefix and the encoding")
	}
	if len(otlpenc.AppendLogs(nil, nil)) != 0 {
		t.Fatal("an empty batch must encode to nothing, as the SDK sends nothing")
	}
}

// FuzzAppendLogs emits log record batches through the SDK from the
// fuzzer's bytes and requires the encoding to decode as the SDK's
// exporter's does.
func FuzzAppendLogs(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{2, 1, 5, 9, 3, 3, 1, 0, 7, 11, 4, 2, 8, 1, 1, 6, 2, 3, 9, 10, 11, 12})
	r := rand.New(rand.NewPCG(3, 4))
	for range 8 {
		b := make([]byte, 64+r.IntN(512))
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		f.Add(b)
	}
	p := newSDKLogPath(f, true)
	var enc otlpenc.LogEncoder
	f.Fuzz(func(t *testing.T, data []byte) {
		requireLogsSameAsSDK(t, p, &enc, gen{&byteChooser{data}}.logs())
	})
}
