package telemetry

import (
	"context"
	"sync/atomic"

	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/embedded"
)

// loggerProvider is the component's one stable LoggerProvider.
type loggerProvider struct {
	embedded.LoggerProvider
	c *Component
}

func (p *loggerProvider) Logger(name string, opts ...log.LoggerOption) log.Logger {
	return &logger{c: p.c, name: name, opts: opts}
}

type logger struct {
	embedded.Logger
	c     *Component
	name  string
	opts  []log.LoggerOption
	cache atomic.Pointer[genLogger]
}

type genLogger struct {
	g *generation
	l log.Logger
}

// current returns the generation to emit to, acquired, or nil when logging
// is off.
func (l *logger) current() (*generation, log.Logger) {
	for {
		st := l.c.state.Load()
		g := st.logs
		if !st.enabled || !st.logging || g == nil {
			return nil, nil
		}
		if !g.acquire() {
			continue
		}
		gl := l.cache.Load()
		if gl == nil || gl.g != g {
			gl = &genLogger{g: g, l: g.lp.Logger(l.name, l.opts...)}
			l.cache.Store(gl)
		}
		return g, gl.l
	}
}

func (l *logger) Emit(ctx context.Context, r log.Record) {
	g, sdk := l.current()
	if g == nil {
		return
	}
	sdk.Emit(ctx, r)
	l.c.logsEmitted.Add(1)
	g.release()
}

func (l *logger) Enabled(ctx context.Context, p log.EnabledParameters) bool {
	g, sdk := l.current()
	if g == nil {
		return false
	}
	defer g.release()
	return sdk.Enabled(ctx, p)
}
