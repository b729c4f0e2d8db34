package remote

// The types of a device's telemetry as the proxy reads and changes it
// (DeviceTelemetry). They carry the JSON of the telemetry admin API
// (docs/admin-api.md) that a device server answers for each device, and
// need no SDK: a program that only calls devices controls their telemetry
// without the telemetry package.

// TelemetryEndpoint is one place a device's spans or logs go: an exporter
// (console, file, http, grpc, none, or one the server registered) and its
// URL ("" means the exporter's default).
type TelemetryEndpoint struct {
	Exporter string `json:"exporter"`
	URL      string `json:"url"`
}

// TelemetrySampler is the sampler of a device's new traces: a name
// (always_on, always_off, traceidratio, parentbased_always_on,
// parentbased_always_off, parentbased_traceidratio) and, for the ratio
// samplers, the fraction of traces kept, from 0 to 1. A sampler set with
// no name is parentbased_traceidratio of Ratio.
type TelemetrySampler struct {
	Name  string  `json:"name"`
	Ratio float64 `json:"ratio"`
}

// TelemetryProblem is a bad telemetry setting of the device (a variable,
// option or property), its value, why it was refused and what is used
// instead.
type TelemetryProblem struct {
	Setting string `json:"setting"`
	Value   string `json:"value"`
	Reason  string `json:"reason"`
	Allowed string `json:"allowed,omitempty"`
	Using   string `json:"using,omitempty"`
}

// TelemetryStatus is a device's telemetry as its server reports it: the
// part of the admin API's status a Tango user checks (telemetry/admin
// gives the whole, with settings, counters and endpoint health).
type TelemetryStatus struct {
	// Component is the device's name.
	Component string `json:"component"`
	// Enabled is the device's telemetry switch (start/stop).
	Enabled bool `json:"enabled"`
	// Tracing and Logging say whether spans and log records are exported.
	Tracing bool `json:"tracing"`
	Logging bool `json:"logging"`
	// Topics are the span topics recorded: user, kernel, or none.
	Topics []string `json:"topics"`
	// Sampler is the sampler of new traces.
	Sampler TelemetrySampler `json:"sampler"`
	// Problems lists the bad settings the device runs without; nil when
	// none.
	Problems []TelemetryProblem `json:"problems"`
}
