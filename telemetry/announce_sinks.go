package telemetry

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// announceTarget is where announcements of spans exported to the tracing
// endpoint ep go under mode: the same collector's logs signal (http: the
// URL with its trailing /v1/traces replaced by /v1/logs; grpc, console and
// file: the same target; a registered exporter: the same name and URL,
// through its log factory). ok is false when ep gets none. An http URL
// whose path does not end in /v1/traces gets none: where its logs go is
// unknown (err says so).
func announceTarget(mode InFlightMode, ep Endpoint) (target Endpoint, ok bool, err error) {
	mode = mode.orAuto()
	if mode == InFlightOff {
		return Endpoint{}, false, nil
	}
	switch ep.Exporter {
	case ExporterNone:
		return Endpoint{}, false, nil
	case ExporterConsole, ExporterFile:
		if mode != InFlightOn {
			return Endpoint{}, false, nil
		}
		return ep, true, nil
	case ExporterGRPC:
		return ep, true, nil
	case ExporterHTTP:
		u, perr := url.Parse(ep.URL)
		if perr != nil || !strings.HasSuffix(u.Path, "/v1/traces") {
			return Endpoint{}, false, badValue("an http endpoint whose path ends in /v1/traces",
				"in-flight announcements need the logs URL of %s: its path does not end in /v1/traces", ep)
		}
		u.Path = strings.TrimSuffix(u.Path, "/v1/traces") + "/v1/logs"
		return Endpoint{Exporter: ExporterHTTP, URL: u.String()}, true, nil
	}
	r := exporters.lookup(ep.Exporter)
	if r == nil || r.logs == nil {
		return Endpoint{}, false, nil
	}
	target, err = ParseEndpoint(SignalLogs, ep.Exporter, ep.URL)
	if err != nil {
		return Endpoint{}, false, fmt.Errorf("in-flight announcements to %s: %w", ep, err)
	}
	return target, true, nil
}

// announceTargets lists the announcement targets of eps under mode, each
// once, and the problems of the endpoints that get none although mode
// wants them to.
func announceTargets(mode InFlightMode, eps []Endpoint) ([]Endpoint, []Problem) {
	var out []Endpoint
	var ps []Problem
	for _, ep := range eps {
		t, ok, err := announceTarget(mode, ep)
		if err != nil {
			ps = append(ps, problemFor("inflight", ep.String(), err, "no in-flight announcements for this endpoint"))
		}
		if ok && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, ps
}

// buildAnnouncer makes the announcer of a traces generation for eps under
// cfg's in-flight mode, taking a reference on the announcement sink of
// each target, and starts its sweeper. It returns nil when no endpoint is
// announced to. An announcement exporter that cannot be built is left out
// and listed as a problem; it never fails the generation. c.mu held.
func (c *Component) buildAnnouncer(ctx context.Context, cfg Config, eps []Endpoint) *announcer {
	targets, ps := announceTargets(cfg.InFlight, eps)
	sinks, err := acquireSinks(c, targets, c.annSinks, true, func(ep Endpoint) (*logSink, error) {
		return c.newLogSinkFor(ctx, ep, cfg, "announcements", &c.annTotals)
	})
	if err != nil {
		ps = append(ps, Problem{Setting: "inflight", Reason: err.Error(), Using: "the announcement endpoints that could be built"})
	}
	for _, p := range ps {
		c.addProblemLocked(p)
	}
	if len(sinks) == 0 {
		return nil
	}
	a := newAnnouncer(c, sinks)
	c.bg.Go(a.run)
	return a
}

// addProblemLocked lists p in Status.Problems and logs it, once however
// often the pipelines are rebuilt. c.mu held.
func (c *Component) addProblemLocked(p Problem) {
	if slices.Contains(c.problems, p) {
		return
	}
	c.problems = append(c.problems, p)
	c.diag.Warn("telemetry configuration problem", "component", c.name, "problem", p.Error())
}
