package otlpenc_test

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpjson"
)

// BenchmarkEncodeJSON times one batch of 512 spans or records (reported
// per item as ns/span or ns/record, and per batch as ns/op, B/op and
// allocs/op) through the two OTLP-JSON paths side by side:
//
//   - otlpenc: Encoder.AppendTracesJSON (LogEncoder.AppendLogsJSON) into a
//     reused buffer;
//   - pdata: what otlpjson's exporters did before: otlpjson.Traces (Logs)
//     and pdata's ExportRequest.MarshalJSON.
//
// The spans are BenchmarkEncode's (one string-slice attribute each, and
// "-scalar" with it a string), the records BenchmarkEncodeLogs'.
//
// Run: go test -run '^$' -bench BenchmarkEncodeJSON -count 6 ./telemetry/internal/otlpenc/
func BenchmarkEncodeJSON(b *testing.B) {
	perItem := func(b *testing.B, unit string) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*otlpenctest.BatchSize), "ns/"+unit)
	}
	for _, batch := range []struct {
		name       string
		scalarOnly bool
	}{{"spans", false}, {"spans-scalar", true}} {
		spans := otlpenctest.BenchSpans(otlpenctest.BatchSize, batch.scalarOnly)
		b.Run(batch.name+"/otlpenc", func(b *testing.B) {
			var enc otlpenc.Encoder
			buf := enc.AppendTracesJSON(nil, spans)
			b.ReportAllocs()
			for b.Loop() {
				buf = enc.AppendTracesJSON(buf[:0], spans)
			}
			b.SetBytes(int64(len(buf)))
			perItem(b, "span")
		})
		b.Run(batch.name+"/pdata", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ptraceotlp.NewExportRequestFromTraces(otlpjson.Traces(spans)).MarshalJSON(); err != nil {
					b.Fatal(err)
				}
			}
			perItem(b, "span")
		})
	}
	records := otlpenctest.BenchRecords(otlpenctest.BatchSize)
	b.Run("logs/otlpenc", func(b *testing.B) {
		var enc otlpenc.LogEncoder
		buf := enc.AppendLogsJSON(nil, records)
		b.ReportAllocs()
		for b.Loop() {
			buf = enc.AppendLogsJSON(buf[:0], records)
		}
		b.SetBytes(int64(len(buf)))
		perItem(b, "record")
	})
	b.Run("logs/pdata", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := plogotlp.NewExportRequestFromLogs(otlpjson.Logs(records)).MarshalJSON(); err != nil {
				b.Fatal(err)
			}
		}
		perItem(b, "record")
	})
}
