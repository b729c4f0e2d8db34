package telemetry

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// SpanExporterFactory builds the span exporter of one endpoint of a
// registered exporter. ep is in normal form: its URL passed the exporter's
// URL check (WithURLCheck) and took its default (WithDefaultURL) when empty.
// ctx is the context of Setup or of the runtime change that needs the
// exporter; the exporter may outlive it. A returned error leaves the
// endpoint out, reported like an http endpoint that cannot be built.
type SpanExporterFactory func(ctx context.Context, ep Endpoint) (sdktrace.SpanExporter, error)

// LogExporterFactory builds the log exporter of one endpoint of a
// registered exporter, like SpanExporterFactory.
type LogExporterFactory func(ctx context.Context, ep Endpoint) (sdklog.Exporter, error)

// ExporterOption configures RegisterExporter. The With* functions below
// that return one make them; they are not options of Setup.
type ExporterOption interface{ applyExporter(*registered) }

type exporterOption func(*registered)

func (f exporterOption) applyExporter(r *registered) { f(r) }

// WithSimpleProcessor makes the exporter's endpoints use a simple
// processor unless SIGHTLINE_TELEMETRY_SPAN_PROCESSOR says otherwise: each
// span is exported in the goroutine that ends it (each log record in the
// one that emits it), so it is there as soon as End returns, as for
// console. Without it they use a batch processor.
func WithSimpleProcessor() ExporterOption {
	return exporterOption(func(r *registered) { r.simple = true })
}

// WithDefaultURL is the URL an endpoint of the exporter gets when none is
// given. Without it the URL stays "".
func WithDefaultURL(url string) ExporterOption {
	return exporterOption(func(r *registered) { r.defaultURL = url })
}

// WithURLCheck checks an endpoint's URL (after the default is applied) and
// returns it in normal form. A returned error refuses the endpoint with its
// text as the reason, and allowed (a short description of what is
// accepted, such as "a name of letters and digits") as what is allowed.
// Without it every URL without a comma is accepted as given.
func WithURLCheck(allowed string, check func(url string) (string, error)) ExporterOption {
	return exporterOption(func(r *registered) { r.allowedURL, r.checkURL = allowed, check })
}

// registered is one exporter added with RegisterExporter.
type registered struct {
	spans      SpanExporterFactory
	logs       LogExporterFactory
	simple     bool
	defaultURL string
	allowedURL string
	checkURL   func(string) (string, error)
}

// builtinExporters are the exporters the core provides, in the order
// messages list them ("none" comes last, after the registered ones).
var builtinExporters = []string{ExporterConsole, ExporterFile, ExporterHTTP, ExporterGRPC, ExporterNone}

// reservedExporters cannot be registered: the built-in names, and otlp,
// which the OTEL_*_EXPORTER variables use for http or grpc.
var reservedExporters = append([]string{"otlp"}, builtinExporters...)

var exporterName = regexp.MustCompile(`^[a-z][a-z0-9._-]*$`)

// ErrExporterRegistered is returned by RegisterExporter for a name that is
// built in or already registered.
var ErrExporterRegistered = errors.New("exporter name already taken")

// exporterRegistry holds the registered exporters. The zero value is empty
// and ready; it is safe for concurrent use.
type exporterRegistry struct {
	mu sync.RWMutex
	m  map[string]*registered
}

// exporters is the process's registry.
var exporters exporterRegistry

