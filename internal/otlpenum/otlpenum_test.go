package otlpenum

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/trace"
)

// TestValuesAndNamesAgree: every API value maps to the OTLP value its name
// reads as, so the encoder (values) and the importer (names) agree.
func TestValuesAndNamesAgree(t *testing.T) {
	for k, name := range map[trace.SpanKind]string{trace.SpanKindInternal: "INTERNAL", trace.SpanKindServer: "SERVER",
		trace.SpanKindClient: "CLIENT", trace.SpanKindProducer: "PRODUCER", trace.SpanKindConsumer: "CONSUMER"} {
		for _, n := range []string{name, "SpanKind." + name, "spanKind." + name} {
			got, ok := SpanKindNamed(n)
			if n == "spanKind."+name {
				if ok {
					t.Errorf("SpanKindNamed(%q) read a prefix in the wrong case", n)
				}
				continue
			}
			if !ok || got != SpanKind(k) || got.String() != titled(name) {
				t.Errorf("SpanKindNamed(%q) = %v, %v; SpanKind(%v) = %v", n, got, ok, k, SpanKind(k))
			}
		}
	}
	if SpanKind(trace.SpanKindUnspecified) != ptrace.SpanKindUnspecified || SpanKind(99) != ptrace.SpanKindUnspecified {
		t.Error("an unspecified or unknown kind is not Unspecified")
	}
	for _, bad := range []string{"", "SIDEWAYS", "SpanKind.", "UNSPECIFIED"} {
		if k, ok := SpanKindNamed(bad); ok {
			t.Errorf("SpanKindNamed(%q) = %v", bad, k)
		}
	}

	for c, name := range map[codes.Code]string{codes.Unset: "UNSET", codes.Ok: "OK", codes.Error: "ERROR"} {
		for _, n := range []string{name, "StatusCode." + name, "StatusCode." + lower(name)} {
			if got, ok := StatusCodeNamed(n); !ok || got != StatusCode(c) {
				t.Errorf("StatusCodeNamed(%q) = %v, %v; StatusCode(%v) = %v", n, got, ok, c, StatusCode(c))
			}
		}
	}
	if StatusCode(99) != ptrace.StatusCodeUnset {
		t.Error("an unknown code is not Unset")
	}
	if c, ok := StatusCodeNamed("FINE"); ok {
		t.Errorf("StatusCodeNamed(FINE) = %v", c)
	}

	names := []string{"TRACE", "TRACE2", "TRACE3", "TRACE4", "DEBUG", "DEBUG2", "DEBUG3", "DEBUG4", "INFO", "INFO2", "INFO3", "INFO4",
		"WARN", "WARN2", "WARN3", "WARN4", "ERROR", "ERROR2", "ERROR3", "ERROR4", "FATAL", "FATAL2", "FATAL3", "FATAL4"}
	for i, name := range names {
		s := log.Severity(i + 1)
		for _, n := range []string{name, "SeverityNumber." + name, lower(name)} {
			if got, ok := SeverityNamed(n); !ok || got != Severity(s) || got != plog.SeverityNumber(i+1) {
				t.Errorf("SeverityNamed(%q) = %v, %v; Severity(%v) = %v", n, got, ok, s, Severity(s))
			}
		}
	}
	if n, ok := SeverityNamed("SeverityNumber.UNSPECIFIED"); !ok || n != plog.SeverityNumberUnspecified {
		t.Errorf("UNSPECIFIED: %v, %v", n, ok)
	}
	for _, s := range []log.Severity{0, 25, 200} {
		if Severity(s) != plog.SeverityNumberUnspecified {
			t.Errorf("Severity(%d) = %v", s, Severity(s))
		}
	}
	for _, bad := range []string{"", "INFO5", "NOTICE", "9"} {
		if n, ok := SeverityNamed(bad); ok {
			t.Errorf("SeverityNamed(%q) = %v", bad, n)
		}
	}
}

func titled(s string) string { return s[:1] + lower(s[1:]) }

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
