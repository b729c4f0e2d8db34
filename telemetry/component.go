package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	"go.opentelemetry.io/otel/trace"

	"github.com/sightline-dev/sightline/telemetry/internal/ratelog"
)

// DefaultDrainTimeout is how long a replaced pipeline waits for its spans.
const DefaultDrainTimeout = 15 * time.Minute

// shutdownTimeout bounds each background flush of a retired pipeline.
const shutdownTimeout = 5 * time.Second

// Component is one telemetry component: a service (or one device of a
// device server) with its own resource, its own stable TracerProvider and
// LoggerProvider, a slog handler, and its own runtime Control. A process may
// hold several. Create one with Setup; end it with Shutdown.
type Component struct {
	name       string
	opts       options
	diag       *ratelog.Log
	res        *resource.Resource
	propagator propagation.TextMapPropagator
	tp         *tracerProvider
	lp         *loggerProvider
	sampler    *samplerHolder
	handler    slog.Handler
	logger     *slog.Logger
	control    *Control

	state atomic.Pointer[state]

	mu        sync.Mutex // guards what follows; never taken on the span or log hot path
	cfg       Config
	src       Sources
	spanSinks map[Endpoint]*spanSink
	logSinks  map[Endpoint]*logSink
	closed    bool
	listeners map[int]func(Change)
	nextID    int

	stop     chan struct{} // closed by Shutdown: retiring pipelines stop waiting
	aborted  context.Context
	abortAll context.CancelFunc // ends every sink's exports (Shutdown's ctx ended)
	bg       sync.WaitGroup
	draining atomic.Int64

	spansStarted, spansEnded, spansLost, logsEmitted atomic.Uint64
	spanTotals, logTotals                            signalTotals
}

// Setup builds a component from the environment, code options and stored
// properties (in that order, later wins). Configuration problems are
// returned as a *ConfigError listing every one, logged once to the
// diagnostics log, and each bad setting keeps its default; the component is
// usable. With WithStrict, Setup fails on any problem instead.
//
// Setup also installs the global text-map propagator (OTEL_PROPAGATORS,
// default tracecontext and baggage) and the process's OpenTelemetry error
// handler.
func Setup(ctx context.Context, opts ...Option) (*Component, error) {
	var o options
	for _, opt := range opts {
		opt.apply(&o)
	}
	if o.drainTimeout <= 0 {
		o.drainTimeout = DefaultDrainTimeout
	}
	installErrorHandler()

	cfg, src, envErr := FromEnv(o.getenv)
	var ps problems
	var ce *ConfigError
	if errors.As(envErr, &ce) {
		ps = append(ps, ce.Problems...)
	}
	cfg, src = applyCode(cfg, src, o.code, &ps)
	if o.properties != nil {
		cfg, src = applyProperties(cfg, src, o.properties, &ps)
	}
	if o.serviceName != "" {
		cfg.ServiceName = o.serviceName
		src[KeyServiceName] = Origin{Source: SourceCode}
	}
	if o.strict && len(ps) > 0 {
		return nil, ps.err()
	}

	c := &Component{opts: o, diag: diagnostics(), cfg: cfg, src: src, stop: make(chan struct{}),
		spanSinks: map[Endpoint]*spanSink{}, logSinks: map[Endpoint]*logSink{}, listeners: map[int]func(Change){}}
	c.aborted, c.abortAll = context.WithCancel(context.Background())
	c.diag.SetLevel(cfg.SDKLogLevel.slogLevel())
	res, err := buildResource(ctx, cfg, identity{serviceName: cfg.ServiceName, namespace: o.namespace,
		instanceID: o.instanceID, extra: o.attrs})
	if err != nil {
		return nil, err
	}
	c.res = res
	c.name = o.component
	if c.name == "" {
		c.name = o.instanceID
	}
	if c.name == "" {
		c.name = serviceNameOf(res)
	}
	c.propagator, _ = parsePropagators(cfg.Propagators) // validated by FromEnv and Validate
	otel.SetTextMapPropagator(c.propagator)
	c.sampler = newSamplerHolder(cfg.Sampler)
	c.tp = &tracerProvider{c: c}
	c.lp = &loggerProvider{c: c}
	c.handler = newLogHandler(c, o.localLog)
	c.logger = slog.New(c.handler)
	c.control = &Control{c: c}
	c.state.Store(&state{tracing: cfg.Tracing, logging: cfg.Logging, topics: cfg.Topics})

	if cfg.Enabled {
		c.mu.Lock()
		buildErr := c.enableLocked(ctx)
		c.mu.Unlock()
		if buildErr != nil {
			ps = append(ps, Problem{Setting: "endpoints", Value: "", Reason: buildErr.Error(),
				Using: "the endpoints that could be built"})
		}
	}
	if o.global {
		otel.SetTracerProvider(c.tp)
		otel.SetLoggerProvider(c.lp)
	}
	if len(ps) > 0 {
		for _, p := range ps {
			c.diag.Warn("telemetry configuration problem", "component", c.name, "problem", p.Error())
		}
		if o.strict {
			_ = c.Shutdown(ctx)
			return nil, ps.err()
		}
	}
	return c, ps.err()
}

