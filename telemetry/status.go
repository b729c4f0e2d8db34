package telemetry

import "slices"

// Status is a component's effective configuration with the source of every
// setting, the health and counters of every endpoint, and span and log
// counters.
type Status struct {
	Component string    `json:"component"`
	Enabled   bool      `json:"enabled"`
	Tracing   bool      `json:"tracing"`
	Logging   bool      `json:"logging"`
	Topics    []string  `json:"topics"`
	Sampler   Sampler   `json:"sampler"`
	Settings  []Setting `json:"settings"`
	// Problems lists the configuration problems found: each bad variable,
	// code option or property Setup met (its value, what is allowed, and
	// what was used instead), then each endpoint whose exporter could not
	// be built when the pipelines were built. Empty (never null in JSON)
	// when there are none. Runtime changes that are refused are answered to
	// their caller, not listed here; a later change does not clear a
	// problem.
	Problems []Problem `json:"problems"`
	// Endpoints lists every endpoint with a pipeline: the configured ones
	// (Active) and removed ones still draining spans started before.
	Endpoints []EndpointStatus `json:"endpoints"`
	Spans     SpanCounters     `json:"spans"`
	Logs      LogCounters      `json:"logs"`
	// InFlight is the state of in-flight announcing: its settings, its
	// counters and its endpoints.
	InFlight InFlightStatus `json:"inflight"`
	// DrainingPipelines counts replaced pipelines still waiting for their
	// spans to end.
	DrainingPipelines int64 `json:"draining_pipelines"`
}

// SpanCounters counts the component's recorded spans. Exported, Failed and
// Dropped are summed over endpoints (a span sent to two endpoints counts
// twice) and include endpoints since removed; per-endpoint counts are in
// EndpointStatus.
type SpanCounters struct {
	Started  uint64 `json:"started"`
	Ended    uint64 `json:"ended"`
	Exported uint64 `json:"exported"`
	Failed   uint64 `json:"failed"`
	Dropped  uint64 `json:"dropped"`
	// Lost counts spans still open when their pipeline had to shut down
	// (drain timeout or component shutdown).
	Lost uint64 `json:"lost"`
	// Recorder is what records the current pipeline's spans: "sightline"
	// (sightline's own span, encoded into the export request when it ends:
	// every endpoint one of sightline's OTLP exporters, http, grpc or an
	// OTLP-JSON file, with a batch processor, and no ProviderFactory) or
	// "sdk" (the OpenTelemetry SDK's span and processors: every other
	// pipeline).
	// Empty when there is no traces pipeline.
	Recorder string `json:"recorder,omitempty"`
}

// LogCounters counts the component's log records, like SpanCounters.
type LogCounters struct {
	Emitted  uint64 `json:"emitted"`
	Exported uint64 `json:"exported"`
	Failed   uint64 `json:"failed"`
	Dropped  uint64 `json:"dropped"`
}

// Status returns the component's status.
func (k *Control) Status() Status {
	c := k.c
	st := c.state.Load()
	s := Status{
		Component: c.name, Enabled: st.enabled, Tracing: st.tracing, Logging: st.logging,
		Topics: st.topics.List(), Sampler: c.sampler.get(),
		Spans: SpanCounters{Started: c.spansStarted.Load(), Ended: c.spansEnded.Load(), Lost: c.spansLost.Load(),
			Exported: c.spanTotals.exported.Load(), Failed: c.spanTotals.failed.Load(), Dropped: c.spanTotals.dropped.Load()},
		Logs: LogCounters{Emitted: c.logsEmitted.Load(), Exported: c.logTotals.exported.Load(),
			Failed: c.logTotals.failed.Load(), Dropped: c.logTotals.dropped.Load()},
		DrainingPipelines: c.draining.Load(),
	}
	switch {
	case st.traces == nil:
	case st.traces.lean != nil:
		s.Spans.Recorder = RecorderSightline
	default:
		s.Spans.Recorder = RecorderSDK
	}
	c.mu.Lock()
	s.Settings = settingsOf(c.cfg, c.src)
	s.Problems = append(make([]Problem, 0, len(c.problems)), c.problems...)
	s.InFlight = c.inFlightStatusLocked()
	for _, ep := range c.cfg.TracingEndpoints {
		if sk := c.spanSinks[ep]; sk != nil {
			s.Endpoints = append(s.Endpoints, sk.status(true))
		}
	}
	for ep, sk := range c.spanSinks {
		if !slices.Contains(c.cfg.TracingEndpoints, ep) {
			s.Endpoints = append(s.Endpoints, sk.status(false))
		}
	}
	for _, ep := range c.cfg.LoggingEndpoints {
		if sk := c.logSinks[ep]; sk != nil {
			s.Endpoints = append(s.Endpoints, sk.status(true))
		}
	}
	for ep, sk := range c.logSinks {
		if !slices.Contains(c.cfg.LoggingEndpoints, ep) {
			s.Endpoints = append(s.Endpoints, sk.status(false))
		}
	}
	c.mu.Unlock()
	return s
}
