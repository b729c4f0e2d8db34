package telemetry

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"

	"github.com/sightline-dev/sightline/internal/otlphttp"
	"github.com/sightline-dev/sightline/telemetry/internal/console"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpgrpcenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlphttpenc"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpjson"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
)

// exportSettings is what building an exporter needs besides the endpoint.
type exportSettings struct {
	headers     map[string]string
	json        bool          // http endpoints send OTLP-JSON
	synchronous bool          // simple processor: export in the caller, so no retries
	timeout     time.Duration // bound of one export, retries included
	sdk         bool          // http (protobuf) and grpc use the SDK's exporters
}

// Reconnection and retry of the OTLP exporters (issue 13, defect 5: after an
// outage, gRPC export took 9 to 21 s to resume while HTTP took 0.1 s).
//
//   - grpc-go's default reconnect backoff starts at 1 s and grows ×1.6 up
//     to 120 s, so after a long outage the channel may not dial the
//     collector again for minutes, failing every export at once meanwhile.
//     Capping it at 1 s (from 100 ms, ±20 % jitter) bounds the wait after
//     the collector returns to about 1.2 s, for one dial a second to a
//     collector that is down. MinConnectTimeout (grpc-go: 20 s) is how long
//     one dial may take; 5 s still allows a TLS handshake over a slow link
//     and lets a dial to a hung collector be retried soon.
//   - The SDK exporters' default retry waits 5 s, growing ×1.5 to 30 s
//     (±50 % random), between attempts of one export: an export that began
//     during the outage sleeps up to 7.5 s after the collector is back while
//     the batch queue fills and drops. Waits of 100 ms growing to 250 ms
//     (so at most 375 ms) resume within the reconnect bound above; a
//     collector that asks for more (Retry-After, gRPC RetryInfo) still gets
//     it, because the SDK waits the greater of the two. Retries stop at the
//     export timeout.
//   - A batch exporter's calls wait for the channel to be ready (within the
//     export timeout) instead of failing at once while it reconnects, so
//     the export in progress when the collector returns is sent as soon as
//     the channel reconnects, without waiting for its next retry.
//   - Simple processors do not retry at all and fail at once while the
//     channel reconnects: the breaker's background probe retries
//     (breaker.go).
const (
	grpcBackoffBase       = 100 * time.Millisecond
	grpcBackoffMax        = time.Second
	grpcBackoffJitter     = 0.2
	grpcMinConnectTimeout = 5 * time.Second
	retryInitial          = 100 * time.Millisecond
	retryMax              = 250 * time.Millisecond
)

// grpcDialOptions are the dial options of the gRPC exporters.
func (s exportSettings) grpcDialOptions() []grpc.DialOption {
	opts := []grpc.DialOption{grpc.WithConnectParams(grpc.ConnectParams{
		Backoff: backoff.Config{BaseDelay: grpcBackoffBase, Multiplier: backoff.DefaultConfig.Multiplier,
			Jitter: grpcBackoffJitter, MaxDelay: grpcBackoffMax},
		MinConnectTimeout: grpcMinConnectTimeout,
	})}
	if !s.synchronous {
		opts = append(opts, grpc.WithDefaultCallOptions(grpc.WaitForReady(true)))
	}
	return opts
}

// retryConfig is the retry of the OTLP exporters: the SDK's four
// RetryConfig types and sightline's otlpretry.RetryConfig are one type
// underneath, so one value converts to each.
func (s exportSettings) retryConfig() otlptracegrpc.RetryConfig {
	return otlptracegrpc.RetryConfig{Enabled: !s.synchronous, InitialInterval: retryInitial,
		MaxInterval: retryMax, MaxElapsedTime: s.timeout}
}

// httpConfig is the configuration of sightline's OTLP/HTTP protobuf
// exporter of sig posting to url: the retry, headers and timeout the SDK's
// get, and the compression and TLS files of the environment.
func (s exportSettings) httpConfig(sig Signal, url string) (otlphttpenc.Config, error) {
	t, err := otlpTransportFromEnv(sig, strings.HasPrefix(url, "https://"), os.LookupEnv)
	if err != nil {
		return otlphttpenc.Config{}, err
	}
	return otlphttpenc.Config{URL: url, Headers: s.headers, Timeout: s.timeout, Gzip: t.gzip, TLS: t.tls,
		Retry: otlpretry.RetryConfig(s.retryConfig())}, nil
}

