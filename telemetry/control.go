package telemetry

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// ErrShutdown is returned by Control operations on a component that has
// been shut down.
var ErrShutdown = errors.New("telemetry component is shut down")

// Control changes a component's telemetry at runtime, the operations of
// PyTango's DeviceProxy telemetry API and more. A change applies to spans
// started after it: a span started before is exported by the pipeline that
// was current at its start, even after Disable or an endpoint change.
// Runtime changes win over every other layer (environment, code options,
// stored properties) and last until the process ends; they are not written
// to stored properties (the admin API's ?persist=1 does that).
//
// Enable and Disable are a runtime switch, not a lifecycle: a disabled
// component keeps its pipelines and can be enabled again. A component's
// life ends with Component.Shutdown. (PyTango calls the switch start and
// stop; the admin API's routes and sightline ctl keep those names.)
//
// Every method is safe for concurrent use; none blocks the span hot path.
type Control struct{ c *Component }

// Change describes one accepted runtime change, for OnChange hooks.
type Change struct {
	Component string `json:"component"`
	Key       string `json:"key"`
	Before    string `json:"before"`
	After     string `json:"after"`
}

// Component returns the component's name.
func (k *Control) Component() string { return k.c.name }

// Enabled reports whether telemetry is on.
func (k *Control) Enabled() bool { return k.c.state.Load().enabled }

// Enable turns telemetry on, building the pipelines on first use. An
// endpoint whose exporter cannot be built is left out, returned as an error
// and listed in Status.Problems; the others run. Enabling an enabled
// component changes nothing. ctx bounds building the exporters; they outlive
// it.
func (k *Control) Enable(ctx context.Context) error {
	var err error
	return k.c.change(KeyEnable, func() error {
		err = k.c.enableLocked(ctx)
		k.c.cfg.Enabled = true
		return nil
	}, func() error { return err })
}

// Disable turns telemetry off: new spans are non-recording (they still
// carry the caller's context on) and logs are dropped; spans already
// started are exported when they end. The pipelines stay, so Enable is
// cheap; Component.Shutdown ends them.
func (k *Control) Disable() error {
	return k.c.change(KeyEnable, func() error {
		st := *k.c.state.Load()
		st.enabled = false
		k.c.state.Store(&st)
		k.c.cfg.Enabled = false
		return nil
	}, nil)
}

// Topics returns the recorded span topics.
func (k *Control) Topics() Topics { return k.c.state.Load().topics }

// SetTopics sets the recorded span topics.
func (k *Control) SetTopics(t Topics) error {
	return k.c.change(KeyTopics, func() error {
		st := *k.c.state.Load()
		st.topics = t
		k.c.state.Store(&st)
		k.c.cfg.Topics = t
		return nil
	}, nil)
}

// Tracing reports whether spans are exported (the tracing type).
func (k *Control) Tracing() bool { return k.c.state.Load().tracing }

// SetTracing turns span export on or off.
func (k *Control) SetTracing(on bool) error {
	return k.c.change(KeyTypes, func() error {
		st := *k.c.state.Load()
		st.tracing = on
		k.c.state.Store(&st)
		k.c.cfg.Tracing = on
		return nil
	}, nil)
}

// Logging reports whether logs are exported (the logging type).
func (k *Control) Logging() bool { return k.c.state.Load().logging }

// SetLogging turns log export on or off.
func (k *Control) SetLogging(on bool) error {
	return k.c.change(KeyTypes, func() error {
		st := *k.c.state.Load()
		st.logging = on
		k.c.state.Store(&st)
		k.c.cfg.Logging = on
		return nil
	}, nil)
}

// Sampler returns the sampler for new traces.
func (k *Control) Sampler() Sampler { return k.c.sampler.get() }

// SetSampler changes the sampler for new traces.
func (k *Control) SetSampler(s Sampler) error {
	if err := s.validate(); err != nil {
		return fmt.Errorf("sampler %s: %w", s, err)
	}
	return k.c.change(KeySampler, func() error {
		k.c.sampler.set(s)
		k.c.cfg.Sampler = s
		return nil
	}, nil)
}

// TracingEndpoints returns the span endpoints.
func (k *Control) TracingEndpoints() []Endpoint { return k.c.endpoints(SignalTraces) }

// SetTracingEndpoints replaces the span endpoints. Each is checked first; a
// bad one, or one whose exporter cannot be built, rejects the whole change
// and leaves the running configuration as it was.
func (k *Control) SetTracingEndpoints(ctx context.Context, eps []Endpoint) error {
	return k.c.setEndpoints(ctx, SignalTraces, func([]Endpoint) ([]Endpoint, error) { return eps, nil })
}

// AddTracingEndpoint adds a span endpoint (adding one already there is an
// error; adding to "none" replaces it).
func (k *Control) AddTracingEndpoint(ctx context.Context, ep Endpoint) error {
	return k.c.setEndpoints(ctx, SignalTraces, addEndpoint(ep))
}

// RemoveTracingEndpoint removes a span endpoint; removing the last one
// leaves "none".
func (k *Control) RemoveTracingEndpoint(ctx context.Context, ep Endpoint) error {
	return k.c.setEndpoints(ctx, SignalTraces, removeEndpoint(SignalTraces, ep))
}

// LoggingEndpoints returns the log endpoints.
func (k *Control) LoggingEndpoints() []Endpoint { return k.c.endpoints(SignalLogs) }

// SetLoggingEndpoints replaces the log endpoints, like SetTracingEndpoints.
func (k *Control) SetLoggingEndpoints(ctx context.Context, eps []Endpoint) error {
	return k.c.setEndpoints(ctx, SignalLogs, func([]Endpoint) ([]Endpoint, error) { return eps, nil })
}

