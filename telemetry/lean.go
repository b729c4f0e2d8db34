package telemetry

import (
	"sync/atomic"

	"github.com/sightline-dev/sightline/telemetry/internal/leanspan"
)

// The lean span path (issue 19). A traces generation whose endpoints all
// export through sightline's OTLP exporters (http, protobuf or JSON; grpc;
// an OTLP-JSON file) with a batch processor, in a component without a
// provider factory, records spans with leanspan instead of the SDK: a span
// that behaves as the SDK's in every field (leanspan's TestEquivalence),
// encoded from its getters soon after it ends into each endpoint's batch
// of request bytes (spanBatcher, sink_lean.go), with no snapshot and
// nothing of the span kept. It costs about half the SDK span's time and a
// third of its allocations (docs/performance.md). Anything else (console
// and console-JSON files, registered exporters, simple processors, a
// ProviderFactory, SIGHTLINE_TELEMETRY_OTLP_EXPORTER=sdk) keeps the SDK's
// provider, so every SDK extension point still works where it is asked
// for. Gates, the sampler holder, topics, generations, counters, queue
// bounds, drops and in-flight announcing are the same on both paths.

// The values of SpanCounters.Recorder.
const (
	RecorderSightline = "sightline"
	RecorderSDK       = "sdk"
)

// leanPath reports whether a traces generation over sinks, built from
// cfg, records with leanspan: not with a provider factory, nor when cfg
// asks for the SDK's exporters (and so its spans, to compare or fall back
// with file endpoints too). c.mu held.
func (c *Component) leanPath(cfg Config, sinks []*spanSink) bool {
	if c.opts.factory != nil || cfg.otlpExporter() == OTLPExporterSDK {
		return false
	}
	for _, s := range sinks {
		if s.lean == nil {
			return false
		}
	}
	return true
}

// leanHooks are the lean path's span processor: genProcessor's work for
// leanspan spans.
type leanHooks struct {
	g       *generation
	sinks   []*spanSink
	started *atomic.Uint64
	ended   *atomic.Uint64
	live    *liveSet // the generation's in-flight announcer's; nil: none
}

func (h *leanHooks) onStart(s *leanspan.Span) {
	h.started.Add(1)
	if h.live != nil {
		h.live.add(s)
	}
}

func (h *leanHooks) onEnd(s *leanspan.Span) {
	if s.SpanContext().IsSampled() {
		for _, k := range h.sinks {
			if k.admit(1) {
				k.lean.add(s)
			}
		}
	}
	h.ended.Add(1)
	h.g.release()
}

// leanProvider is the leanspan provider of a generation: the component's
// sampler holder and resource, the SDK's span limits (read from the
// environment as the SDK's provider reads them) and the hooks.
func (c *Component) leanProvider(h *leanHooks) *leanspan.Provider {
	return leanspan.NewProvider(leanspan.Config{Sampler: c.sampler, Resource: c.res,
		OnStart: h.onStart, OnEnd: h.onEnd})
}
