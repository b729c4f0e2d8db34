package telemetry

import (
	"errors"
	"fmt"
	"strings"
)

// Problem is one bad configuration value: which setting, what it held, why it
// was refused, what is allowed, and what is used instead.
type Problem struct {
	// Setting names where the value came from: an environment variable
	// (SIGHTLINE_TELEMETRY_TOPICS), a property ("property telemetry_topics"),
	// a code option ("WithConfig: Sampler"), or "endpoints" for endpoints
	// whose exporter could not be built.
	Setting string `json:"setting"`
	// Value is the refused value as given ("" when there is none).
	Value string `json:"value"`
	// Reason says what is wrong with it.
	Reason string `json:"reason"`
	// Allowed lists or describes the values that are accepted ("" when the
	// reason says it).
	Allowed string `json:"allowed,omitempty"`
	// Using describes the value used instead: the documented default, or
	// the value from the layer below.
	Using string `json:"using,omitempty"`
}

func (p Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s=%q: %s", p.Setting, p.Value, p.Reason)
	if p.Allowed != "" {
		fmt.Fprintf(&b, " (allowed: %s)", p.Allowed)
	}
	if p.Using != "" {
		fmt.Fprintf(&b, "; using %s", p.Using)
	}
	return b.String()
}

// ConfigError lists every configuration problem found. FromEnv, Validate
// and CheckProperties return it; Setup returns it (and no component) only
// with WithStrict: otherwise the component keeps a working value for each
// bad setting and lists the problems in Status.Problems.
type ConfigError struct {
	// Problems has one entry per bad setting, in the order they were read.
	Problems []Problem
}

func (e *ConfigError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	if len(lines) == 1 {
		return "telemetry configuration: " + lines[0]
	}
	return fmt.Sprintf("telemetry configuration: %d problems:\n  %s", len(lines), strings.Join(lines, "\n  "))
}

// Unwrap returns the problems as errors, so errors.As finds a Problem.
func (e *ConfigError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

// problems collects Problems while a configuration is read.
type problems []Problem

func (ps *problems) add(p Problem) { *ps = append(*ps, p) }

// err returns nil when there are no problems, else a *ConfigError.
func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	return &ConfigError{Problems: append([]Problem(nil), ps...)}
}

// valueError is what a value parser returns: why the value is wrong and what
// is allowed. The caller adds the setting name and the fallback.
type valueError struct {
	reason  string
	allowed string
}

func (e *valueError) Error() string {
	if e.allowed == "" {
		return e.reason
	}
	return e.reason + " (allowed: " + e.allowed + ")"
}

func badValue(allowed, format string, args ...any) error {
	return &valueError{reason: fmt.Sprintf(format, args...), allowed: allowed}
}

// problemFor turns a parser's error into a Problem for setting.
func problemFor(setting, value string, err error, using string) Problem {
	p := Problem{Setting: setting, Value: value, Reason: err.Error(), Using: using}
	var ve *valueError
	if errors.As(err, &ve) {
		p.Reason, p.Allowed = ve.reason, ve.allowed
	}
	return p
}
