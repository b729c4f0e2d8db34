package otlphttpenc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sightline-dev/sightline/internal/otlphttp"
)

// ErrShutdown is returned by exports after Shutdown.
var ErrShutdown = errors.New("otlphttpenc: exporter is shut down")

// userAgent names the exporter, as the SDK's names itself ("OTel OTLP
// Exporter Go/<version>").
const userAgent = "sightline OTLP Exporter Go (otlpenc)"

var _ sdktrace.SpanExporter = (*Exporter)(nil)

// Exporter posts spans as OTLP/HTTP protobuf requests encoded by otlpenc.
// It is safe for concurrent use.
type Exporter struct {
	url     *url.URL
	header  http.Header // sent with every request, cloned per attempt
	timeout time.Duration
	gzip    bool
	retry   RetryConfig
	client  *http.Client
	own     bool // client is the exporter's: Shutdown closes its idle connections

	stopped context.Context // done at Shutdown: in-flight exports end
	stop    context.CancelFunc
	closed  atomic.Bool
}

// New returns an exporter for cfg, or an error naming the setting that
// cannot be used (see [Config.Validate]) or the CA file that cannot be read.
func New(cfg Config) (*Exporter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	u, _ := cfg.parseURL()
	e := &Exporter{url: u, timeout: cfg.Timeout, gzip: cfg.Gzip, retry: cfg.Retry, client: cfg.HTTPClient}
	if e.timeout == 0 {
		e.timeout = DefaultTimeout
	}
	if e.retry.InitialInterval == 0 {
		e.retry.InitialInterval = DefaultInitialInterval
	}
	if e.retry.MaxInterval == 0 {
		e.retry.MaxInterval = DefaultMaxInterval
	}
	if e.client == nil {
		tlsCfg, err := cfg.tlsConfig()
		if err != nil {
			return nil, err
		}
		e.client, e.own = &http.Client{Transport: newTransport(tlsCfg)}, true
	}
	// As the SDK: User-Agent first, so that Headers may replace it; the
	// content headers last, so that they may not.
	e.header = http.Header{"User-Agent": {userAgent}}
	for k, v := range cfg.Headers {
		e.header.Set(k, v)
	}
	e.header.Set("Content-Type", otlphttp.ContentTypeProto)
	e.header.Del("Content-Encoding")
	if e.gzip {
		e.header.Set("Content-Encoding", "gzip")
	}
	e.stopped, e.stop = context.WithCancel(context.Background())
	return e, nil
}

// URL is where the exporter posts.
func (e *Exporter) URL() string { return e.url.String() }

// ExportSpans posts spans as one ExportTraceServiceRequest, retrying as
// configured within the export timeout. It returns an error when the
// request fails for good, a [*PartialSuccessError] when the server
// accepted the request but rejected spans or sent a warning, and
// [ErrShutdown] after Shutdown. An empty batch sends nothing.
func (e *Exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if e.closed.Load() {
		return ErrShutdown
	}
	if len(spans) == 0 {
		return nil
	}
	// After Shutdown, release the connection this export may have
	// returned to the pool, so that no connection goroutine remains.
	defer func() {
		if e.own && e.closed.Load() {
			e.client.CloseIdleConnections()
		}
	}()
	b := getBuffers()
	defer putBuffers(b)
	b.raw = b.enc.AppendTraces(b.raw[:0], spans)
	if len(b.raw) == 0 {
		return nil // only nil spans
	}
	payload := b.raw
	if e.gzip {
		var err error
		if payload, err = b.compress(payload); err != nil {
			return fmt.Errorf("otlphttpenc: compress %d bytes for %s: %w", len(b.raw), e.url, err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	defer context.AfterFunc(e.stopped, cancel)()
	return e.send(ctx, b, payload)
}

// ForceFlush does nothing: the exporter holds no spans between exports.
func (e *Exporter) ForceFlush(context.Context) error { return nil }

// Shutdown makes later exports fail with ErrShutdown, ends exports in
// flight (as the SDK's Stop does) and closes the idle connections of the
// exporter's own client. Later calls do nothing. It returns ctx's error
// when ctx is already done, as the SDK does.
func (e *Exporter) Shutdown(ctx context.Context) error {
	if e.closed.CompareAndSwap(false, true) {
		e.stop()
		if e.own {
			e.client.CloseIdleConnections()
		}
	}
	return ctx.Err()
}

// PartialSuccessError is the answer of a server that accepted a request
// but rejected some of its spans, or accepted all with a warning
// (ExportTraceServiceResponse.partial_success). Its text is the SDK's.
type PartialSuccessError struct {
	// RejectedSpans is how many spans the server dropped; 0 for a warning.
	RejectedSpans int64
	// Message is the server's explanation; may be empty.
	Message string
}

func (e *PartialSuccessError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "empty message"
	}
	return fmt.Sprintf("OTLP partial success: %s (%d spans rejected)", msg, e.RejectedSpans)
}
