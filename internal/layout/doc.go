// Package layout checks the module's import rules, which ARCHITECTURE.md
// draws: its test (run by .ci/run's go test ./...) reads the import graph
// of the module's packages, as built (without tests), with
// `go list -e -deps -json ./...`, and fails for every package that
// imports, directly or through others, what a rule forbids it. The rules
// are the table [Rules], one line each:
//
//   - The instrumentation packages (plan, device and device/sim, task,
//     httptrace, and remote, the device proxy: the package itself, not its
//     device-host sub-package) import only the OpenTelemetry API, so a
//     program can bring its own SDK: not the SDK
//     (go.opentelemetry.io/otel/sdk/...), not the telemetry core
//     (github.com/sightline-dev/sightline/telemetry and the packages under
//     it, which build on it, but for its API-only sub-packages
//     telemetry/topic and telemetry/attrs), not SQLite
//     (modernc.org/sqlite/...).
//   - The telemetry core (telemetry and everything under it) imports
//     nothing of the binary's: not the collector, store, web, serve,
//     importer or demo packages (internal/otlp, internal/store,
//     internal/web, internal/serve, internal/importer, internal/demo).
//   - Nothing imports a command (cmd/...).
//
// A failure names the rule, the offending package, the forbidden package
// it reaches and the chain of imports that reaches it: for each path from
// the package, the first forbidden package on it.
package layout