// AddLoggingEndpoint adds a log endpoint.
func (k *Control) AddLoggingEndpoint(ctx context.Context, ep Endpoint) error {
	return k.c.setEndpoints(ctx, SignalLogs, addEndpoint(ep))
}

// RemoveLoggingEndpoint removes a log endpoint.
func (k *Control) RemoveLoggingEndpoint(ctx context.Context, ep Endpoint) error {
	return k.c.setEndpoints(ctx, SignalLogs, removeEndpoint(SignalLogs, ep))
}

// OnChange calls f after every accepted change, outside any lock. The
// returned function removes f.
func (k *Control) OnChange(f func(Change)) (remove func()) {
	c := k.c
	c.mu.Lock()
	id := c.nextID
	c.nextID++
	c.listeners[id] = f
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		delete(c.listeners, id)
		c.mu.Unlock()
	}
}

// Config returns the effective configuration and where each setting came
// from.
func (k *Control) Config() (Config, Sources) {
	k.c.mu.Lock()
	defer k.c.mu.Unlock()
	return k.c.cfg.clone(), k.c.src.clone()
}

func addEndpoint(ep Endpoint) func([]Endpoint) ([]Endpoint, error) {
	return func(cur []Endpoint) ([]Endpoint, error) {
		if len(cur) == 1 && cur[0].Exporter == ExporterNone {
			cur = nil
		}
		return append(slices.Clone(cur), ep), nil
	}
}

func removeEndpoint(sig Signal, ep Endpoint) func([]Endpoint) ([]Endpoint, error) {
	return func(cur []Endpoint) ([]Endpoint, error) {
		want, err := ParseEndpoint(sig, ep.Exporter, ep.URL)
		if err != nil {
			return nil, err
		}
		i := slices.Index(cur, want)
		if i < 0 {
			return nil, badValue(fmt.Sprint(cur), "endpoint %s is not configured", want)
		}
		out := slices.Delete(slices.Clone(cur), i, i+1)
		if len(out) == 0 {
			out = []Endpoint{{Exporter: ExporterNone}}
		}
		return out, nil
	}
}

func (c *Component) endpoints(sig Signal) []Endpoint {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sig == SignalLogs {
		return slices.Clone(c.cfg.LoggingEndpoints)
	}
	return slices.Clone(c.cfg.TracingEndpoints)
}

// setEndpoints computes the new endpoint list from the current one, checks
// it, builds the new generation (when pipelines are running) and swaps it
// in; the old generation retires in the background.
func (c *Component) setEndpoints(ctx context.Context, sig Signal, next func([]Endpoint) ([]Endpoint, error)) error {
	key := KeyTracingEndpoints
	if sig == SignalLogs {
		key = KeyLoggingEndpoints
	}
	var old *generation
	err := c.change(key, func() error {
		cur := c.cfg.TracingEndpoints
		if sig == SignalLogs {
			cur = c.cfg.LoggingEndpoints
		}
		raw, err := next(cur)
		if err != nil {
			return err
		}
		eps, err := normaliseEndpoints(sig, raw)
		if err != nil {
			return err
		}
		st := *c.state.Load()
		running := st.enabled || st.traces != nil || st.logs != nil
		if running {
			var g *generation
			if sig == SignalLogs {
				g, err = c.buildLogs(ctx, c.cfg, eps, false)
				old, st.logs = st.logs, g
			} else {
				g, err = c.buildTraces(ctx, c.cfg, eps, false)
				old, st.traces = st.traces, g
			}
			if err != nil {
				old = nil
				return err
			}
			c.state.Store(&st)
		}
		if sig == SignalLogs {
			c.cfg.LoggingEndpoints = eps
		} else {
			c.cfg.TracingEndpoints = eps
		}
		return nil
	}, nil)
	c.retire(old)
	return err
}

// normaliseEndpoints checks every endpoint and refuses duplicates and
// "none" mixed with others.
func normaliseEndpoints(sig Signal, raw []Endpoint) ([]Endpoint, error) {
	if len(raw) == 0 {
		return []Endpoint{{Exporter: ExporterNone}}, nil
	}
	eps := make([]Endpoint, 0, len(raw))
	for _, r := range raw {
		ep, err := ParseEndpoint(sig, r.Exporter, r.URL)
		if err != nil {
			return nil, err
		}
		if slices.Contains(eps, ep) {
			return nil, badValue("each endpoint once", "endpoint %s is already configured", ep)
		}
		eps = append(eps, ep)
	}
	if err := checkNoneAlone(eps); err != nil {
		return nil, err
	}
	return eps, nil
}

// change runs apply under the component's lock, records the key's source as
// runtime and tells the listeners. apply's error rejects the change (apply
// must leave everything as it was). after, if given, supplies an error to
// return although the change was accepted.
func (c *Component) change(key string, apply func() error, after func() error) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrShutdown
	}
	before := settingValue(c.cfg, key)
	if err := apply(); err != nil {
		c.mu.Unlock()
		return err
	}
	c.src[key] = Origin{Source: SourceRuntime}
	ch := Change{Component: c.name, Key: key, Before: before, After: settingValue(c.cfg, key)}
	listeners := make([]func(Change), 0, len(c.listeners))
	for id := 0; id < c.nextID; id++ {
		if f, ok := c.listeners[id]; ok {
			listeners = append(listeners, f)
		}
	}
	c.mu.Unlock()
	for _, f := range listeners {
		f(ch)
	}
	if after != nil {
		return after()
	}
	return nil
}