func serviceNameOf(res *resource.Resource) string {
	for _, kv := range res.Attributes() {
		if kv.Key == "service.name" {
			return kv.Value.AsString()
		}
	}
	return "unknown"
}

// Name is the component's name for runtime control.
func (c *Component) Name() string { return c.name }

// Resource is the component's resource.
func (c *Component) Resource() *resource.Resource { return c.res }

// TracerProvider is the component's stable TracerProvider: tracers taken
// from it follow every runtime change.
func (c *Component) TracerProvider() trace.TracerProvider { return c.tp }

// Tracer is c.TracerProvider().Tracer(name, opts...).
func (c *Component) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return c.tp.Tracer(name, opts...)
}

// LoggerProvider is the component's stable LoggerProvider.
func (c *Component) LoggerProvider() log.LoggerProvider { return c.lp }

// Handler is the component's slog handler: records go to OpenTelemetry logs
// (with the trace and span ids of the context passed to slog's *Context
// methods) and to the local handler given with WithLogHandler.
func (c *Component) Handler() slog.Handler { return c.handler }

// Logger is slog.New(c.Handler()).
func (c *Component) Logger() *slog.Logger { return c.logger }

// Propagator is the text-map propagator from OTEL_PROPAGATORS.
func (c *Component) Propagator() propagation.TextMapPropagator { return c.propagator }

// Control is the component's runtime control.
func (c *Component) Control() *Control { return c.control }

// enableLocked builds the current generations if they are missing. c.mu held.
func (c *Component) enableLocked(ctx context.Context) error {
	st := *c.state.Load()
	var errs []error
	if st.traces == nil {
		g, err := c.buildTraces(ctx, c.cfg, c.cfg.TracingEndpoints, true)
		st.traces = g
		errs = append(errs, err)
	}
	if st.logs == nil {
		g, err := c.buildLogs(ctx, c.cfg, c.cfg.LoggingEndpoints, true)
		st.logs = g
		errs = append(errs, err)
	}
	st.enabled = true
	c.state.Store(&st)
	return errors.Join(errs...)
}

// ForceFlush exports everything the component's endpoints hold.
func (c *Component) ForceFlush(ctx context.Context) error {
	c.mu.Lock()
	var flush []func(context.Context) error
	for _, s := range c.spanSinks {
		flush = append(flush, s.proc.ForceFlush)
	}
	for _, s := range c.logSinks {
		flush = append(flush, s.proc.ForceFlush)
	}
	c.mu.Unlock()
	var errs []error
	for _, f := range flush {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}

// Shutdown turns the component off, flushes every pipeline and waits for
// the background work to finish. When ctx ends first, exports still running
// are aborted (their items counted as dropped) and Shutdown returns with
// ctx's error; either way no goroutine of the component is left. Each
// endpoint's flush is also limited to 5 s. Spans still open are not
// exported. Calling it again does nothing.
func (c *Component) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	old := c.state.Load()
	c.state.Store(&state{})
	close(c.stop)
	c.mu.Unlock()
	// When ctx ends, every export still running is aborted, so the wait
	// below ends soon after and no goroutine is left behind.
	stopAbort := context.AfterFunc(ctx, c.abortAll)
	defer stopAbort()
	c.retire(old.traces)
	c.retire(old.logs)
	c.bg.Wait()
	c.abortAll()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("telemetry shutdown of %s: flush cut short: %w", c.name, err)
	}
	return nil
}
