package telemetry

import (
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Option configures Setup. The With* functions of this file make them; a
// nil Option is ignored. Options that change a setting form the "code"
// layer of the configuration: they win over the environment and lose to
// stored properties (WithProperties) and runtime changes (Control), see
// Setup.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// ProviderFactory builds an SDK TracerProvider from sightline's options
// (resource, sampler, span processors). Setup calls it once per pipeline
// generation (at start and after every endpoint change); it may add options
// of its own (span limits, an ID generator, a processor created anew on each
// call) and must pass sightline's on.
type ProviderFactory func(opts ...sdktrace.TracerProviderOption) *sdktrace.TracerProvider

type options struct {
	component    string
	serviceName  string
	namespace    string
	instanceID   string
	attrs        []attribute.KeyValue
	getenv       Getenv
	code         []func(*Config)
	properties   map[string][]string
	strict       bool
	global       bool
	factory      ProviderFactory
	drainTimeout time.Duration
	localLog     slog.Handler
}

// WithComponent names the component for runtime control (admin routes,
// Status). Default: the instance id if one is given, else the service name.
func WithComponent(name string) Option { return optionFunc(func(o *options) { o.component = name }) }

// WithServiceName sets service.name in code; it wins over
// SIGHTLINE_TELEMETRY_SERVICE_NAME and OTEL_SERVICE_NAME (a device server
// names each device's component by its class). Properties have no service
// name, so nothing above it changes it. "" leaves the environment's (or the
// executable's) name.
func WithServiceName(name string) Option {
	return optionFunc(func(o *options) { o.serviceName = name })
}

// WithServiceNamespace sets service.namespace (default DefaultNamespace;
// "" keeps the default).
func WithServiceNamespace(ns string) Option { return optionFunc(func(o *options) { o.namespace = ns }) }

// WithInstanceID sets service.instance.id (default host-pid; "" keeps the
// default). It also names the component when WithComponent is not given.
func WithInstanceID(id string) Option { return optionFunc(func(o *options) { o.instanceID = id }) }

// WithResourceAttributes adds resource attributes; they win over
// OTEL_RESOURCE_ATTRIBUTES, and the service name, namespace and instance id
// options win over them.
func WithResourceAttributes(attrs ...attribute.KeyValue) Option {
	return optionFunc(func(o *options) { o.attrs = append(o.attrs, attrs...) })
}

// WithEnv reads the environment through getenv instead of os.LookupEnv
// (nil means os.LookupEnv), for tests and programs that keep their own
// environment. The environment is the lowest layer above the defaults.
func WithEnv(getenv Getenv) Option { return optionFunc(func(o *options) { o.getenv = getenv }) }

// WithConfig changes the configuration in code: f gets the configuration
// read from the environment and changes what the program wants as its
// default. Stored properties and runtime changes still win over it (so an
// operator's persisted setting survives a restart); settings it changes are
// reported with source "code". Several WithConfig run in order. If the
// result is not valid, each problem is reported (Status.Problems) and the
// code layer as a whole is ignored.
func WithConfig(f func(*Config)) Option {
	return optionFunc(func(o *options) { o.code = append(o.code, f) })
}

// WithProperties overlays stored properties (Tango-style keys such as
// telemetry_enable and telemetry_tracing_endpoints, each a list of strings)
// over the environment and code: they are the operator's persisted
// per-component settings (telemetry/properties, the admin API's
// ?persist=1), so they win over what the program sets in code. Only runtime
// changes win over them. A bad property is a problem (Status.Problems) and
// the value from below stays. Unknown keys that do not start with
// "telemetry_" are free-form and ignored here. nil means none.
func WithProperties(props map[string][]string) Option {
	return optionFunc(func(o *options) { o.properties = props })
}

// WithStrict makes Setup fail, returning a *ConfigError and no component,
// on any configuration problem (a bad variable, code option or property),
// and fail with the error of an endpoint whose exporter cannot be built,
// instead of using a working value for the bad setting.
func WithStrict() Option { return optionFunc(func(o *options) { o.strict = true }) }

// WithGlobal makes the component the process's OpenTelemetry globals: its
// TracerProvider and LoggerProvider (otel.SetTracerProvider,
// global.SetLoggerProvider), its propagator from OTEL_PROPAGATORS
// (otel.SetTextMapPropagator), and sightline's error handler, which sends
// the SDK's internal errors to the diagnostics log (otel.SetErrorHandler).
// Use it in a program's main component, for instrumentation that reads the
// globals (otelhttp, task and httptrace without explicit providers). Without
// it Setup changes no global, and a later component set up WithGlobal
// replaces them all.
func WithGlobal() Option { return optionFunc(func(o *options) { o.global = true }) }

// WithProviderFactory builds each generation's SDK TracerProvider with f.
// nil, or no option, means the process's default at Setup
// (SetDefaultProviderFactory; sdktrace.NewTracerProvider unless replaced).
func WithProviderFactory(f ProviderFactory) Option {
	return optionFunc(func(o *options) { o.factory = f })
}

// WithDrainTimeout bounds how long a replaced pipeline waits for the spans
// started before the change to end (default DefaultDrainTimeout, 15
// minutes; zero or less means the default). Spans still open then are
// counted as lost and reported.
func WithDrainTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) { o.drainTimeout = d })
}

// WithLogHandler also sends the component's slog records to h, with
// trace_id and span_id attributes added (for a local console or access
// log), whether or not OpenTelemetry logging is on. nil means none.
func WithLogHandler(h slog.Handler) Option { return optionFunc(func(o *options) { o.localLog = h }) }
