// Package otlpenum maps onto OTLP's enumerations, as pdata holds them
// (ptrace.SpanKind, ptrace.StatusCode, plog.SeverityNumber), from the
// OpenTelemetry Go API's values (the SDK-to-OTLP encoders of
// telemetry/internal/otlpjson) and from their names as OpenTelemetry
// Python's console output writes them (internal/importer): one table for
// both, so an encoder and a decoder cannot disagree.
//
// It imports only the OpenTelemetry API and pdata, so the telemetry core
// may import it (the module's import rules, internal/layout).
//
// Names are read in any case, with or without their Python class prefix:
// "SpanKind.SERVER", "server"; "StatusCode.ERROR", "ERROR";
// "SeverityNumber.WARN2", "warn2", "UNSPECIFIED". The prefix itself must
// be written as shown.
package otlpenum

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/trace"
)

// SpanKind maps an API span kind onto OTLP's; an unknown or unspecified
// kind is SpanKindUnspecified.
func SpanKind(k trace.SpanKind) ptrace.SpanKind {
	switch k {
	case trace.SpanKindInternal:
		return ptrace.SpanKindInternal
	case trace.SpanKindServer:
		return ptrace.SpanKindServer
	case trace.SpanKindClient:
		return ptrace.SpanKindClient
	case trace.SpanKindProducer:
		return ptrace.SpanKindProducer
	case trace.SpanKindConsumer:
		return ptrace.SpanKindConsumer
	default:
		return ptrace.SpanKindUnspecified
	}
}

// spanKinds are the span kinds by their upper-case names.
var spanKinds = map[string]ptrace.SpanKind{
	"INTERNAL": ptrace.SpanKindInternal, "SERVER": ptrace.SpanKindServer, "CLIENT": ptrace.SpanKindClient,
	"PRODUCER": ptrace.SpanKindProducer, "CONSUMER": ptrace.SpanKindConsumer,
}

// SpanKindNamed reads a span kind's name: "SpanKind.SERVER", "server", ...
// ok is false for any other name ("UNSPECIFIED" included: Python has no
// such member).
func SpanKindNamed(name string) (k ptrace.SpanKind, ok bool) {
	k, ok = spanKinds[strings.ToUpper(strings.TrimPrefix(name, "SpanKind."))]
	return k, ok
}

// StatusCode maps an API status code onto OTLP's; an unknown code is
// StatusCodeUnset.
func StatusCode(c codes.Code) ptrace.StatusCode {
	switch c {
	case codes.Ok:
		return ptrace.StatusCodeOk
	case codes.Error:
		return ptrace.StatusCodeError
	default:
		return ptrace.StatusCodeUnset
	}
}

// statusCodes are the status codes by their upper-case names.
var statusCodes = map[string]ptrace.StatusCode{"UNSET": ptrace.StatusCodeUnset, "OK": ptrace.StatusCodeOk, "ERROR": ptrace.StatusCodeError}

// StatusCodeNamed reads a status code's name: "UNSET", "OK", "ERROR",
// "StatusCode.OK", ...; ok is false for any other name.
func StatusCodeNamed(name string) (c ptrace.StatusCode, ok bool) {
	c, ok = statusCodes[strings.ToUpper(strings.TrimPrefix(name, "StatusCode."))]
	return c, ok
}

// Severity maps an API log severity onto OTLP's severity number: both
// enumerate the same 24 levels with the same numbers; anything outside
// them is SeverityNumberUnspecified.
func Severity(s log.Severity) plog.SeverityNumber {
	if s < log.SeverityTrace1 || s > log.SeverityFatal4 {
		return plog.SeverityNumberUnspecified
	}
	return plog.SeverityNumber(s)
}

// severities are the severity numbers by their upper-case names: TRACE
// (1), TRACE2 ... FATAL4 (24), and UNSPECIFIED (0).
var severities = func() map[string]plog.SeverityNumber {
	m := map[string]plog.SeverityNumber{"UNSPECIFIED": plog.SeverityNumberUnspecified}
	for i, name := range []string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"} {
		base := plog.SeverityNumber(4*i + 1)
		m[name] = base
		for k := range plog.SeverityNumber(3) {
			m[name+string(rune('2'+k))] = base + k + 1
		}
	}
	return m
}()

// SeverityNamed reads a severity number's name: "INFO", "WARN2",
// "SeverityNumber.FATAL4", "UNSPECIFIED", ...; ok is false for any other
// name.
func SeverityNamed(name string) (n plog.SeverityNumber, ok bool) {
	n, ok = severities[strings.ToUpper(strings.TrimPrefix(name, "SeverityNumber."))]
	return n, ok
}
