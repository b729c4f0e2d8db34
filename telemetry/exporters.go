package telemetry

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/internal/console"
	"github.com/sightline-dev/sightline/internal/otlpjson"
)

// exportSettings is what building an exporter needs besides the endpoint.
type exportSettings struct {
	headers     map[string]string
	json        bool // http endpoints send OTLP-JSON
	synchronous bool // simple processor: export in the caller, so no retries and a short timeout
}

func consoleWriter(ep Endpoint) io.Writer {
	if ep.URL == "stderr" {
		return os.Stderr
	}
	return os.Stdout
}

// grpcURL turns grpc:// and grpcs:// into the http:// and https:// forms the
// SDK's gRPC exporters read as "insecure" and "TLS".
func grpcURL(u string) string {
	switch {
	case strings.HasPrefix(u, "grpc://"):
		return "http://" + strings.TrimPrefix(u, "grpc://")
	case strings.HasPrefix(u, "grpcs://"):
		return "https://" + strings.TrimPrefix(u, "grpcs://")
	}
	return u
}

func newSpanExporter(ctx context.Context, ep Endpoint, s exportSettings) (sdktrace.SpanExporter, error) {
	timeout := exportTimeout
	if s.synchronous {
		timeout = syncExportTimout
	}
	switch ep.Exporter {
	case ExporterConsole:
		return console.NewSpanExporter(consoleWriter(ep)), nil
	case ExporterFile:
		return otlpjson.NewFileSpanExporter(ep.URL)
	case ExporterMemory:
		return MemoryEndpoint(ep.URL).spanExporter(), nil
	case ExporterHTTP:
		if s.json {
			return otlpjson.NewHTTPSpanExporter(ep.URL, otlpjson.WithHeaders(s.headers), otlpjson.WithTimeout(timeout)), nil
		}
		return otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(ep.URL), otlptracehttp.WithHeaders(s.headers),
			otlptracehttp.WithTimeout(timeout), otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: !s.synchronous}))
	case ExporterGRPC:
		return otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL(grpcURL(ep.URL)), otlptracegrpc.WithHeaders(s.headers),
			otlptracegrpc.WithTimeout(timeout), otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: !s.synchronous}))
	}
	return nil, fmt.Errorf("no span exporter for %q", ep.Exporter)
}

func newLogExporter(ctx context.Context, ep Endpoint, s exportSettings) (sdklog.Exporter, error) {
	timeout := exportTimeout
	if s.synchronous {
		timeout = syncExportTimout
	}
	switch ep.Exporter {
	case ExporterConsole:
		return console.NewLogExporter(consoleWriter(ep)), nil
	case ExporterFile:
		return otlpjson.NewFileLogExporter(ep.URL)
	case ExporterMemory:
		return MemoryEndpoint(ep.URL).logExporter(), nil
	case ExporterHTTP:
		if s.json {
			return otlpjson.NewHTTPLogExporter(ep.URL, otlpjson.WithHeaders(s.headers), otlpjson.WithTimeout(timeout)), nil
		}
		return otlploghttp.New(ctx, otlploghttp.WithEndpointURL(ep.URL), otlploghttp.WithHeaders(s.headers),
			otlploghttp.WithTimeout(timeout), otlploghttp.WithRetry(otlploghttp.RetryConfig{Enabled: !s.synchronous}))
	case ExporterGRPC:
		return otlploggrpc.New(ctx, otlploggrpc.WithEndpointURL(grpcURL(ep.URL)), otlploggrpc.WithHeaders(s.headers),
			otlploggrpc.WithTimeout(timeout), otlploggrpc.WithRetry(otlploggrpc.RetryConfig{Enabled: !s.synchronous}))
	}
	return nil, fmt.Errorf("no log exporter for %q", ep.Exporter)
}

// processorFor is the processor kind an endpoint uses: the configured one,
// or simple for console and memory and batch for the rest.
func processorFor(cfg Config, ep Endpoint) string {
	if cfg.SpanProcessor != "" {
		return cfg.SpanProcessor
	}
	if ep.Exporter == ExporterConsole || ep.Exporter == ExporterMemory {
		return "simple"
	}
	return "batch"
}

func isNetwork(ep Endpoint) bool { return ep.Exporter == ExporterHTTP || ep.Exporter == ExporterGRPC }

// newSpanSinkFor builds the exporter and processor of one span endpoint.
func (c *Component) newSpanSink(ctx context.Context, ep Endpoint, cfg Config) (*spanSink, error) {
	kind := processorFor(cfg, ep)
	s := &spanSink{sinkBase: sinkBase{signal: SignalTraces, ep: ep, processor: kind,
		target: "traces " + ep.String(), diag: c.diag, totals: &c.spanTotals}}
	s.breaker = kind == "simple" && isNetwork(ep)
	s.aborted, s.abort = context.WithCancel(c.aborted)
	context.AfterFunc(s.aborted, func() { s.isAborted.Store(true) })
	exp, err := newSpanExporter(ctx, ep, exportSettings{headers: cfg.OTLPHeaders, json: cfg.OTLPJSON, synchronous: kind == "simple"})
	if err != nil {
		s.abort()
		return nil, fmt.Errorf("tracing endpoint %s: %w", ep, err)
	}
	counted := &countingSpanExporter{s: &s.sinkBase, inner: exp}
	if kind == "simple" {
		s.proc = sdktrace.NewSimpleSpanProcessor(counted)
	} else {
		s.queueCap = batchQueueSize
		s.proc = sdktrace.NewBatchSpanProcessor(counted, sdktrace.WithMaxQueueSize(batchQueueSize),
			sdktrace.WithMaxExportBatchSize(batchSize), sdktrace.WithBatchTimeout(batchDelay),
			sdktrace.WithExportTimeout(exportTimeout))
	}
	return s, nil
}

// newLogSink builds the exporter and processor of one log endpoint.
func (c *Component) newLogSink(ctx context.Context, ep Endpoint, cfg Config) (*logSink, error) {
	kind := processorFor(cfg, ep)
	s := &logSink{sinkBase: sinkBase{signal: SignalLogs, ep: ep, processor: kind,
		target: "logs " + ep.String(), diag: c.diag, totals: &c.logTotals}}
	s.breaker = kind == "simple" && isNetwork(ep)
	s.aborted, s.abort = context.WithCancel(c.aborted)
	context.AfterFunc(s.aborted, func() { s.isAborted.Store(true) })
	exp, err := newLogExporter(ctx, ep, exportSettings{headers: cfg.OTLPHeaders, json: cfg.OTLPJSON, synchronous: kind == "simple"})
	if err != nil {
		s.abort()
		return nil, fmt.Errorf("logging endpoint %s: %w", ep, err)
	}
	counted := &countingLogExporter{s: &s.sinkBase, inner: exp}
	if kind == "simple" {
		s.proc = sdklog.NewSimpleProcessor(counted)
	} else {
		s.queueCap = batchQueueSize
		s.proc = sdklog.NewBatchProcessor(counted, sdklog.WithMaxQueueSize(batchQueueSize),
			sdklog.WithExportMaxBatchSize(batchSize), sdklog.WithExportInterval(batchDelay),
			sdklog.WithExportTimeout(exportTimeout))
	}
	return s, nil
}
