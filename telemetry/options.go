package telemetry

import (
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Option configures Setup.
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
// names each device's component by its class).
func WithServiceName(name string) Option {
	return optionFunc(func(o *options) { o.serviceName = name })
}

// WithServiceNamespace sets service.namespace (default DefaultNamespace).
func WithServiceNamespace(ns string) Option { return optionFunc(func(o *options) { o.namespace = ns }) }

// WithInstanceID sets service.instance.id (default host-pid).
func WithInstanceID(id string) Option { return optionFunc(func(o *options) { o.instanceID = id }) }

// WithResourceAttributes adds resource attributes; they win over
// OTEL_RESOURCE_ATTRIBUTES, and the service name, namespace and instance id
// options win over them.
func WithResourceAttributes(attrs ...attribute.KeyValue) Option {
	return optionFunc(func(o *options) { o.attrs = append(o.attrs, attrs...) })
}

// WithEnv reads the environment through getenv instead of os.LookupEnv.
func WithEnv(getenv Getenv) Option { return optionFunc(func(o *options) { o.getenv = getenv }) }

// WithConfig changes the configuration in code, after the environment and
// before stored properties. Settings it changes are reported with source
// "code".
func WithConfig(f func(*Config)) Option {
	return optionFunc(func(o *options) { o.code = append(o.code, f) })
}

// WithProperties overlays stored properties (Tango-style keys such as
// telemetry_enable and telemetry_tracing_endpoints, each a list of strings)
// over the environment and code. Unknown keys that do not start with
// "telemetry_" are free-form and ignored here.
func WithProperties(props map[string][]string) Option {
	return optionFunc(func(o *options) { o.properties = props })
}

// WithStrict makes Setup fail on any configuration problem instead of
// using the default for the bad setting.
func WithStrict() Option { return optionFunc(func(o *options) { o.strict = true }) }

// WithGlobal registers the component's providers as the OpenTelemetry global
// TracerProvider and LoggerProvider, for instrumentation that uses the
// globals (otelhttp, say).
func WithGlobal() Option { return optionFunc(func(o *options) { o.global = true }) }

// WithProviderFactory builds each generation's SDK TracerProvider with f.
func WithProviderFactory(f ProviderFactory) Option {
	return optionFunc(func(o *options) { o.factory = f })
}

// WithDrainTimeout bounds how long a replaced pipeline waits for the spans
// started before the change to end (default 15 minutes). Spans still open
// then are counted as lost and reported.
func WithDrainTimeout(d time.Duration) Option {
	return optionFunc(func(o *options) { o.drainTimeout = d })
}

// WithLogHandler also sends the component's slog records to h, with
// trace_id and span_id attributes added (for a local console or access
// log), whether or not OpenTelemetry logging is on.
func WithLogHandler(h slog.Handler) Option { return optionFunc(func(o *options) { o.localLog = h }) }