// RegisterExporter makes name an exporter that endpoints can name in
// SIGHTLINE_TELEMETRY_{TRACING,LOGGING}_EXPORTERS, stored properties, the
// admin API and Control, like the built-in ones, in the style of
// OpenTelemetry contrib's autoexport. spans builds its span exporter for
// one endpoint, logs its log exporter; either may be nil when the exporter
// carries only the other signal (an endpoint of the missing signal is then
// refused), not both. Package sightlinetest registers "memory" this way.
//
// name is lower case: a letter, then letters, digits, '.', '_' or '-'.
// The built-in names (console, file, http, grpc, none) and otlp cannot be
// registered, nor can a name twice; the error wraps ErrExporterRegistered.
// A registration lasts until the process ends; it is safe for concurrent
// use, and takes effect for endpoints checked after it returns (typically,
// call it from an init function, before any Setup).
func RegisterExporter(name string, spans SpanExporterFactory, logs LogExporterFactory, opts ...ExporterOption) error {
	return exporters.register(name, spans, logs, opts...)
}

func (reg *exporterRegistry) register(name string, spans SpanExporterFactory, logs LogExporterFactory, opts ...ExporterOption) error {
	if !exporterName.MatchString(name) {
		return fmt.Errorf("register exporter %q: want a lower-case name: a letter, then letters, digits, '.', '_' or '-'", name)
	}
	if spans == nil && logs == nil {
		return fmt.Errorf("register exporter %q: no span and no log factory", name)
	}
	if slices.Contains(reservedExporters, name) {
		return fmt.Errorf("register exporter %q: %w (built in)", name, ErrExporterRegistered)
	}
	r := &registered{spans: spans, logs: logs}
	for _, o := range opts {
		if o != nil {
			o.applyExporter(r)
		}
	}
	reg.mu.Lock()
	defer reg.mu.Unlock()
	if _, ok := reg.m[name]; ok {
		return fmt.Errorf("register exporter %q: %w (registered before)", name, ErrExporterRegistered)
	}
	if reg.m == nil {
		reg.m = map[string]*registered{}
	}
	reg.m[name] = r
	return nil
}

// lookup returns the registered exporter called name, or nil.
func (reg *exporterRegistry) lookup(name string) *registered {
	reg.mu.RLock()
	defer reg.mu.RUnlock()
	return reg.m[name]
}

// names lists every exporter name endpoints may use now: the built-in ones,
// then the registered ones sorted, then none.
func (reg *exporterRegistry) names() []string {
	reg.mu.RLock()
	extra := make([]string, 0, len(reg.m))
	for n := range reg.m {
		extra = append(extra, n)
	}
	reg.mu.RUnlock()
	slices.Sort(extra)
	out := slices.Clone(builtinExporters[:len(builtinExporters)-1])
	out = append(out, extra...)
	return append(out, ExporterNone)
}

// Exporters lists the exporter names ParseEndpoint accepts now: console,
// file, http, grpc, those added with RegisterExporter (sorted), and none.
func Exporters() []string { return exporters.names() }

// allowedExporters is Exporters as the "allowed" text of a message.
func allowedExporters() string { return strings.Join(exporters.names(), ", ") }

// knownExporter reports whether name (any case) is built in or registered.
func knownExporter(name string) bool {
	name = strings.ToLower(strings.TrimSpace(name))
	return slices.Contains(builtinExporters, name) || exporters.lookup(name) != nil
}

// parse checks an endpoint of a registered exporter.
func (r *registered) parse(signal Signal, name, rawURL string) (Endpoint, error) {
	if signal == SignalTraces && r.spans == nil || signal == SignalLogs && r.logs == nil {
		return Endpoint{}, badValue(exportersOf(signal), "exporter %q carries no %s", name, signal)
	}
	if r.checkURL == nil {
		return Endpoint{name, rawURL}, nil
	}
	u, err := r.checkURL(rawURL)
	if err != nil {
		return Endpoint{}, badValue(r.allowedURL, "%s endpoint %q: %v", name, rawURL, err)
	}
	return Endpoint{name, u}, nil
}

// exportersOf lists the exporters that carry signal.
func exportersOf(signal Signal) string {
	var out []string
	for _, n := range exporters.names() {
		r := exporters.lookup(n)
		if r == nil || signal == SignalTraces && r.spans != nil || signal == SignalLogs && r.logs != nil {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}
