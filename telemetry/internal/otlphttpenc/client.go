package otlphttpenc

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/sightline-dev/sightline/internal/otlphttp"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
	"github.com/sightline-dev/sightline/telemetry/internal/spare"
)

// client is what the span and log exporters share: where and how to post,
// the retry, and the shutdown state.
type client struct {
	url     *url.URL
	header  http.Header // sent with every request, cloned per attempt
	timeout time.Duration
	gzip    bool
	retry   otlpretry.Policy
	http    *http.Client
	own     bool // http is the exporter's: Shutdown closes its idle connections

	bufs spare.Pool[buffers]

	stopped context.Context // done at Shutdown: in-flight exports end
	stop    context.CancelFunc
	closed  atomic.Bool
}

func newClient(cfg Config) (*client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	u, _ := cfg.parseURL()
	c := &client{url: u, timeout: cfg.Timeout, gzip: cfg.Gzip, http: cfg.HTTPClient,
		retry: otlpretry.Policy{Retry: cfg.Retry, Classify: classify, Throttle: "Retry-After"}}
	if c.timeout == 0 {
		c.timeout = otlpretry.DefaultTimeout
	}
	if c.http == nil {
		c.http, c.own = &http.Client{Transport: newTransport(cfg.TLS.Clone())}, true
	}
	// As the SDK: User-Agent first, so that Headers may replace it; the
	// content headers last, so that they may not.
	c.header = http.Header{"User-Agent": {userAgent}}
	for k, v := range cfg.Headers {
		c.header.Set(k, v)
	}
	c.header.Set("Content-Type", otlphttp.ContentTypeProto)
	c.header.Del("Content-Encoding")
	if c.gzip {
		c.header.Set("Content-Encoding", "gzip")
	}
	c.stopped, c.stop = context.WithCancel(context.Background())
	return c, nil
}

// shutdownErr is ErrShutdown after Shutdown, else nil.
func (c *client) shutdownErr() error {
	if c.closed.Load() {
		return ErrShutdown
	}
	return nil
}

// export encodes a request of items of kind (otlpretry.KindSpans,
// KindLogs) with encode into pooled buffers and posts it, retrying as
// configured, and reads a 2xx answer's partial success.
func (c *client) export(ctx context.Context, kind string, encode func(*buffers) []byte) error {
	if c.closed.Load() {
		return ErrShutdown
	}
	// After Shutdown, release the connection this export may have
	// returned to the pool, so that no connection goroutine remains.
	defer func() {
		if c.own && c.closed.Load() {
			c.http.CloseIdleConnections()
		}
	}()
	b := getBuffers(&c.bufs)
	defer b.release()
	b.raw = encode(b)
	if len(b.raw) == 0 {
		return nil // only nil spans
	}
	payload := b.raw
	if c.gzip {
		var err error
		if payload, err = b.compress(payload); err != nil {
			return fmt.Errorf("otlphttpenc: compress %d bytes for %s: %w", len(b.raw), c.url, err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	defer context.AfterFunc(c.stopped, cancel)()
	return c.retry.Do(ctx, func() error { return c.attempt(ctx, b, payload, kind) })
}

func (c *client) shutdown(ctx context.Context) error {
	if c.closed.CompareAndSwap(false, true) {
		c.stop()
		if c.own {
			c.http.CloseIdleConnections()
		}
	}
	return ctx.Err()
}
