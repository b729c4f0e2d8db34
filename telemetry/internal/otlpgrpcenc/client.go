package otlpgrpcenc

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/sightline-dev/sightline/internal/grpcraw"
	"github.com/sightline-dev/sightline/telemetry/internal/otlpretry"
	"github.com/sightline-dev/sightline/telemetry/internal/spare"
)

// userAgent names the exporter, as the SDK's names itself ("OTel OTLP
// Exporter Go/<version>"); grpc-go appends its own name and version.
const userAgent = "sightline OTLP Exporter Go (otlpenc)"

// The OTLP/gRPC export methods.
const (
	methodTraces = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
	methodLogs   = "/opentelemetry.proto.collector.logs.v1.LogsService/Export"
)

// errTimeout is the cause of an export's end at its Timeout, as the SDK's
// "exporter export timeout".
var errTimeout = errors.New("otlpgrpcenc: export timeout")

// client is what the span and log exporters share: the connection, the
// call options, the retry loop and the lifecycle.
type client struct {
	conn     *grpc.ClientConn
	md       metadata.MD // nil when there are no headers
	callOpts []grpc.CallOption
	timeout  time.Duration
	retry    otlpretry.Policy
	pool     spare.Pool[buffers]

	stopped  context.Context // done at Shutdown, with ErrShutdown as cause
	stop     context.CancelCauseFunc
	closed   atomic.Bool
	once     sync.Once
	closeErr error
}

func newClient(cfg Config) (*client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	host, secure, _ := cfg.target()
	opts := append([]grpc.DialOption{grpc.WithUserAgent(userAgent), grpc.WithTransportCredentials(cfg.credentials(secure))},
		cfg.DialOptions...)
	if cfg.Gzip {
		gz, err := gzipSpeed()
		if err != nil {
			return nil, err
		}
		opts = append(opts, gz)
	}
	conn, err := grpc.NewClient(host, opts...)
	if err != nil {
		return nil, fmt.Errorf("otlpgrpcenc: gRPC client for %s: %w", host, err)
	}
	c := &client{conn: conn, timeout: cfg.Timeout, retry: newPolicy(cfg.Retry),
		callOpts: []grpc.CallOption{grpc.ForceCodecV2(grpcraw.Codec{})}}
	if c.timeout == 0 {
		c.timeout = otlpretry.DefaultTimeout
	}
	if len(cfg.Headers) > 0 {
		c.md = metadata.New(cfg.Headers)
	}
	c.stopped, c.stop = context.WithCancelCause(context.Background())
	return c, nil
}

// export sends b.raw, the request of n items of kind ("spans", "logs"),
// to method, retrying as configured within the export timeout.
func (c *client) export(ctx context.Context, method, kind string, n int, b *buffers) error {
	if len(b.raw) > MaxRequestSize {
		return fmt.Errorf("otlpgrpcenc: request of %d %s is %d bytes: exceeds the %d bytes allowed", n, kind, len(b.raw), MaxRequestSize)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.timeout, errTimeout)
	defer cancel()
	ctx, cancelCause := context.WithCancelCause(ctx)
	defer cancelCause(nil)
	defer context.AfterFunc(c.stopped, func() { cancelCause(ErrShutdown) })()
	if c.md != nil {
		// As the SDK: the configured headers, joined with the caller's.
		md := c.md
		if out, ok := metadata.FromOutgoingContext(ctx); ok {
			md = metadata.Join(md, out)
		}
		ctx = metadata.NewOutgoingContext(ctx, md)
	}
	return c.retry.Do(ctx, func() error { return c.attempt(ctx, method, kind, b) })
}

// attempt makes one call. Its error names the method and the target and
// wraps the gRPC status error of a failed call (and, with retries off, the
// cause of a context that ended it: the export's timeout, Shutdown); it is
// a *otlpretry.PartialSuccessError when the server rejected items, else
// nil.
func (c *client) attempt(ctx context.Context, method, kind string, b *buffers) error {
	var resp grpcraw.Message
	if err := c.conn.Invoke(ctx, method, b, &resp, c.callOpts...); err != nil {
		err = fmt.Errorf("otlpgrpcenc: %s to %s: %w", method, c.conn.Target(), err)
		if !c.retry.Retry.Enabled && ctx.Err() != nil {
			return fmt.Errorf("%w (%w)", err, context.Cause(ctx))
		}
		return err
	}
	return otlpretry.PartialSuccess(kind, resp, false)
}

// shutdown closes the connection once: exports in flight end with
// ErrShutdown as their cause, later ones fail with ErrShutdown. It
// returns ctx's error when ctx is done (as the SDK's), else the first
// call's error closing the connection.
func (c *client) shutdown(ctx context.Context) error {
	first := false
	c.once.Do(func() {
		first = true
		c.closed.Store(true)
		c.stop(ErrShutdown)
		if err := c.conn.Close(); err != nil {
			c.closeErr = fmt.Errorf("otlpgrpcenc: close the connection to %s: %w", c.conn.Target(), err)
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	if first {
		return c.closeErr
	}
	return nil
}
