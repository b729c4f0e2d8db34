package telemetry

import "strings"

// Variable documents one environment variable that FromEnv reads.
// docs/configuration.md is checked against this list by a test.
type Variable struct {
	Name        string
	Default     string
	Allowed     string
	Description string
}

// Variables lists every environment variable sightline's telemetry reads, in
// the order docs/configuration.md shows them.
var Variables = []Variable{
	{"SIGHTLINE_TELEMETRY_ENABLE", "off", "on, off, true, false, 1, 0, yes, no",
		"Turns the component's telemetry on. Wins over OTEL_SDK_DISABLED."},
	{"SIGHTLINE_TELEMETRY_SERVICE_NAME", "the executable's name", "any text",
		"service.name of the resource, when the program does not set one in code. Wins over OTEL_SERVICE_NAME."},
	{ClientServiceNameEnv, DefaultClientServiceName, "any text",
		"service.name of a program's own client component, read by telemetry.ClientServiceName (set it with WithServiceName), as PyTango's client service name."},
	{"SIGHTLINE_TELEMETRY_TYPES", "tracing,logging", "tracing, logging, none",
		"Which signals are exported."},
	{"SIGHTLINE_TELEMETRY_TOPICS", "user", allowedTopics,
		"Which span topics are recorded; kernel spans (transport, serialisation, engine internals) are opt-in."},
	{"SIGHTLINE_TELEMETRY_TRACING_EXPORTERS", "http", registrableExporters,
		"Comma list of span exporters. Wins over OTEL_TRACES_EXPORTER."},
	{"SIGHTLINE_TELEMETRY_TRACING_ENDPOINTS", "each exporter's default", "comma list paired by position with the exporters",
		"Where each span exporter sends. Missing positions take the exporter's default; more endpoints than exporters is an error."},
	{"SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS", "http", registrableExporters,
		"Comma list of log exporters. Wins over OTEL_LOGS_EXPORTER."},
	{"SIGHTLINE_TELEMETRY_LOGGING_ENDPOINTS", "each exporter's default", "comma list paired by position with the exporters",
		"Where each log exporter sends."},
	{"SIGHTLINE_TELEMETRY_SPAN_PROCESSOR", "simple for console (and registered exporters that ask for it, such as memory), batch otherwise", "simple, batch",
		"Span and log processor for every endpoint."},
	{envOTLPExporter, OTLPExporterSightline, OTLPExporterSightline + ", " + OTLPExporterSDK,
		"Implementation of http (protobuf) and grpc endpoints: sightline's encodes OTLP straight from the spans and log records (several times less CPU and garbage per span, docs/performance.md), and a pipeline of only such endpoints and OTLP-JSON files (batch processor, no provider factory) records with sightline's own span, equal to the SDK's; sdk uses the SDK's OTLP exporters and spans, to compare or fall back. Both send the same requests and retry alike; file and http/json endpoints always use sightline's encoding."},
	{"SIGHTLINE_TELEMETRY_SYNC_EXPORT_TIMEOUT", "500 (ms)", "10 to 60000 milliseconds, or a duration such as 500ms or 2s",
		"Bound of one export by a simple processor to an http or grpc endpoint, in the goroutine that ends the span. After a failure or timeout the endpoint's items are dropped (counted) without waiting until a background probe gets through."},
	{envInFlight, "auto", "auto, on, off",
		"Which tracing endpoints get in-flight announcements of spans still open (heartbeat log records, docs/api.md): auto is http, grpc and registered exporters that carry logs (memory), not console and file; on is every endpoint whose exporter carries logs."},
	{envInFlightThreshold, "1s", durationsAllowed(minInFlightThreshold, maxInFlightThreshold),
		"How long a span is open before it is first announced."},
	{envInFlightInterval, "10s", durationsAllowed(minInFlightInterval, maxInFlightInterval),
		"Time between announcements of a span that stays open (sent as partial.frequency)."},
	{"SIGHTLINE_TELEMETRY_SAMPLER", "parentbased_always_on", allowedSamplers,
		"Sampler for new traces. Wins over OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG."},
	{"SIGHTLINE_TELEMETRY_SDK_LOG_LEVEL", "warning", allowedLevels + " (warn, fatal accepted; notset, as PyTango's, means the default warning)",
		"Lowest level of sightline's own diagnostics: export errors (deduplicated, rate-limited) and configuration warnings."},
	{"OTEL_SDK_DISABLED", "false", "true, false",
		"true turns telemetry off when SIGHTLINE_TELEMETRY_ENABLE is not set."},
	{"OTEL_SERVICE_NAME", "", "any text",
		"service.name when SIGHTLINE_TELEMETRY_SERVICE_NAME is not set. Wins over service.name in OTEL_RESOURCE_ATTRIBUTES."},
	{"OTEL_RESOURCE_ATTRIBUTES", "", "key=value pairs, comma separated, values percent-encoded",
		"Extra resource attributes."},
	{"OTEL_TRACES_EXPORTER", "otlp", "otlp, console, none (comma list)",
		"Span exporters when SIGHTLINE_TELEMETRY_TRACING_EXPORTERS is not set; otlp means http or grpc by OTEL_EXPORTER_OTLP_PROTOCOL."},
	{"OTEL_LOGS_EXPORTER", "otlp", "otlp, console, none (comma list)",
		"Log exporters when SIGHTLINE_TELEMETRY_LOGGING_EXPORTERS is not set."},
	{"OTEL_TRACES_SAMPLER", "parentbased_always_on", "always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio",
		"Sampler when SIGHTLINE_TELEMETRY_SAMPLER is not set."},
	{"OTEL_TRACES_SAMPLER_ARG", "1", "a number from 0 to 1",
		"Ratio for the traceidratio samplers."},
	{"OTEL_EXPORTER_OTLP_ENDPOINT", "", "an http(s) URL (grpc:// for the grpc exporter also accepted)",
		"Default endpoint of the http and grpc exporters; /v1/traces or /v1/logs is appended for http."},
	{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "", "a URL, used as given",
		"Default endpoint of the span exporters; wins over OTEL_EXPORTER_OTLP_ENDPOINT."},
	{"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "", "a URL, used as given",
		"Default endpoint of the log exporters; wins over OTEL_EXPORTER_OTLP_ENDPOINT."},
	{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "grpc, http/protobuf, http/json",
		"What otlp means in OTEL_*_EXPORTER; http/json also makes every http endpoint send JSON."},
	{"OTEL_EXPORTER_OTLP_HEADERS", "", "key=value pairs, comma separated, values percent-encoded",
		"Headers sent with every OTLP export."},
	{"OTEL_EXPORTER_OTLP_TIMEOUT", "10000 (ms)", "10 to 600000 milliseconds (a duration such as 10s also accepted)",
		"Bound of one export by a batch processor to an http or grpc endpoint, retries included."},
	{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT", "as OTEL_EXPORTER_OTLP_TIMEOUT",
		"The same for span exporters; wins over OTEL_EXPORTER_OTLP_TIMEOUT."},
	{"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT", "as OTEL_EXPORTER_OTLP_TIMEOUT",
		"The same for log exporters; wins over OTEL_EXPORTER_OTLP_TIMEOUT."},
	{"OTEL_PROPAGATORS", "tracecontext,baggage", "tracecontext, baggage, b3, b3multi, jaeger, xray, ottrace, none",
		"Text-map propagators of the component (Component.Propagator), installed as the global propagator only with WithGlobal."},
	{"OTEL_EXPERIMENTAL_RESOURCE_DETECTORS", "", "process, host, os, container (comma list)",
		"Adds detected resource attributes (process: runtime, command line, owner; host: host.id, host.arch; ...)."},
}

// registrableExporters describes the exporter names in the docs: the
// built-in ones and those added with RegisterExporter.
const registrableExporters = "console, file, http, grpc, none, or a registered name (memory, with package sightlinetest)"

// ClientServiceNameEnv names the service.name of a device client's own
// telemetry component, as PyTango's client service name: a program that
// only calls devices (remote.Dial takes its providers, or the globals) sets
// up its component with WithServiceName(ClientServiceName(getenv)).
const ClientServiceNameEnv = "SIGHTLINE_TELEMETRY_CLIENT_SERVICE_NAME"

// DefaultClientServiceName is a device client's service.name when
// ClientServiceNameEnv is not set.
const DefaultClientServiceName = "sightline.client"

// ClientServiceName is the service.name a device client's own component
// takes: ClientServiceNameEnv, else DefaultClientServiceName.
func ClientServiceName(getenv Getenv) string {
	if v, ok := getenv(ClientServiceNameEnv); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return DefaultClientServiceName
}
