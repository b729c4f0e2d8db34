package telemetry

import (
	"context"
	"errors"
	"fmt"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// buildTraces makes a traces generation for eps, taking a reference on each
// endpoint's sink. With partial, endpoints whose exporter cannot be built are
// left out and reported; without, the first failure undoes the build. A
// list of only "none", or one where no endpoint could be built, gives nil.
// c.mu held.
func (c *Component) buildTraces(ctx context.Context, cfg Config, eps []Endpoint, partial bool) (*generation, error) {
	if len(eps) == 0 || eps[0].Exporter == ExporterNone {
		return nil, nil
	}
	g := newGeneration(eps)
	sinks, err := acquireSinks(c, eps, c.spanSinks, partial, func(ep Endpoint) (*spanSink, error) {
		return c.newSpanSink(ctx, ep, cfg)
	})
	if len(sinks) == 0 {
		return nil, err
	}
	g.spans = sinks
	var live *liveSet
	if g.ann = c.buildAnnouncer(ctx, cfg, eps); g.ann != nil {
		g.annSinks, live = g.ann.sinks, g.ann.live
	}
	if c.leanPath(cfg, sinks) {
		g.lean = c.leanProvider(&leanHooks{g: g, sinks: sinks, started: &c.spansStarted, ended: &c.spansEnded, live: live})
		return g, err
	}
	proc := genProcessor{g: g, sinks: sinks, started: &c.spansStarted, ended: &c.spansEnded, live: live}
	popts := []sdktrace.TracerProviderOption{
		sdktrace.WithSpanProcessor(proc),
		sdktrace.WithResource(c.res), sdktrace.WithSampler(c.sampler),
	}
	if c.opts.factory != nil {
		g.tp = c.opts.factory(popts...)
	} else {
		g.tp = sdktrace.NewTracerProvider(popts...)
	}
	return g, err
}

// buildLogs is buildTraces for logs.
func (c *Component) buildLogs(ctx context.Context, cfg Config, eps []Endpoint, partial bool) (*generation, error) {
	if len(eps) == 0 || eps[0].Exporter == ExporterNone {
		return nil, nil
	}
	g := newGeneration(eps)
	sinks, err := acquireSinks(c, eps, c.logSinks, partial, func(ep Endpoint) (*logSink, error) {
		return c.newLogSink(ctx, ep, cfg)
	})
	if len(sinks) == 0 {
		return nil, err
	}
	g.logs = sinks
	popts := make([]sdklog.LoggerProviderOption, 0, len(sinks)+1)
	for _, s := range sinks {
		popts = append(popts, sdklog.WithProcessor(logSinkRef{s}))
	}
	g.lp = sdklog.NewLoggerProvider(append(popts, sdklog.WithResource(c.res))...)
	return g, err
}

// sink is a span or log sink.
type sink interface {
	*spanSink | *logSink
	base() *sinkBase
	shutdownProc() error
}

func (s *spanSink) base() *sinkBase     { return &s.sinkBase }
func (s *logSink) base() *sinkBase      { return &s.sinkBase }
func (s *spanSink) shutdownProc() error { return s.shutdown(shutdownTimeout, s.shutdownProcs) }
func (s *logSink) shutdownProc() error  { return s.shutdown(shutdownTimeout, s.proc.Shutdown) }

// acquireSinks takes a reference on the sink of every endpoint, building
// the missing ones. Without partial, a failure releases what this call took
// and shuts down the sinks it built. c.mu held.
func acquireSinks[S sink](c *Component, eps []Endpoint, sinks map[Endpoint]S, partial bool, build func(Endpoint) (S, error)) ([]S, error) {
	var got []S
	var errs []error
	for _, ep := range eps {
		s, ok := sinks[ep]
		if !ok {
			var err error
			if s, err = build(ep); err != nil {
				errs = append(errs, err)
				if partial {
					continue
				}
				c.shutdownInBackground(releaseSinks(got, sinks))
				return nil, errors.Join(errs...)
			}
			sinks[ep] = s
		}
		s.base().refs++
		got = append(got, s)
	}
	return got, errors.Join(errs...)
}

// releaseSinks drops one reference on each sink and returns the shutdowns
// of those nobody uses any more, removed from the map. c.mu held.
func releaseSinks[S sink](list []S, sinks map[Endpoint]S) (unused []func() error) {
	for _, s := range list {
		b := s.base()
		if b.refs--; b.refs == 0 {
			delete(sinks, b.ep)
			unused = append(unused, s.shutdownProc)
		}
	}
	return unused
}

// shutdownInBackground runs sink shutdowns in a goroutine Shutdown waits for.
func (c *Component) shutdownInBackground(unused []func() error) {
	if len(unused) == 0 {
		return
	}
	c.bg.Go(func() {
		for _, shut := range unused {
			if err := shut(); err != nil {
				c.diag.Handle(fmt.Errorf("flush endpoint of %s: %w", c.name, err))
			}
		}
	})
}

// releaseSinksLocked drops g's references and returns the shutdowns of the
// sinks nobody uses any more. c.mu held.
func (c *Component) releaseSinksLocked(g *generation) []func() error {
	unused := append(releaseSinks(g.spans, c.spanSinks), releaseSinks(g.logs, c.logSinks)...)
	unused = append(unused, releaseSinks(g.annSinks, c.annSinks)...)
	g.spans, g.logs, g.annSinks = nil, nil, nil
	return unused
}

// retire drains a replaced generation in the background, then shuts it and
// the sinks only it used down (flushing them).
func (c *Component) retire(g *generation) {
	if g == nil {
		return
	}
	c.draining.Add(1)
	c.bg.Go(func() {
		defer c.draining.Add(-1)
		if lost := g.drain(c.opts.drainTimeout, c.stop); lost > 0 {
			c.spansLost.Add(uint64(lost))
			c.diag.Warn("telemetry: spans still open when their pipeline was shut down will not be exported",
				"component", c.name, "spans", lost, "endpoints", fmt.Sprint(g.endpoints))
		}
		if g.ann != nil {
			// After the drain: the sweeper's last sweep sends the stop
			// records of the spans that ended meanwhile.
			if err := shutdownWithin(context.Background(), shutdownTimeout, g.ann.close); err != nil {
				c.diag.Handle(err)
			}
		}
		if err := shutdownWithin(context.Background(), shutdownTimeout, g.shutdown); err != nil {
			c.diag.Handle(fmt.Errorf("shut down retired pipeline of %s: %w", c.name, err))
		}
		c.mu.Lock()
		unused := c.releaseSinksLocked(g)
		c.mu.Unlock()
		for _, shut := range unused {
			if err := shut(); err != nil {
				c.diag.Handle(fmt.Errorf("flush endpoint of %s: %w", c.name, err))
			}
		}
	})
}
