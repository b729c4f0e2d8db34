package otlp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	"google.golang.org/grpc"

	"github.com/sightline-dev/sightline/internal/netlimit"
	"github.com/sightline-dev/sightline/telemetry/topic"
)

// scopeName is the instrumentation scope of the receiver's own spans.
const scopeName = "github.com/sightline-dev/sightline/internal/otlp"

// sinkGrace bounds how long Shutdown waits, after forcing the servers
// closed, for handlers still inside a sink that ignores its canceled context.
const sinkGrace = 5 * time.Second

// errForced is the cause of the contexts canceled by a forced shutdown.
var errForced = errors.New("otlp: receiver forced to stop")

// Receiver serves OTLP/gRPC and OTLP/HTTP and stores traces and logs in a
// [Sink]. Create it with [New], then [Receiver.Start] it; stop it with
// [Receiver.Shutdown]. Its methods are safe for concurrent use.
type Receiver struct {
	cfg       Config
	sink      Sink
	logger    *slog.Logger
	tracer    trace.Tracer
	admission *admission
	conns     *netlimit.Limit
	counters  counters
	active    activeRequests
	decoded   decodedRequests

	grpcServer *grpc.Server    // nil when GRPCAddr is ""
	httpServer *http.Server    // nil when HTTPAddr is ""
	forceCtx   context.Context // canceled when Shutdown forces the servers closed
	force      context.CancelCauseFunc

	mu       sync.Mutex
	state    lifecycle
	grpcAddr string
	httpAddr string
	serving  sync.WaitGroup

	shutdownOnce sync.Once
	shutdownErr  error

	// readTimeout bounds reading one HTTP body or gRPC message:
	// bodyReadTimeout, shorter in tests.
	readTimeout time.Duration
	// discardTimeout bounds reading what a refused HTTP request left of its
	// body (discardBody), shorter in tests.
	discardTimeout time.Duration
}

type lifecycle int

const (
	stateNew lifecycle = iota
	stateStarted
	stateStopped
)

// New returns a receiver for cfg that stores into sink. It validates cfg
// and builds the servers; it does not listen until [Receiver.Start].
func New(cfg Config, sink Sink, opts ...Option) (*Receiver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("otlp: new receiver: %w", err)
	}
	if sink == nil {
		return nil, errors.New("otlp: new receiver: sink is nil")
	}
	o := options{logger: slog.New(slog.DiscardHandler), tracerProvider: noop.NewTracerProvider()}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	r := &Receiver{
		cfg:            cfg,
		sink:           sink,
		logger:         o.logger,
		tracer:         o.tracerProvider.Tracer(scopeName, topic.Kernel.TracerOption()),
		admission:      newAdmission(cfg.MaxInFlightItems, cfg.MaxInFlightBytes, defaultDecodeSlots()),
		readTimeout:    bodyReadTimeout,
		discardTimeout: discardTimeout,
	}
	r.conns = netlimit.New(cfg.MaxConnections)
	r.active.init()
	r.forceCtx, r.force = context.WithCancelCause(context.Background())
	if cfg.GRPCAddr != "" {
		r.grpcServer = r.newGRPCServer(o.grpcServerOptions...)
	}
	if cfg.HTTPAddr != "" {
		r.httpServer = r.newHTTPServer()
	}
	return r, nil
}

// Start listens on the configured addresses and serves in the background.
// It returns an error naming the address that could not be bound, having
// closed any listener it opened. A receiver starts at most once.
func (r *Receiver) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch r.state {
	case stateStarted:
		return errors.New("otlp: start: receiver already started")
	case stateStopped:
		return errors.New("otlp: start: receiver is shut down")
	}
	var lc net.ListenConfig
	var grpcLis, httpLis net.Listener
	if r.grpcServer != nil {
		l, err := lc.Listen(ctx, "tcp", r.cfg.GRPCAddr)
		if err != nil {
			return fmt.Errorf("otlp: start: listen for OTLP/gRPC on %s: %w", r.cfg.GRPCAddr, err)
		}
		grpcLis = r.conns.Listen(l)
	}
	if r.httpServer != nil {
		l, err := lc.Listen(ctx, "tcp", r.cfg.HTTPAddr)
		if err != nil {
			if grpcLis != nil {
				_ = grpcLis.Close()
			}
			return fmt.Errorf("otlp: start: listen for OTLP/HTTP on %s: %w", r.cfg.HTTPAddr, err)
		}
		httpLis = r.conns.Listen(l)
	}
	r.state = stateStarted
	if grpcLis != nil {
		r.grpcAddr = grpcLis.Addr().String()
		r.serving.Go(func() {
			// Serve returns nil after Stop or GracefulStop, and
			// ErrServerStopped when the stop came before Serve began (a
			// start that failed on a later listener): neither is an error.
			if err := r.grpcServer.Serve(grpcLis); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
				r.logger.Error("otlp: OTLP/gRPC server stopped", "addr", r.grpcAddr, "error", err)
			}
		})
	}
	if httpLis != nil {
		r.httpAddr = httpLis.Addr().String()
		r.serving.Go(func() {
			if err := r.httpServer.Serve(httpLis); err != nil && !errors.Is(err, http.ErrServerClosed) {
				r.logger.Error("otlp: OTLP/HTTP server stopped", "addr", r.httpAddr, "error", err)
			}
		})
	}
	return nil
}

