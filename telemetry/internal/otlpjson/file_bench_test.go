package otlpjson

import (
	"context"
	"os"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
)

// BenchmarkFileExporter times one export of 512 spans or records to a
// file exporter writing to /dev/null (so the write is a syscall, not
// storage), reported per item as ns/span or ns/record and per batch as
// ns/op, B/op and allocs/op, through:
//
//   - otlpenc: the exporter as it is (otlpenc's JSON into a pooled line);
//   - pdata: the exporter's earlier path, kept here to compare: Traces
//     (Logs), pdata's JSONMarshaler, a newline appended, one write.
//
// Run: go test -run '^$' -bench BenchmarkFileExporter -count 6 ./telemetry/internal/otlpjson/
func BenchmarkFileExporter(b *testing.B) {
	ctx := context.Background()
	spans, records := otlpenctest.BenchSpans(otlpenctest.BatchSize, true), otlpenctest.BenchRecords(otlpenctest.BatchSize)
	perItem := func(b *testing.B, unit string) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*otlpenctest.BatchSize), "ns/"+unit)
	}
	se, err := NewFileSpanExporter(os.DevNull)
	if err != nil {
		b.Fatal(err)
	}
	defer se.Shutdown(ctx)
	le, err := NewFileLogExporter(os.DevNull)
	if err != nil {
		b.Fatal(err)
	}
	defer le.Shutdown(ctx)

	b.Run("spans/otlpenc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := se.ExportSpans(ctx, spans); err != nil {
				b.Fatal(err)
			}
		}
		perItem(b, "span")
	})
	b.Run("spans/pdata", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m ptrace.JSONMarshaler
			line, err := m.MarshalTraces(Traces(spans))
			if err != nil {
				b.Fatal(err)
			}
			if err := se.w.writeLine(append(line, '\n')); err != nil {
				b.Fatal(err)
			}
		}
		perItem(b, "span")
	})
	b.Run("logs/otlpenc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := le.Export(ctx, records); err != nil {
				b.Fatal(err)
			}
		}
		perItem(b, "record")
	})
	b.Run("logs/pdata", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m plog.JSONMarshaler
			line, err := m.MarshalLogs(Logs(records))
			if err != nil {
				b.Fatal(err)
			}
			if err := le.w.writeLine(append(line, '\n')); err != nil {
				b.Fatal(err)
			}
		}
		perItem(b, "record")
	})
}
