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
	annSinks  map[Endpoint]*logSink // in-flight announcements, by logs endpoint
	closed    bool
	problems  problems // configuration problems: Setup's, then endpoints that could not be built
	listeners map[int]func(Change)
	nextID    int

	stop     chan struct{} // closed by Shutdown: retiring pipelines stop waiting
	aborted  context.Context
	abortAll context.CancelFunc // ends every sink's exports (Shutdown's ctx ended)
	bg       sync.WaitGroup
	draining atomic.Int64

	spansStarted, spansEnded, spansLost, logsEmitted atomic.Uint64
	spanTotals, logTotals, annTotals                 signalTotals

	// timing is the in-flight threshold and interval every announcer
	// reads at each sweep (the mode is fixed per generation).
	timing   atomic.Pointer[InFlightSettings]
	inflight inflightCounters
}

// Setup builds a component from, lowest first, the environment (FromEnv),
// code options (WithConfig, WithServiceName, ...), and stored properties
// (WithProperties); Control's runtime changes come on top until the
// process ends. docs/configuration.md gives the reasons.
//
// Setup returns an error only when no usable component can be built: a
// resource that cannot be detected, or, with WithStrict, any configuration
// problem. Otherwise every bad setting (a variable, a WithConfig field or
// a property, its value, what is allowed) keeps the value from the layer
// below, or its default, and the component works: each problem is logged
// once through the diagnostics log (SetDiagnostics) and listed in
// Control().Status().Problems. So the usual
//
//	comp, err := telemetry.Setup(ctx)
//	if err != nil {
//		return err
//	}
//
// throws nothing usable away.
//
// Setup changes no process-wide state unless asked: only WithGlobal
// installs the component's providers, its propagator (OTEL_PROPAGATORS)
// and sightline's OpenTelemetry error handler as the globals. A component
// set up without it leaves whatever another component or the program
// installed.
func Setup(ctx context.Context, opts ...Option) (*Component, error) {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	if o.drainTimeout <= 0 {
		o.drainTimeout = DefaultDrainTimeout
	}
	o.factory = setupFactory(o.factory)

	cfg, src, ps := configure(o)
	if o.strict && len(ps) > 0 {
		return nil, ps.err()
	}

	c := &Component{opts: o, diag: diagnostics(), cfg: cfg, src: src, stop: make(chan struct{}),
		spanSinks: map[Endpoint]*spanSink{}, logSinks: map[Endpoint]*logSink{}, annSinks: map[Endpoint]*logSink{},
		listeners: map[int]func(Change){}}
	timing := cfg.inFlight()
	c.timing.Store(&timing)
	c.aborted, c.abortAll = context.WithCancel(context.Background())
	c.diag.SetLevel(cfg.SDKLogLevel.slogLevel())
	res, err := buildResource(ctx, cfg, identity{serviceName: cfg.ServiceName, namespace: o.namespace,
		instanceID: o.instanceID, extra: o.attrs})
	if err != nil {
		c.abortAll()
		return nil, fmt.Errorf("telemetry setup: %w", err)
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
	c.sampler = newSamplerHolder(cfg.Sampler)
	c.tp = &tracerProvider{c: c}
	c.lp = &loggerProvider{c: c}
	c.handler = newLogHandler(c, o.localLog)
	c.logger = slog.New(c.handler)
	c.control = &Control{c: c}
	c.state.Store(&state{tracing: cfg.Tracing, logging: cfg.Logging, topics: cfg.Topics})
	c.problems = ps
	for _, p := range ps {
		c.diag.Warn("telemetry configuration problem", "component", c.name, "problem", p.Error())
	}

	if cfg.Enabled {
		c.mu.Lock()
		buildErr := c.enableLocked(ctx)
		c.mu.Unlock()
		if buildErr != nil && o.strict {
			_ = c.Shutdown(ctx)
			return nil, fmt.Errorf("telemetry setup of %s: %w", c.name, buildErr)
		}
	}
	if o.global {
		installGlobals(c)
	}
	return c, nil
}

// configure reads the layers below runtime changes: the environment, then
// code options, then stored properties.
func configure(o options) (Config, Sources, problems) {
	cfg, src, envErr := FromEnv(o.getenv)
	var ps problems
	var ce *ConfigError
	if errors.As(envErr, &ce) {
		ps = append(ps, ce.Problems...)
	}
	cfg, src = applyCode(cfg, src, o.code, &ps)
	if o.serviceName != "" {
		cfg.ServiceName = o.serviceName
		src[KeyServiceName] = Origin{Source: SourceCode}
	}
	if o.properties != nil {
		cfg, src = applyProperties(cfg, src, o.properties, &ps)
	}
	return cfg, src, ps
}

// installGlobals makes c's providers, propagator and sightline's error
// handler the OpenTelemetry globals (WithGlobal).
func installGlobals(c *Component) {
	otel.SetTracerProvider(c.tp)
	otel.SetLoggerProvider(c.lp)
	otel.SetTextMapPropagator(c.propagator)
	otel.SetErrorHandler(processDiagnose)
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

// Propagator is the component's text-map propagator (OTEL_PROPAGATORS,
// default W3C tracecontext and baggage), to give instrumentation
// explicitly (httptrace.WithPropagator, task.WithPropagator, remote.WithPropagator). It is
// the global propagator only when the component was set up WithGlobal.
func (c *Component) Propagator() propagation.TextMapPropagator { return c.propagator }

// Control is the component's runtime control.
func (c *Component) Control() *Control { return c.control }

// enableLocked builds the current generations if they are missing. An
// endpoint whose exporter cannot be built is left out, and listed as a
// configuration problem (logged, and in Status) besides being returned.
// c.mu held.
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
	err := errors.Join(errs...)
	if err != nil {
		// Listed and logged once, however often Enable retries.
		c.addProblemLocked(Problem{Setting: "endpoints", Reason: err.Error(), Using: "the endpoints that could be built"})
	}
	return err
}

// ForceFlush exports everything the component's endpoints hold.
func (c *Component) ForceFlush(ctx context.Context) error {
	c.mu.Lock()
	var flush []func(context.Context) error
	for _, s := range c.spanSinks {
		flush = append(flush, s.forceFlush)
	}
	for _, s := range c.logSinks {
		flush = append(flush, s.proc.ForceFlush)
	}
	for _, s := range c.annSinks {
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