// Addrs returns the addresses the servers listen on, as host:port with the
// actual port (useful with port 0); "" for a disabled server or before
// [Receiver.Start].
func (r *Receiver) Addrs() (grpcAddr, httpAddr string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.grpcAddr, r.httpAddr
}

// Shutdown stops the receiver: it stops accepting connections and requests
// at once, lets requests in progress finish until ctx ends, then closes every
// connection, cancels the contexts given to the sink and waits (a few
// seconds at most) for the sink calls to return. It returns nil after a
// graceful stop and an error wrapping ctx's error after a forced one. Later
// calls return the first call's result. No goroutine of the receiver is left
// when it returns (unless a sink ignores its canceled context).
func (r *Receiver) Shutdown(ctx context.Context) error {
	r.shutdownOnce.Do(func() { r.shutdownErr = r.shutdown(ctx) })
	return r.shutdownErr
}

func (r *Receiver) shutdown(ctx context.Context) error {
	r.mu.Lock()
	started := r.state == stateStarted
	r.state = stateStopped
	r.mu.Unlock()
	if !started {
		r.force(errForced)
		if r.grpcServer != nil {
			r.grpcServer.Stop()
		}
		r.active.closeAndIdle()
		return nil
	}

	grpcDone := make(chan struct{})
	go func() {
		defer close(grpcDone)
		if r.grpcServer != nil {
			r.grpcServer.GracefulStop()
		}
	}()
	var err error
	if r.httpServer != nil {
		err = r.httpServer.Shutdown(ctx)
	}
	if err == nil {
		select {
		case <-grpcDone:
		default:
			select {
			case <-grpcDone:
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
	}
	if err != nil {
		err = fmt.Errorf("otlp: shutdown: requests still in progress, closed their connections: %w", err)
		r.logger.Warn("otlp: forced shutdown", "error", err)
		r.force(errForced)
		if r.grpcServer != nil {
			r.grpcServer.Stop()
		}
		if r.httpServer != nil {
			_ = r.httpServer.Close()
		}
		<-grpcDone
	}
	r.serving.Wait()
	r.force(errForced)

	timer := time.NewTimer(sinkGrace)
	defer timer.Stop()
	select {
	case <-r.active.closeAndIdle():
	case <-timer.C:
		r.logger.Warn("otlp: shutdown: a sink call did not return after its context was canceled", "waited", sinkGrace)
	}
	return err
}

// withForce returns ctx, also canceled when the receiver is forced to stop,
// and the function that releases it.
func (r *Receiver) withForce(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(r.forceCtx, func() { cancel(context.Cause(r.forceCtx)) })
	return ctx, func() {
		stop()
		cancel(nil)
	}
}

// activeRequests tracks the requests being handled, so that Shutdown can
// wait for them after forcing the servers closed, and refuse latecomers.
type activeRequests struct {
	mu     sync.Mutex
	n      int
	closed bool
	idle   chan struct{} // closed when closed and n is 0
}

func (a *activeRequests) init() { a.idle = make(chan struct{}) }

// enter registers a request; false once the receiver has stopped.
func (a *activeRequests) enter() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false
	}
	a.n++
	return true
}

// leave unregisters a request registered by a successful enter.
func (a *activeRequests) leave() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n--
	if a.closed && a.n == 0 {
		close(a.idle)
	}
}

// closeAndIdle refuses new requests and returns a channel closed once no
// request is active.
func (a *activeRequests) closeAndIdle() <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.closed {
		a.closed = true
		if a.n == 0 {
			close(a.idle)
		}
	}
	return a.idle
}

// errClosing answers a request that arrives after the receiver stopped.
func errClosing() *exportError {
	return refuseErr(failUnavailable, reasonCanceled, "receiver is shutting down")
}