// grpcConfig is httpConfig for sightline's OTLP/gRPC exporter of sig
// calling url (grpc:// or grpcs://), with the reconnection of
// grpcDialOptions.
func (s exportSettings) grpcConfig(sig Signal, url string) (otlpgrpcenc.Config, error) {
	t, err := otlpTransportFromEnv(sig, strings.HasPrefix(url, "grpcs://"), os.LookupEnv)
	if err != nil {
		return otlpgrpcenc.Config{}, err
	}
	return otlpgrpcenc.Config{URL: url, Headers: s.headers, Timeout: s.timeout, Gzip: t.gzip, TLS: t.tls,
		DialOptions: s.grpcDialOptions(), Retry: otlpretry.RetryConfig(s.retryConfig())}, nil
}

// httpJSONOptions are the options of sightline's OTLP-JSON exporters.
func (s exportSettings) httpJSONOptions() []otlphttp.Option {
	opts := []otlphttp.Option{otlphttp.WithHeaders(s.headers), otlphttp.WithTimeout(s.timeout),
		otlphttp.WithBackoff(retryInitial, retryMax)}
	if s.synchronous {
		opts = append(opts, otlphttp.WithoutRetry())
	}
	return opts
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
	switch ep.Exporter {
	case ExporterConsole:
		return console.NewSpanExporter(consoleWriter(ep)), nil
	case ExporterFile:
		if path, ok := ep.FilePath(); ok {
			return console.NewFileSpanExporter(path, 0)
		}
		return otlpjson.NewFileSpanExporter(ep.URL)
	case ExporterHTTP:
		if s.json {
			return otlpjson.NewHTTPSpanExporter(ep.URL, s.httpJSONOptions()...), nil
		}
		if !s.sdk {
			cfg, err := s.httpConfig(SignalTraces, ep.URL)
			if err != nil {
				return nil, err
			}
			return otlphttpenc.New(cfg)
		}
		return otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(ep.URL), otlptracehttp.WithHeaders(s.headers),
			otlptracehttp.WithTimeout(s.timeout), otlptracehttp.WithRetry(otlptracehttp.RetryConfig(s.retryConfig())))
	case ExporterGRPC:
		if !s.sdk {
			cfg, err := s.grpcConfig(SignalTraces, ep.URL)
			if err != nil {
				return nil, err
			}
			return otlpgrpcenc.New(cfg)
		}
		return otlptracegrpc.New(ctx, otlptracegrpc.WithEndpointURL(grpcURL(ep.URL)), otlptracegrpc.WithHeaders(s.headers),
			otlptracegrpc.WithTimeout(s.timeout), otlptracegrpc.WithRetry(s.retryConfig()),
			otlptracegrpc.WithDialOption(s.grpcDialOptions()...))
	}
	if r := exporters.lookup(ep.Exporter); r != nil && r.spans != nil {
		return r.spans(ctx, ep)
	}
	return nil, fmt.Errorf("no span exporter for %q", ep.Exporter)
}

func newLogExporter(ctx context.Context, ep Endpoint, s exportSettings) (sdklog.Exporter, error) {
	switch ep.Exporter {
	case ExporterConsole:
		return console.NewLogExporter(consoleWriter(ep)), nil
	case ExporterFile:
		if path, ok := ep.FilePath(); ok {
			return console.NewFileLogExporter(path, 0)
		}
		return otlpjson.NewFileLogExporter(ep.URL)
	case ExporterHTTP:
		if s.json {
			return otlpjson.NewHTTPLogExporter(ep.URL, s.httpJSONOptions()...), nil
		}
		if !s.sdk {
			cfg, err := s.httpConfig(SignalLogs, ep.URL)
			if err != nil {
				return nil, err
			}
			return otlphttpenc.NewLog(cfg)
		}
		return otlploghttp.New(ctx, otlploghttp.WithEndpointURL(ep.URL), otlploghttp.WithHeaders(s.headers),
			otlploghttp.WithTimeout(s.timeout), otlploghttp.WithRetry(otlploghttp.RetryConfig(s.retryConfig())))
	case ExporterGRPC:
		if !s.sdk {
			cfg, err := s.grpcConfig(SignalLogs, ep.URL)
			if err != nil {
				return nil, err
			}
			return otlpgrpcenc.NewLog(cfg)
		}
		return otlploggrpc.New(ctx, otlploggrpc.WithEndpointURL(grpcURL(ep.URL)), otlploggrpc.WithHeaders(s.headers),
			otlploggrpc.WithTimeout(s.timeout), otlploggrpc.WithRetry(otlploggrpc.RetryConfig(s.retryConfig())),
			otlploggrpc.WithDialOption(s.grpcDialOptions()...))
	}
	if r := exporters.lookup(ep.Exporter); r != nil && r.logs != nil {
		return r.logs(ctx, ep)
	}
	return nil, fmt.Errorf("no log exporter for %q", ep.Exporter)
}

