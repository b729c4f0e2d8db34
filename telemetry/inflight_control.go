package telemetry

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// InFlight returns the in-flight settings, defaults filled in.
func (k *Control) InFlight() InFlightSettings {
	k.c.mu.Lock()
	defer k.c.mu.Unlock()
	return k.c.cfg.inFlight()
}

// SetInFlightMode changes which tracing endpoints get in-flight
// announcements of spans started from now on ("" means auto). When that
// changes which endpoints are announced to, a new traces generation with
// the same endpoints is swapped in, as for an endpoint change: spans
// started before keep being announced (or not) as they were, to the
// endpoints current at their start, until they end.
func (k *Control) SetInFlightMode(ctx context.Context, m InFlightMode) error {
	if err := (InFlightSettings{Mode: m}).validate(); err != nil {
		return fmt.Errorf("in-flight mode %q: %w", m, err)
	}
	c := k.c
	var old *generation
	err := c.change(KeyInFlight, func() error {
		next := c.cfg.clone()
		next.InFlight = m.orAuto()
		st := *c.state.Load()
		if st.traces != nil && !sameAnnounceTargets(c.cfg, next) {
			g, err := c.buildTraces(ctx, next, c.cfg.TracingEndpoints, false)
			if err != nil {
				return err
			}
			old, st.traces = st.traces, g
			c.state.Store(&st)
		}
		c.cfg.InFlight = next.InFlight
		return nil
	}, nil)
	c.retire(old)
	return err
}

// sameAnnounceTargets reports whether a and b announce to the same
// endpoints.
func sameAnnounceTargets(a, b Config) bool {
	ta, _ := announceTargets(a.InFlight, a.TracingEndpoints)
	tb, _ := announceTargets(b.InFlight, b.TracingEndpoints)
	return slices.Equal(ta, tb)
}

// SetInFlightThreshold changes how long a span is open before it is first
// announced, from 10 ms to 1 h (zero means the default, 1 s). It applies
// at the next sweep to every span not yet announced, whatever its
// generation.
func (k *Control) SetInFlightThreshold(d time.Duration) error {
	if err := (InFlightSettings{Threshold: d}).validate(); err != nil {
		return fmt.Errorf("in-flight threshold %v: %w", d, err)
	}
	return k.c.change(KeyInFlightThreshold, func() error {
		k.c.cfg.InFlightThreshold = d
		k.c.storeTimingLocked()
		return nil
	}, nil)
}

// SetInFlightInterval changes the time between announcements of a span
// that stays open, from 100 ms to 1 h (zero means the default, 10 s). It
// applies to every announced span from its next heartbeat, which comes
// after the shorter of the old and new intervals.
func (k *Control) SetInFlightInterval(d time.Duration) error {
	if err := (InFlightSettings{Interval: d}).validate(); err != nil {
		return fmt.Errorf("in-flight interval %v: %w", d, err)
	}
	return k.c.change(KeyInFlightInterval, func() error {
		k.c.cfg.InFlightInterval = d
		k.c.storeTimingLocked()
		return nil
	}, nil)
}

// storeTimingLocked publishes cfg's threshold and interval to the
// sweepers. c.mu held.
func (c *Component) storeTimingLocked() {
	t := c.cfg.inFlight()
	c.timing.Store(&t)
}

// InFlightStatus is the state of a component's in-flight announcing.
type InFlightStatus struct {
	// Settings are the effective settings (their sources are in
	// Status.Settings).
	Settings InFlightSettings `json:"settings"`
	// Watched counts the spans the sweepers watch now: registered and open
	// at their last sweep, announced or not yet (short spans are dropped
	// at the sweep after they end, so they hardly show).
	Watched int64 `json:"watched"`
	// Open counts the announced spans still open.
	Open int64 `json:"open"`
	// Heartbeats and Stops count the records emitted.
	Heartbeats uint64 `json:"heartbeats"`
	Stops      uint64 `json:"stops"`
	// Exported, Failed and Dropped count records as EndpointStatus does,
	// summed over the announcement endpoints; Dropped also counts those
	// whose span could not be encoded.
	Exported uint64 `json:"exported"`
	Failed   uint64 `json:"failed"`
	Dropped  uint64 `json:"dropped"`
	// Overflow counts spans never announced because the live set or the
	// watched list was full (they are exported as usual when they end).
	Overflow uint64 `json:"overflow"`
	// Deferred counts announcements due at a sweep that its bound (5000
	// records a second) put off to the next one.
	Deferred uint64 `json:"deferred"`
	// Trimmed counts announcements whose span did not fit the bounds of
	// one record (docs/configuration.md) and was sent in part.
	Trimmed uint64 `json:"trimmed"`
	// Endpoints are the announcement endpoints (logs signal) with their
	// health and counters; Active is false for one that only spans started
	// before a change still use.
	Endpoints []EndpointStatus `json:"endpoints"`
}

// inFlightStatusLocked builds the in-flight part of Status. c.mu held.
func (c *Component) inFlightStatusLocked() InFlightStatus {
	n := &c.inflight
	s := InFlightStatus{
		Settings: c.cfg.inFlight(), Watched: n.watched.Load(), Open: n.open.Load(),
		Heartbeats: n.heartbeats.Load(), Stops: n.stops.Load(),
		Exported: c.annTotals.exported.Load(), Failed: c.annTotals.failed.Load(),
		Dropped:  c.annTotals.dropped.Load() + n.broken.Load(),
		Overflow: n.overflow.Load(), Deferred: n.deferred.Load(), Trimmed: n.trimmed.Load(),
		Endpoints: []EndpointStatus{},
	}
	active, _ := announceTargets(c.cfg.InFlight, c.cfg.TracingEndpoints)
	for _, ep := range active {
		if sk := c.annSinks[ep]; sk != nil {
			s.Endpoints = append(s.Endpoints, sk.status(true))
		}
	}
	for ep, sk := range c.annSinks {
		if !slices.Contains(active, ep) {
			s.Endpoints = append(s.Endpoints, sk.status(false))
		}
	}
	return s
}
