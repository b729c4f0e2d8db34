// Package otlpenctest is spans and log records made by a real SDK
// provider, for the tests and benchmarks of the OTLP encoders and
// exporters (otlpenc, otlpjson, otlphttpenc, otlpgrpcenc): one copy of
// each shape, so that the benchmarks of every package time the same data
// (docs/performance.md quotes them side by side).
//
// Every generator is deterministic but for the ids the SDK draws: the
// same n gives the same attributes, times, kinds and scopes.
package otlpenctest