// processorFor is the processor kind an endpoint uses: the configured one,
// or simple for console and for registered exporters that ask for it
// (WithSimpleProcessor), and batch for the rest.
func processorFor(cfg Config, ep Endpoint) string {
	if cfg.SpanProcessor != "" {
		return cfg.SpanProcessor
	}
	if ep.Exporter == ExporterConsole {
		return "simple"
	}
	if r := exporters.lookup(ep.Exporter); r != nil && r.simple {
		return "simple"
	}
	return "batch"
}

func isNetwork(ep Endpoint) bool { return ep.Exporter == ExporterHTTP || ep.Exporter == ExporterGRPC }

// settingsFor is what building sig's exporter for an endpoint with a
// processor of kind needs from cfg.
func settingsFor(cfg Config, sig Signal, kind string) exportSettings {
	s := exportSettings{headers: cfg.OTLPHeaders, json: cfg.OTLPJSON, synchronous: kind == "simple",
		timeout: cfg.batchTimeout(sig), sdk: cfg.otlpExporter() == OTLPExporterSDK}
	if s.synchronous {
		s.timeout = cfg.syncTimeout()
	}
	return s
}

// newSpanSink builds the exporter and processor of one span endpoint.
func (c *Component) newSpanSink(ctx context.Context, ep Endpoint, cfg Config) (*spanSink, error) {
	kind := processorFor(cfg, ep)
	set := settingsFor(cfg, SignalTraces, kind)
	s := &spanSink{sinkBase: sinkBase{signal: SignalTraces, ep: ep, processor: kind,
		target: "traces " + ep.String(), diag: c.diag, totals: &c.spanTotals, timeout: set.timeout}}
	s.aborted, s.abort = context.WithCancel(c.aborted)
	context.AfterFunc(s.aborted, func() { s.isAborted.Store(true) })
	exp, err := newSpanExporter(ctx, ep, set)
	if err != nil {
		s.abort()
		return nil, fmt.Errorf("tracing endpoint %s: %w", ep, err)
	}
	counted := &countingSpanExporter{s: &s.sinkBase, inner: exp}
	if kind == "simple" {
		if isNetwork(ep) {
			counted.brk = newBreaker(&s.sinkBase, exp.ExportSpans, keepSpan)
			s.brk = counted.brk
		}
		s.proc = sdktrace.NewSimpleSpanProcessor(counted)
	} else {
		s.queueCap = batchQueueSize
		if be, ok := exp.(batchExporter); ok {
			s.lean = newSpanBatcher(&s.sinkBase, be)
		}
		s.proc = sdktrace.NewBatchSpanProcessor(counted, sdktrace.WithMaxQueueSize(batchQueueSize),
			sdktrace.WithMaxExportBatchSize(batchSize), sdktrace.WithBatchTimeout(batchDelay),
			sdktrace.WithExportTimeout(set.timeout))
	}
	return s, nil
}

// newLogSink builds the exporter and processor of one log endpoint.
func (c *Component) newLogSink(ctx context.Context, ep Endpoint, cfg Config) (*logSink, error) {
	return c.newLogSinkFor(ctx, ep, cfg, "logs", &c.logTotals)
}

// newLogSinkFor builds a log sink whose diagnostics name it label (logs,
// announcements) and whose counts add to totals.
func (c *Component) newLogSinkFor(ctx context.Context, ep Endpoint, cfg Config, label string, totals *signalTotals) (*logSink, error) {
	kind := processorFor(cfg, ep)
	set := settingsFor(cfg, SignalLogs, kind)
	s := &logSink{sinkBase: sinkBase{signal: SignalLogs, ep: ep, processor: kind,
		target: label + " " + ep.String(), diag: c.diag, totals: totals, timeout: set.timeout}}
	s.aborted, s.abort = context.WithCancel(c.aborted)
	context.AfterFunc(s.aborted, func() { s.isAborted.Store(true) })
	exp, err := newLogExporter(ctx, ep, set)
	if err != nil {
		s.abort()
		return nil, fmt.Errorf("%s endpoint %s: %w", label, ep, err)
	}
	counted := &countingLogExporter{s: &s.sinkBase, inner: exp}
	if kind == "simple" {
		if isNetwork(ep) {
			counted.brk = newBreaker(&s.sinkBase, exp.Export, keepRecord)
			s.brk = counted.brk
		}
		s.proc = sdklog.NewSimpleProcessor(counted)
	} else {
		s.queueCap = batchQueueSize
		s.proc = newRecordProcessor(&s.sinkBase, counted)
	}
	return s, nil
}
