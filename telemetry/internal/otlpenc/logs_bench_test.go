package otlpenc_test

import (
	"bytes"
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
)

// sdkLogRequest builds the generated ExportLogsServiceRequest the SDK's log
// exporters marshal, the way their transform does (a condensed copy of
// otlploghttp v0.23.0's internal/transform/log.go, which cannot be
// imported), so the benchmarks can time the SDK's transform and marshal
// apart from its HTTP. Values are converted by pbValue, which covers the
// scalar kinds the benchmark's records hold.
func sdkLogRequest(records []sdklog.Record) *collogspb.ExportLogsServiceRequest {
	type key struct {
		r  attribute.Distinct
		is instrumentation.Scope
	}
	rlm := make(map[attribute.Distinct]*logspb.ResourceLogs)
	slm := make(map[key]*logspb.ScopeLogs)
	var order []*logspb.ResourceLogs
	for i := range records {
		r := &records[i]
		res, scope := r.Resource(), r.InstrumentationScope()
		k := key{res.Equivalent(), scope}
		sl, sok := slm[k]
		if !sok {
			sl = new(logspb.ScopeLogs)
			if scope != (instrumentation.Scope{}) {
				sl.Scope = &commonpb.InstrumentationScope{Name: scope.Name, Version: scope.Version,
					Attributes: pbIter(scope.Attributes.Iter())}
				sl.SchemaUrl = scope.SchemaURL
			}
			slm[k] = sl
		}
		sl.LogRecords = append(sl.LogRecords, pbLogRecord(r))
		rl, rok := rlm[k.r]
		if !rok {
			rl = &logspb.ResourceLogs{SchemaUrl: res.SchemaURL()}
			if res.Len() > 0 {
				rl.Resource = &resourcepb.Resource{Attributes: pbIter(res.Iter())}
			}
			rlm[k.r] = rl
			order = append(order, rl)
		}
		if !sok {
			rl.ScopeLogs = append(rl.ScopeLogs, sl)
		}
	}
	return &collogspb.ExportLogsServiceRequest{ResourceLogs: order}
}

func pbLogRecord(r *sdklog.Record) *logspb.LogRecord {
	lr := &logspb.LogRecord{
		TimeUnixNano:         uint64(max(0, r.Timestamp().UnixNano())),
		ObservedTimeUnixNano: uint64(max(0, r.ObservedTimestamp().UnixNano())),
		EventName:            r.EventName(),
		SeverityNumber:       logspb.SeverityNumber(r.Severity()),
		SeverityText:         r.SeverityText(),
		Body:                 pbValue(r.Body()),
		Attributes:           make([]*commonpb.KeyValue, 0, r.AttributesLen()),
		// The benchmark's counts are small: no clamping needed.
		DroppedAttributesCount: uint32(r.DroppedAttributes()),
		Flags:                  uint32(r.TraceFlags()),
	}
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		lr.Attributes = append(lr.Attributes, &commonpb.KeyValue{Key: string(kv.Key), Value: pbValue(kv.Value)})
		return true
	})
	if tid := r.TraceID(); tid.IsValid() {
		lr.TraceId = tid[:]
	}
	if sid := r.SpanID(); sid.IsValid() {
		lr.SpanId = sid[:]
	}
	return lr
}

// TestSDKLogMirror checks that the benchmarks' copy of the SDK's log
// transform builds the request the SDK's exporter sends, byte for byte, and
// that otlpenc writes the same bytes, so the benchmarks time equal work.
func TestSDKLogMirror(t *testing.T) {
	records := otlpenctest.BenchRecords(otlpenctest.BatchSize)
	mirror, err := proto.Marshal(sdkLogRequest(records))
	if err != nil {
		t.Fatal(err)
	}
	want := newSDKLogPath(t, true).encode(t, records)
	if !bytes.Equal(mirror, want) {
		t.Fatalf("the mirror of the SDK's transform differs from the SDK's exporter (%d vs %d bytes)", len(mirror), len(want))
	}
	if got := otlpenc.AppendLogs(nil, records); !bytes.Equal(got, want) {
		t.Fatalf("otlpenc differs from the SDK's exporter (%d vs %d bytes)", len(got), len(want))
	}
}

// TestAppendLogsAllocs checks that a LogEncoder reusing its buffer does not
// allocate for records whose body and attributes are scalars.
func TestAppendLogsAllocs(t *testing.T) {
	records := otlpenctest.BenchRecords(otlpenctest.BatchSize)
	var enc otlpenc.LogEncoder
	buf := enc.AppendLogs(nil, records)
	if got := testing.AllocsPerRun(20, func() { buf = enc.AppendLogs(buf[:0], records) }); got != 0 {
		t.Fatalf("%v allocations per batch of %d records, want 0", got, otlpenctest.BatchSize)
	}
}

// BenchmarkEncodeLogs times one batch of 512 log records (reported per
// record as ns/record, and per batch as ns/op, B/op and allocs/op) through:
//
//   - otlpenc: LogEncoder.AppendLogs into a reused buffer;
//   - sdk-transform+marshal: what the SDK's log exporters do before
//     sending: build the generated request (their transform) and
//     proto.Marshal it;
//   - sdk-otlploghttp: the SDK's otlploghttp Export to a loopback server
//     that discards the body (transform, marshal and HTTP).
//
// Run: go test -run '^$' -bench BenchmarkEncodeLogs -benchtime 2s ./telemetry/internal/otlpenc/
func BenchmarkEncodeLogs(b *testing.B) {
	records := otlpenctest.BenchRecords(otlpenctest.BatchSize)
	perRecord := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*otlpenctest.BatchSize), "ns/record")
	}
	b.Run("otlpenc", func(b *testing.B) {
		var enc otlpenc.LogEncoder
		buf := enc.AppendLogs(nil, records)
		b.ReportAllocs()
		for b.Loop() {
			buf = enc.AppendLogs(buf[:0], records)
		}
		b.SetBytes(int64(len(buf)))
		perRecord(b)
	})
	b.Run("sdk-transform+marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := proto.Marshal(sdkLogRequest(records)); err != nil {
				b.Fatal(err)
			}
		}
		perRecord(b)
	})
	b.Run("sdk-otlploghttp", func(b *testing.B) {
		p := newSDKLogPath(b, false)
		b.ReportAllocs()
		for b.Loop() {
			if err := p.exp.Export(context.Background(), records); err != nil {
				b.Fatal(err)
			}
		}
		perRecord(b)
	})
}
