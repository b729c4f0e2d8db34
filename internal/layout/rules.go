package layout

// Module is the module whose packages the rules speak of.
const Module = "github.com/sightline-dev/sightline"

// Rule forbids some packages to import others, directly or through any
// chain of imports.
type Rule struct {
	// Name says what the rule keeps apart, for the failure message.
	Name string
	// Why says what breaking it costs, for the failure message.
	Why string
	// Packages are the packages the rule applies to, as patterns: an
	// import path matches itself, and "path/..." matches path and every
	// package under it.
	Packages []string
	// Forbidden are the packages they must not reach, as patterns.
	Forbidden []string
	// Allowed are exceptions to Forbidden, as patterns.
	Allowed []string
}

// m is a pattern of the module's: m("plan/...").
func m(rel string) string { return Module + "/" + rel }

// Rules are the module's import rules (see the package documentation).
var Rules = []Rule{
	{
		Name:      "instrumentation imports only the OpenTelemetry API",
		Why:       "a program that uses plan, device, task, httptrace or the device proxy brings its own SDK, and gets no SQLite",
		Packages:  []string{m("plan/..."), m("device/..."), m("task/..."), m("httptrace/..."), m("remote")},
		Forbidden: []string{"go.opentelemetry.io/otel/sdk/...", m("telemetry/..."), "modernc.org/sqlite/..."},
		Allowed:   []string{m("telemetry/topic"), m("telemetry/attrs")},
	},
	{
		Name:      "the telemetry core imports nothing of the binary",
		Why:       "a program that sets up telemetry gets no collector, store or viewer",
		Packages:  []string{m("telemetry/...")},
		Forbidden: []string{m("internal/otlp/..."), m("internal/store/..."), m("internal/web/..."), m("internal/serve/..."), m("internal/importer/..."), m("internal/demo/...")},
	},
	{
		Name:      "nothing imports a command",
		Why:       "a command's logic belongs in a package that others can import",
		Packages:  []string{m("...")},
		Forbidden: []string{m("cmd/...")},
	},
}
