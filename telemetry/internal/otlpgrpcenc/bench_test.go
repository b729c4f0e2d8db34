package otlpgrpcenc_test

// Side by side, one run:
//
//	go test -run '^$' -bench Export -benchmem -count 6 ./telemetry/internal/otlpgrpcenc

import (
	"context"
	"net"
	"testing"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"

	"github.com/sightline-dev/sightline/internal/grpcraw"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpenc/otlpenctest"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpgrpcenc"
)

// discard is a server codec that reads nothing: the benchmark's collector
// costs the same little for every client.
type discard struct{}

func (discard) Name() string                             { return "" }
func (discard) Marshal(any) (mem.BufferSlice, error)     { return nil, nil }
func (discard) Unmarshal(_ mem.BufferSlice, _ any) error { return nil }

// discardCollector answers every call with an empty response, without
// decoding the request.
func discardCollector(b *testing.B) string {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := grpc.NewServer(grpc.ForceServerCodecV2(discard{}), grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		if err := stream.RecvMsg(nil); err != nil {
			return err
		}
		return stream.SendMsg(nil)
	}))
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	b.Cleanup(func() { srv.Stop(); <-done })
	return "http://" + lis.Addr().String()
}

// BenchmarkExport sends batches of 512 spans (the batch processor's
// default size) of otlpenc's benchmark shape, and 512 log records, to a
// loopback collector that discards them, with these exporters and the
// SDK's otlptracegrpc and otlploggrpc, plain and gzipped (spans). raw-invoke
// is the floor: the same request already encoded, sent through grpcraw.
func BenchmarkExport(b *testing.B) {
	const batch = 512
	spans, records := otlpenctest.BenchSpans(batch, false), otlpenctest.BridgeRecords(batch)
	url := discardCollector(b)
	for _, gzip := range []bool{false, true} {
		suffix := ""
		if gzip {
			suffix = "-gzip"
		}
		b.Run("spans/otlpgrpcenc"+suffix, func(b *testing.B) {
			cfg := otlpgrpcenc.DefaultConfig(url)
			cfg.Gzip = gzip
			runSpans(b, newExporter(b, cfg), spans)
		})
		b.Run("spans/otlptracegrpc"+suffix, func(b *testing.B) {
			runSpans(b, sdkExporter(b, url, gzip, nil), spans)
		})
	}
	b.Run("spans/raw-invoke", func(b *testing.B) {
		conn, err := grpc.NewClient(url[len("http://"):], grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		req := grpcraw.Message(otlpenc.AppendTraces(nil, spans))
		call := func() {
			var resp grpcraw.Message
			if err := conn.Invoke(context.Background(), "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
				&req, &resp, grpc.ForceCodecV2(grpcraw.Codec{})); err != nil {
				b.Fatal(err)
			}
		}
		call()
		b.ReportAllocs()
		for b.Loop() {
			call()
		}
		perItem(b, batch, "ns/span")
	})
	b.Run("logs/otlpgrpcenc", func(b *testing.B) {
		runLogs(b, newLogExporter(b, otlpgrpcenc.DefaultConfig(url)), records)
	})
	b.Run("logs/otlploggrpc", func(b *testing.B) {
		runLogs(b, sdkLogExporter(b, url, false, nil), records)
	})
}

func runSpans(b *testing.B, exp sdktrace.SpanExporter, spans []sdktrace.ReadOnlySpan) {
	ctx := context.Background()
	if err := exp.ExportSpans(ctx, spans); err != nil { // connect, fill pools
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := exp.ExportSpans(ctx, spans); err != nil {
			b.Fatal(err)
		}
	}
	perItem(b, len(spans), "ns/span")
}

func runLogs(b *testing.B, exp sdklog.Exporter, records []sdklog.Record) {
	ctx := context.Background()
	if err := exp.Export(ctx, records); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := exp.Export(ctx, records); err != nil {
			b.Fatal(err)
		}
	}
	perItem(b, len(records), "ns/record")
}

func perItem(b *testing.B, n int, unit string) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), unit)
}
